// tse_bi / csv_bi writers, checked by reading the files back with the existing readers.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "ecgforest/core/error.hpp"
#include "ecgforest/io/annotation_writer.hpp"
#include "ecgforest/io/annotations.hpp"

namespace ecgforest::io {
namespace {

AnnotationEvent sz(double a, double b, double c = 1.0) {
  AnnotationEvent e;
  e.start_s = a;
  e.stop_s = b;
  e.label = "seiz";
  e.confidence = c;
  return e;
}

std::filesystem::path tmpdir() {
  auto d = std::filesystem::temp_directory_path() / ("ecgforest_annwriter_" + std::to_string(::getpid()));
  std::filesystem::create_directories(d);
  return d;
}

// Seizures [10,20] (0.8) and [15,30] (0.6) overlap → one seizure [10,30] with 0.8;
// [-5,3] is clipped to [0,3]; [95,120] to [95,100]. Expected rows on a 100 s recording:
// seiz 0-3, bckg 3-10, seiz 10-30, bckg 30-95, seiz 95-100.
const std::vector<AnnotationEvent> kSeizures = {sz(10, 20, 0.8), sz(15, 30, 0.6), sz(-5, 3, 0.7), sz(95, 120, 0.9)};

void expect_rows(const Annotations& a) {
  ASSERT_EQ(a.events.size(), 5u);
  const double st[] = {0, 3, 10, 30, 95}, sp[] = {3, 10, 30, 95, 100};
  const char* lab[] = {"seiz", "bckg", "seiz", "bckg", "seiz"};
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_DOUBLE_EQ(a.events[i].start_s, st[i]) << i;
    EXPECT_DOUBLE_EQ(a.events[i].stop_s, sp[i]) << i;
    EXPECT_EQ(a.events[i].label, lab[i]) << i;
  }
  EXPECT_DOUBLE_EQ(a.events[2].confidence, 0.8);
  EXPECT_DOUBLE_EQ(a.events[4].confidence, 0.9);
}

TEST(AnnotationWriter, TseBiRoundTrip) {
  const auto text = tse_bi_text(kSeizures, 100.0);
  EXPECT_EQ(text.rfind("version = tse_v1.0.0\n\n0.0000 3.0000 seiz 0.7000\n", 0), 0u) << text;
  const auto f = tmpdir() / "rec.tse_bi";
  write_text_file_atomic(f, text);
  EXPECT_FALSE(std::filesystem::exists(f.string() + ".partial"));
  const auto a = read_annotations(f);
  EXPECT_EQ(a.format, "tse_bi");
  expect_rows(a);
}

TEST(AnnotationWriter, CsvBiRoundTrip) {
  const auto text = csv_bi_text(kSeizures, 100.0, "rec");
  EXPECT_NE(text.find("# bname = rec\n"), std::string::npos);
  EXPECT_NE(text.find("channel,start_time,stop_time,label,confidence\nTERM,0.0000,3.0000,seiz,0.7000\n"), std::string::npos);
  const auto f = tmpdir() / "rec.csv_bi";
  write_text_file_atomic(f, text);
  const auto a = read_annotations(f);
  EXPECT_EQ(a.format, "csv_bi");
  ASSERT_TRUE(a.duration_s.has_value());
  EXPECT_DOUBLE_EQ(*a.duration_s, 100.0);
  expect_rows(a);
  for (const auto& e : a.events) EXPECT_EQ(e.channel, "TERM");
}

TEST(AnnotationWriter, NoSeizureIsOneBackgroundRow) {
  const auto f = tmpdir() / "empty.tse_bi";
  write_text_file_atomic(f, tse_bi_text({}, 61.5));
  const auto a = read_annotations(f);
  ASSERT_EQ(a.events.size(), 1u);
  EXPECT_EQ(a.events[0].label, "bckg");
  EXPECT_DOUBLE_EQ(a.events[0].stop_s, 61.5);
  EXPECT_THROW(tse_bi_text({}, 0.0), Error);
  std::filesystem::remove_all(tmpdir());
}

}  // namespace
}  // namespace ecgforest::io

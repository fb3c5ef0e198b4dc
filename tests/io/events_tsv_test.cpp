// BIDS / SzCORE events.tsv: the reader (read_annotations on *.tsv) and the writer predict uses
// (events_tsv_text, events_tsv_name). Expected values are written out by hand next to each check.
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

namespace fs = std::filesystem;

fs::path write(const std::string& name, const std::string& text) {
  const fs::path d = fs::temp_directory_path() / ("ecgforest_events_tsv_" + std::to_string(::getpid()));
  fs::create_directories(d);
  std::ofstream(d / name, std::ios::binary) << text;
  return d / name;
}

const char* kHeader = "onset\tduration\teventType\tconfidence\tchannels\tdateTime\trecordingDuration\n";

TEST(EventsTsv, ReadsSeizureRowsAndRecordingDuration) {
  const auto p = write("a_events.tsv", std::string(kHeader) +
                                           "120.50\t60.25\tsz_foc_ia\tn/a\tn/a\t2000-01-01 00:00:00\t3600.70\n"
                                           "10.00\t5.00\tsz\t0.80\tn/a\t2000-01-01 00:00:00\t3600.70\n");
  const auto a = read_annotations(p);
  EXPECT_EQ(a.format, "events_tsv");
  ASSERT_TRUE(a.duration_s.has_value());
  EXPECT_DOUBLE_EQ(*a.duration_s, 3600.7);
  ASSERT_EQ(a.events.size(), 2u);  // sorted by start
  EXPECT_EQ(a.events[0].label, "seiz");
  EXPECT_DOUBLE_EQ(a.events[0].start_s, 10.0);
  EXPECT_DOUBLE_EQ(a.events[0].stop_s, 15.0);
  EXPECT_DOUBLE_EQ(a.events[0].confidence, 0.8);
  EXPECT_EQ(a.events[1].label, "seiz");  // HED-SCORE subtype sz_foc_ia is a seizure
  EXPECT_DOUBLE_EQ(a.events[1].stop_s, 120.5 + 60.25);
  EXPECT_DOUBLE_EQ(a.events[1].confidence, 1.0);  // "n/a"
  EXPECT_TRUE(is_seizure_label(a.events[1].label));
}

TEST(EventsTsv, SeizureFreeFileHasOneBackgroundRow) {
  const auto a = read_annotations(write("b_events.tsv", std::string(kHeader) +
                                                            "0.00\t1800.00\tbckg\tn/a\tn/a\t2000-01-01 00:00:00\t1800.00\n"));
  ASSERT_EQ(a.events.size(), 1u);
  EXPECT_EQ(a.events[0].label, "bckg");
  EXPECT_FALSE(is_seizure_label(a.events[0].label));
  EXPECT_DOUBLE_EQ(*a.duration_s, 1800.0);
}

TEST(EventsTsv, MalformedRowsAreRecordErrorsNamingTheLine) {
  const auto bad_number = write("c_events.tsv", std::string(kHeader) + "abc\t5\tsz\tn/a\tn/a\tx\t100\n");
  try {
    read_annotations(bad_number);
    FAIL() << "expected a RecordError";
  } catch (const RecordError& e) {
    EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'abc' is not a number"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_annotations(write("d_events.tsv", "onset\tfoo\n1\t2\n")), RecordError);         // no duration column
  EXPECT_THROW(read_annotations(write("e_events.tsv", std::string(kHeader) + "1\t2\tsz\n")), RecordError);  // 3 of 7 fields
  EXPECT_THROW(read_annotations(write("f_events.tsv", "")), RecordError);
}

TEST(EventsTsv, WriterRowsReadBack) {
  // [10, 20] (0.8) and [15, 30] (0.6) unite to [10, 30] with 0.8; [95, 120] is clipped to [95, 100].
  AnnotationEvent a, b, c;
  a.start_s = 10, a.stop_s = 20, a.confidence = 0.8;
  b.start_s = 15, b.stop_s = 30, b.confidence = 0.6;
  c.start_s = 95, c.stop_s = 120, c.confidence = 0.9;
  const std::string text = events_tsv_text({a, b, c}, 100.0);
  EXPECT_EQ(text, std::string(kHeader) +
                      "10.00\t20.00\tsz\t0.80\tn/a\t1985-01-01 00:00:00\t100.00\n"
                      "95.00\t5.00\tsz\t0.90\tn/a\t1985-01-01 00:00:00\t100.00\n");
  const auto r = read_annotations(write("g_events.tsv", text));
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_DOUBLE_EQ(r.events[0].stop_s, 30.0);
  EXPECT_DOUBLE_EQ(*r.duration_s, 100.0);
  StartDateTime start;
  start.year = 2017, start.month = 3, start.day = 9, start.hour = 14, start.minute = 5, start.second = 7;
  EXPECT_EQ(events_tsv_text({}, 60.5, start),
            std::string(kHeader) + "0.00\t60.50\tbckg\tn/a\tn/a\t2017-03-09 14:05:07\t60.50\n");
}

TEST(EventsTsv, FileNames) {
  EXPECT_EQ(events_tsv_name("aaaaaaaa_s001_t000"), "aaaaaaaa_s001_t000_events.tsv");
  EXPECT_EQ(events_tsv_name("sub-01_ses-01_task-szMonitoring_run-00_ecg"), "sub-01_ses-01_task-szMonitoring_run-00_events.tsv");
  EXPECT_EQ(events_tsv_name("sub-01_run-00"), "sub-01_run-00_events.tsv");  // no suffix to replace
  EXPECT_EQ(events_tsv_name("rec"), "rec_events.tsv");
}

}  // namespace
}  // namespace ecgforest::io

// Tests of the seizure annotation readers (TUH tse/tse_bi, TUSZ v2 csv/csv_bi, La Teppe ISO).
#include "ecgforest/io/annotations.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "ecgforest/core/error.hpp"
#include "support/shared_data.hpp"

namespace fs = std::filesystem;
using ecgforest::RecordError;
using ecgforest::io::Annotations;
using ecgforest::io::find_annotation_for;
using ecgforest::is_seizure_label;
using ecgforest::io::read_annotations;
using ecgforest::StartDateTime;

namespace {

const fs::path kFixtures = fs::path(ECGFOREST_SOURCE_DIR) / "tests" / "fixtures" / "annotations";
const fs::path kTuh = fs::path(ECGFOREST_SHARED_DIR) / "data" / "tuh";

/// A fresh directory per test, removed at the end.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() / ("ecgforest_annot_" + std::to_string(::getpid()) + "_" +
                                         info->test_suite_name() + "_" + info->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  /// Writes `bytes` verbatim (binary) to `name` in the directory and returns its path.
  fs::path write(const std::string& name, const std::string& bytes) const {
    const fs::path p = path_ / name;
    std::ofstream out(p, std::ios::binary);
    out << bytes;
    return p;
  }
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

/// Runs read_annotations expecting a RecordError of kind bad_annotation; returns its message.
std::string expect_bad(const fs::path& file, const std::optional<StartDateTime>& start = {}) {
  try {
    (void)read_annotations(file, start);
  } catch (const RecordError& e) {
    EXPECT_EQ(e.kind(), "bad_annotation");
    return e.what();
  }
  ADD_FAILURE() << "no RecordError for " << file;
  return {};
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

// ------------------------------------------------------------------ real TUH samples

TEST(AnnotationsTuh, RealMultiSeizureTseBi) {
  ECGFOREST_REQUIRE_SHARED(fs::is_directory(kTuh), kTuh.string());
  const Annotations a = read_annotations(kTuh / "00004671_s007_t000.tse_bi");
  EXPECT_EQ(a.format, "tse_bi");
  EXPECT_FALSE(a.duration_s.has_value());
  // 81 lines = header + blank line + 79 rows, alternating bckg/seiz (39 seizures).
  ASSERT_EQ(a.events.size(), 79U);
  EXPECT_DOUBLE_EQ(a.events[0].start_s, 0.0);
  EXPECT_DOUBLE_EQ(a.events[0].stop_s, 46.2734);
  EXPECT_EQ(a.events[0].label, "bckg");
  EXPECT_DOUBLE_EQ(a.events[1].start_s, 46.2734);
  EXPECT_DOUBLE_EQ(a.events[1].stop_s, 52.0742);
  EXPECT_EQ(a.events[1].label, "seiz");
  EXPECT_DOUBLE_EQ(a.events[1].confidence, 1.0);
  EXPECT_TRUE(a.events[1].channel.empty());
  EXPECT_DOUBLE_EQ(a.events.back().start_s, 1913.6211);
  EXPECT_DOUBLE_EQ(a.events.back().stop_s, 1930.0);
  int n_seiz = 0;
  for (const auto& e : a.events) n_seiz += is_seizure_label(e.label) ? 1 : 0;
  EXPECT_EQ(n_seiz, 39);
}

TEST(AnnotationsTuh, RealEmptyAndSeizOnly) {
  ECGFOREST_REQUIRE_SHARED(fs::is_directory(kTuh), kTuh.string());
  const Annotations empty = read_annotations(kTuh / "empty.tse_bi");
  EXPECT_EQ(empty.format, "tse_bi");
  EXPECT_TRUE(empty.events.empty());

  const Annotations seiz = read_annotations(kTuh / "seiz_only_00009578_s006_t001.tse_bi");
  ASSERT_EQ(seiz.events.size(), 1U);
  EXPECT_DOUBLE_EQ(seiz.events[0].start_s, 0.0);
  EXPECT_DOUBLE_EQ(seiz.events[0].stop_s, 22.0);
  EXPECT_EQ(seiz.events[0].label, "seiz");

  const Annotations bckg = read_annotations(kTuh / "00009578_s002_t001.tse_bi");
  ASSERT_EQ(bckg.events.size(), 1U);
  EXPECT_DOUBLE_EQ(bckg.events[0].stop_s, 17.0);
  EXPECT_EQ(bckg.events[0].label, "bckg");
}

TEST(AnnotationsTuh, RealLaTeppeConvertedWithStart) {
  ECGFOREST_REQUIRE_SHARED(fs::is_directory(kTuh), kTuh.string());
  const fs::path file = kTuh / "lateppe_PAT_0_Annotations_EEG_0.tse_bi";
  StartDateTime start;
  start.year = 2017;
  start.month = 1;
  start.day = 10;
  start.hour = 14;
  start.minute = 30;
  start.second = 0;
  const Annotations a = read_annotations(file, start);
  EXPECT_EQ(a.format, "tse_bi_iso");
  ASSERT_EQ(a.events.size(), 5U);
  // By hand from 14:30:00.000000:
  // 14:30:00.441406 -> 0.441406; 14:32:23.0625 -> 2*60 + 23.0625 = 143.0625;
  // 14:32:40.015625 -> 160.015625; 14:38:44.40625 -> 8*60 + 44.40625 = 524.40625;
  // 14:38:50.46875 -> 530.46875; 14:40:42.832031 -> 10*60 + 42.832031 = 642.832031.
  EXPECT_NEAR(a.events[0].start_s, 0.441406, 1e-9);
  EXPECT_NEAR(a.events[0].stop_s, 143.0625, 1e-9);
  EXPECT_EQ(a.events[0].label, "bckg");
  EXPECT_NEAR(a.events[1].start_s, 143.0625, 1e-9);
  EXPECT_NEAR(a.events[1].stop_s, 160.015625, 1e-9);
  EXPECT_EQ(a.events[1].label, "seiz");
  EXPECT_NEAR(a.events[3].start_s, 524.40625, 1e-9);
  EXPECT_NEAR(a.events[3].stop_s, 530.46875, 1e-9);
  EXPECT_EQ(a.events[3].label, "seiz");
  EXPECT_NEAR(a.events[4].stop_s, 642.832031, 1e-9);
  EXPECT_DOUBLE_EQ(a.events[4].confidence, 1.0);

  // Without the EDF start the file is rejected, naming the file and the first data row (line 5).
  const std::string msg = expect_bad(file);
  EXPECT_TRUE(contains(msg, file.string())) << msg;
  EXPECT_TRUE(contains(msg, "line 5")) << msg;
  EXPECT_TRUE(contains(msg, "2017-01-10T14:30:00.441406")) << msg;
  EXPECT_TRUE(contains(msg, "start date and time")) << msg;

  // An EDF starting half a second later puts the first event before the recording: negative.
  start.subsecond = 0.5;
  const std::string neg = expect_bad(file, start);
  EXPECT_TRUE(contains(neg, "negative")) << neg;
}

// ------------------------------------------------------------------ fixtures

TEST(AnnotationsFixtures, MultiClassTseWithTabsAndTrailingSpaces) {
  const Annotations a = read_annotations(kFixtures / "multiclass.tse");
  EXPECT_EQ(a.format, "tse");
  ASSERT_EQ(a.events.size(), 5U);
  EXPECT_DOUBLE_EQ(a.events[1].start_s, 10.5);
  EXPECT_DOUBLE_EQ(a.events[1].stop_s, 20.25);
  EXPECT_EQ(a.events[1].label, "fnsz");  // "FNSZ" lower-cased
  EXPECT_DOUBLE_EQ(a.events[1].confidence, 0.9);
  EXPECT_EQ(a.events[3].label, "gnsz");
  EXPECT_DOUBLE_EQ(a.events[3].stop_s, 42.75);
  EXPECT_DOUBLE_EQ(a.events[4].stop_s, 60.0);
}

TEST(AnnotationsFixtures, CsvBi) {
  const Annotations a = read_annotations(kFixtures / "tusz.csv_bi");
  EXPECT_EQ(a.format, "csv_bi");
  ASSERT_TRUE(a.duration_s.has_value());
  EXPECT_DOUBLE_EQ(*a.duration_s, 301.0);
  ASSERT_EQ(a.events.size(), 3U);
  EXPECT_EQ(a.events[1].channel, "TERM");
  EXPECT_EQ(a.events[1].label, "seiz");
  EXPECT_DOUBLE_EQ(a.events[1].start_s, 42.2786);
  EXPECT_DOUBLE_EQ(a.events[1].stop_s, 81.7760);
  EXPECT_DOUBLE_EQ(a.events[1].confidence, 1.0);
}

TEST(AnnotationsFixtures, PerChannelCsvKeepsOverlapsSortedByStart) {
  const Annotations a = read_annotations(kFixtures / "tusz.csv");
  EXPECT_EQ(a.format, "csv");
  EXPECT_DOUBLE_EQ(*a.duration_s, 120.0);
  ASSERT_EQ(a.events.size(), 6U);
  const double starts[] = {0.0, 0.0, 35.5, 40.0, 65.25, 70.0};
  for (std::size_t i = 0; i < 6; ++i) EXPECT_DOUBLE_EQ(a.events[i].start_s, starts[i]) << i;
  // Stable sort: equal starts keep file order (FP1-F7 before F7-T3).
  EXPECT_EQ(a.events[0].channel, "FP1-F7");
  EXPECT_EQ(a.events[1].channel, "F7-T3");
  EXPECT_EQ(a.events[2].channel, "F7-T3");
  EXPECT_EQ(a.events[2].label, "cpsz");
  EXPECT_DOUBLE_EQ(a.events[2].confidence, 0.8);
  EXPECT_EQ(a.events[3].channel, "FP1-F7");
  EXPECT_DOUBLE_EQ(a.events[3].stop_s, 70.0);
}

TEST(AnnotationsFixtures, LaTeppeAcrossMidnightAndYear) {
  StartDateTime start;
  start.year = 2016;
  start.month = 12;
  start.day = 31;
  start.hour = 23;
  start.minute = 59;
  start.second = 50;
  start.subsecond = 0.25;
  const Annotations a = read_annotations(kFixtures / "lateppe_midnight.tse_bi", start);
  EXPECT_EQ(a.format, "tse_bi_iso");
  ASSERT_EQ(a.events.size(), 2U);
  // 23:59:50.25 -> 0; 00:00:05.5 next day -> 9.75 + 5.5 = 15.25; 00:01:10.125 -> 9.75 + 70.125.
  EXPECT_NEAR(a.events[0].start_s, 0.0, 1e-12);
  EXPECT_NEAR(a.events[0].stop_s, 15.25, 1e-12);
  EXPECT_NEAR(a.events[1].start_s, 15.25, 1e-12);
  EXPECT_NEAR(a.events[1].stop_s, 79.875, 1e-12);
  EXPECT_EQ(a.events[1].label, "seiz");
}

// ------------------------------------------------------------------ robustness

TEST(AnnotationsRobust, BomAndCrlfTse) {
  TempDir dir;
  const auto f = dir.write("bom.tse_bi",
                           "\xEF\xBB\xBFversion = tse_v1.0.0\r\n\r\n0.0000 5.0000 bckg 1.0000\r\n"
                           "5.0000 7.5000 seiz 1.0000\r\n\r\n");
  const Annotations a = read_annotations(f);
  ASSERT_EQ(a.events.size(), 2U);
  EXPECT_EQ(a.events[1].label, "seiz");  // no stray '\r'
  EXPECT_DOUBLE_EQ(a.events[1].stop_s, 7.5);
  EXPECT_DOUBLE_EQ(a.events[1].confidence, 1.0);
}

TEST(AnnotationsRobust, BomAndCrlfCsvBi) {
  TempDir dir;
  // Without BOM stripping the first '#' line would not be a comment.
  const auto f = dir.write("bom.csv_bi",
                           "\xEF\xBB\xBF# version = csv_v1.0.0\r\n# duration = 20.00 secs\r\n"
                           "channel,start_time,stop_time,label,confidence\r\n"
                           "TERM, 2.5000 ,12.0000,seiz,1.00  \r\n");
  const Annotations a = read_annotations(f);
  EXPECT_DOUBLE_EQ(*a.duration_s, 20.0);
  ASSERT_EQ(a.events.size(), 1U);
  EXPECT_DOUBLE_EQ(a.events[0].start_s, 2.5);
  EXPECT_EQ(a.events[0].label, "seiz");
  EXPECT_DOUBLE_EQ(a.events[0].confidence, 1.0);
}

TEST(AnnotationsRobust, HeaderOnlyFilesGiveZeroEvents) {
  TempDir dir;
  EXPECT_TRUE(read_annotations(dir.write("h.tse", "version = tse_v1.0.0\n\n")).events.empty());
  const Annotations c =
      read_annotations(dir.write("h.csv_bi",
                                 "# version = csv_v1.0.0\n# duration = 5.00 secs\n"
                                 "channel,start_time,stop_time,label,confidence\n"));
  EXPECT_TRUE(c.events.empty());
  EXPECT_DOUBLE_EQ(*c.duration_s, 5.0);
}

TEST(AnnotationsRobust, OverlappingTseEventsAreSortedByStart) {
  TempDir dir;
  const auto f =
      dir.write("o.tse", "version = tse_v1.0.0\n\n10 20 seiz 1\n5 15 bckg 1\n12 13 fnsz 1\n");
  const Annotations a = read_annotations(f);
  ASSERT_EQ(a.events.size(), 3U);
  EXPECT_DOUBLE_EQ(a.events[0].start_s, 5.0);
  EXPECT_DOUBLE_EQ(a.events[1].start_s, 10.0);
  EXPECT_DOUBLE_EQ(a.events[2].start_s, 12.0);
}

TEST(AnnotationsBad, BadNumberNamesFileLineTextAndExpectation) {
  TempDir dir;
  const auto f = dir.write("n.tse_bi", "version = tse_v1.0.0\n\n0.0000 4x.5 seiz 1.0000\n");
  const std::string msg = expect_bad(f);
  EXPECT_TRUE(contains(msg, f.string())) << msg;
  EXPECT_TRUE(contains(msg, "line 3")) << msg;
  EXPECT_TRUE(contains(msg, "4x.5")) << msg;
  EXPECT_TRUE(contains(msg, "expected")) << msg;
}

TEST(AnnotationsBad, LineNumbersCountCrlfLinesOnce) {
  TempDir dir;
  const auto f = dir.write("n.tse", "version = tse_v1.0.0\r\n\r\n0 1 seiz 1\r\n1 2 bckg nan\r\n");
  const std::string msg = expect_bad(f);
  EXPECT_TRUE(contains(msg, "line 4")) << msg;
  EXPECT_TRUE(contains(msg, "nan")) << msg;
}

TEST(AnnotationsBad, ReversedEmptyAndNegativeIntervals) {
  TempDir dir;
  const std::string rev =
      expect_bad(dir.write("r.tse", "version = tse_v1.0.0\n\n10.0 5.0 seiz 1\n"));
  EXPECT_TRUE(contains(rev, "line 3")) << rev;
  EXPECT_TRUE(contains(rev, "stop")) << rev;
  (void)expect_bad(dir.write("z.tse", "version = tse_v1.0.0\n\n5.0 5.0 seiz 1\n"));
  const std::string neg =
      expect_bad(dir.write("m.tse", "version = tse_v1.0.0\n\n-1.0 5.0 seiz 1\n"));
  EXPECT_TRUE(contains(neg, "negative")) << neg;
  (void)expect_bad(dir.write("r.csv_bi",
                             "channel,start_time,stop_time,label,confidence\n"
                             "TERM,9.0,3.0,seiz,1.00\n"));
}

TEST(AnnotationsBad, WrongFieldCountsAndLabels) {
  TempDir dir;
  const std::string three = expect_bad(dir.write("a.tse", "version = tse_v1.0.0\n\n0 5 seiz\n"));
  EXPECT_TRUE(contains(three, "3 fields")) << three;
  (void)expect_bad(dir.write("b.tse", "version = tse_v1.0.0\n\n0 5 seiz 1 extra\n"));
  (void)expect_bad(dir.write("c.tse", "version = tse_v1.0.0\n\n0 5 7 1\n"));  // numeric label
  (void)expect_bad(dir.write("d.tse", "hello world\n"));
  (void)expect_bad(dir.write("e.csv_bi",
                             "channel,start_time,stop_time,label,confidence\n"
                             "TERM,1.0,2.0,seiz\n"));
  (void)expect_bad(dir.write("f.csv_bi",
                             "channel,start_time,stop_time,label,confidence\n"
                             "TERM,1.0,2.0x,seiz,1.00\n"));
  (void)expect_bad(dir.write("g.csv_bi",
                             "channel,start_time,stop_time,label,confidence\n"
                             ",1.0,2.0,seiz,1.00\n"));  // empty channel
  (void)expect_bad(dir.write("h.csv_bi", "# duration = lots secs\n"));
}

TEST(AnnotationsBad, CsvWithoutColumnHeader) {
  TempDir dir;
  const auto f = dir.write("x.csv", "# version = csv_v1.0.0\nTERM,42.2786,81.7760,seiz,1.00\n");
  const std::string msg = expect_bad(f);
  EXPECT_TRUE(contains(msg, "line 2")) << msg;
  EXPECT_TRUE(contains(msg, "channel,start_time,stop_time,label,confidence")) << msg;
}

TEST(AnnotationsBad, MalformedIsoTimestamps) {
  TempDir dir;
  StartDateTime start;
  start.year = 2017;
  // Month 13 does not exist.
  const std::string m13 = expect_bad(dir.write("a.tse_bi",
                                               "version = tse_v1.0.0\n\n"
                                               "2017-13-10T14:30:00 2017-01-10T14:32:00 seiz 1\n"),
                                     start);
  EXPECT_TRUE(contains(m13, "ISO-8601")) << m13;
  // A numeric row after ISO rows.
  (void)expect_bad(dir.write("b.tse_bi",
                             "version = tse_v1.0.0\n\n"
                             "2017-01-10T14:30:00 2017-01-10T14:32:00 seiz 1\n"
                             "100.0 200.0 bckg 1\n"),
                   start);
}

TEST(AnnotationsBad, UnsupportedExtensionAndMissingFile) {
  TempDir dir;
  const std::string ext = expect_bad(dir.write("x.txt", "0 1 seiz 1\n"));
  EXPECT_TRUE(contains(ext, ".txt")) << ext;
  for (const char* e : {".csv_bi", ".tse_bi", ".csv", ".tse"}) {
    EXPECT_TRUE(contains(ext, e)) << ext;
  }
  const std::string missing = expect_bad(dir.path() / "nope.tse_bi");
  EXPECT_TRUE(contains(missing, "nope.tse_bi")) << missing;
}

// ------------------------------------------------------------------ labels and pairing

TEST(AnnotationsLabels, SeizureLabels) {
  for (const char* l : {"seiz", "SEIZ", "Fnsz", "gnsz", "spsz", "cpsz", "absz", "tnsz", "cnsz",
                        "tcsz", "atsz", "mysz", "nesz"}) {
    EXPECT_TRUE(is_seizure_label(l)) << l;
  }
  for (const char* l : {"bckg", "BCKG", "", "artf", "seizure", "eyem", "sz"}) {
    EXPECT_FALSE(is_seizure_label(l)) << l;
  }
}

TEST(AnnotationsPairing, FindAnnotationPrecedence) {
  TempDir dir;
  const fs::path edf = dir.write("rec_t000.edf", "");
  EXPECT_FALSE(find_annotation_for(edf).has_value());
  (void)dir.write("other.csv_bi", "");  // another stem never matches
  (void)dir.write("rec_t000.txt", "");
  EXPECT_FALSE(find_annotation_for(edf).has_value());
  (void)dir.write("rec_t000.tse", "");
  EXPECT_EQ(find_annotation_for(edf), dir.path() / "rec_t000.tse");
  (void)dir.write("rec_t000.csv", "");
  EXPECT_EQ(find_annotation_for(edf), dir.path() / "rec_t000.csv");
  (void)dir.write("rec_t000.tse_bi", "");
  EXPECT_EQ(find_annotation_for(edf), dir.path() / "rec_t000.tse_bi");
  (void)dir.write("rec_t000.csv_bi", "");
  EXPECT_EQ(find_annotation_for(edf), dir.path() / "rec_t000.csv_bi");
  // A directory with an annotation's name is not a file.
  fs::remove(dir.path() / "rec_t000.csv_bi");
  fs::create_directory(dir.path() / "rec_t000.csv_bi");
  EXPECT_EQ(find_annotation_for(edf), dir.path() / "rec_t000.tse_bi");
}

TEST(AnnotationsPairing, RealTuhSamplePairs) {
  ECGFOREST_REQUIRE_SHARED(fs::is_directory(kTuh), kTuh.string());
  EXPECT_EQ(find_annotation_for(kTuh / "00009578_s002_t001.edf"),
            kTuh / "00009578_s002_t001.tse_bi");
}

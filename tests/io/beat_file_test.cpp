// Tests of io/beat_file: RR tables and beats files (plain and gzip) read from the hand-written
// fixtures in tests/fixtures/beats/ (expected values worked out by hand below), the NN intervals
// they give through hrv::compute_window_features_s, and one error case per way a file can be
// malformed (each a RecordError "bad_beats" naming the file).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/hrv/features.hpp"
#include "ecgforest/io/beat_file.hpp"

namespace ecgforest::io {
namespace {

namespace fs = std::filesystem;
using Spans = std::vector<std::pair<double, double>>;

const fs::path kFixtures = fs::path(ECGFOREST_SOURCE_DIR) / "tests/fixtures/beats";

void expect_near(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-9) << "index " << i;
}

void expect_near(const Spans& got, const Spans& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(got[i].first, want[i].first, 1e-9) << "span " << i;
    EXPECT_NEAR(got[i].second, want[i].second, 1e-9) << "span " << i;
  }
}

// One window [0, end) of the default profile over the series; returns {n_rr, mean_nni}.
std::pair<double, double> nn_summary(const BeatSeries& s, double end) {
  hrv::WindowSpec spec;
  spec.window_s = end;
  spec.features = {"n_rr", "mean_nni"};
  const auto wf = hrv::compute_window_features_s(s.beat_s, end, s.bad_s, spec);
  EXPECT_EQ(wf.values.rows(), 1);
  return {wf.values(0, 0), wf.values(0, 1)};
}

class BeatFileErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ecgforest_beats_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& name, const std::string& bytes) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  // The file must be rejected with `kind`, naming the file and containing `words`.
  static void expect_rejected(const fs::path& p, const std::string& words, const std::string& kind = "bad_beats") {
    try {
      (void)read_beat_file(p);
      ADD_FAILURE() << p << " was accepted";
    } catch (const RecordError& e) {
      EXPECT_EQ(e.kind(), kind) << e.what();
      EXPECT_NE(std::string(e.what()).find(p.string()), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  }
  fs::path dir_;
};

TEST(BeatFileNames, KindAndName) {
  EXPECT_EQ(recording_kind("a/x_rr.csv"), RecordingKind::rr_csv);
  EXPECT_EQ(recording_kind("a/x_RR.CSV.GZ"), RecordingKind::rr_csv);
  EXPECT_EQ(recording_kind("a/x_beats.csv.gz"), RecordingKind::beats_csv);
  EXPECT_EQ(recording_kind("a/x.edf"), RecordingKind::edf);
  EXPECT_EQ(recording_kind("a/_rr.csv"), RecordingKind::edf);  // no NAME
  EXPECT_EQ(recording_kind("a/x_rr.csv.bak"), RecordingKind::edf);
  EXPECT_EQ(recording_name("a/nsr001_rr.csv.gz"), "nsr001");
  EXPECT_EQ(recording_name("a/p_s001_t000_beats.csv"), "p_s001_t000");
  EXPECT_EQ(recording_name("a/p_s001_t000.edf"), "p_s001_t000");
  EXPECT_EQ(kind_name(RecordingKind::edf), "edf");
  EXPECT_EQ(kind_name(RecordingKind::rr_csv), "rr_csv");
  EXPECT_EQ(kind_name(RecordingKind::beats_csv), "beats_csv");
}

TEST(BeatFileNames, SymbolClasses) {
  for (const char* s : {"N", "L", "R", "B", "?", "Q", ""}) EXPECT_EQ(classify_beat_symbol(s), BeatClass::normal) << s;
  for (const char* s : {"V", "A", "S", "F", "J", "E", "a", "e", "j", "n", "/", "f", "|", "~", "!", "x", "[", "]", "VV"}) {
    EXPECT_EQ(classify_beat_symbol(s), BeatClass::breaks) << s;
  }
  for (const char* s : {"+", "\"", "=", "p", "t", "u", "(", ")"}) EXPECT_EQ(classify_beat_symbol(s), BeatClass::ignored) << s;
}

// holes_rr.csv at 250 Hz:
//   2.000 s  rr 800  -> next beat 2.8   = next row: continuous
//   2.800 s  rr 850  -> next beat 3.65, next row at 4.6: hole [3.65, 4.6)
//   4.600 s  rr 820  -> next beat 5.42  = next row: continuous
//   5.420 s  rr ''   -> unknown interval: hole [5.42, 6.0)
//   6.000 s  rr 780  -> last row: beat 6.78
// frame 500 at 2.0 s and 1500 at 6.0 s: 250 Hz, frame 0 at 00:00:00.
TEST(BeatFile, RrTableHolesAreBadSpans) {
  const auto s = read_beat_file(kFixtures / "holes_rr.csv");
  expect_near(s.beat_s, {2.0, 2.8, 3.65, 4.6, 5.42, 6.0, 6.78});
  expect_near(s.bad_s, {{3.65, 4.6}, {5.42, 6.0}});
  EXPECT_EQ(s.n_rows, 5u);
  ASSERT_TRUE(s.start.has_value());
  EXPECT_EQ(s.start->year, 2000);
  EXPECT_EQ(s.start->month, 1);
  EXPECT_EQ(s.start->day, 1);
  EXPECT_EQ(s.start->hour * 3600 + s.start->minute * 60 + s.start->second, 0);
  EXPECT_NEAR(s.start->subsecond, 0.0, 1e-12);
  // NN intervals: 800, 850, 820, 780 ms; the 950 ms across the hole and the 580 ms across the
  // empty row are never formed.
  const auto [n_rr, mean_nni] = nn_summary(s, 10.0);
  EXPECT_EQ(n_rr, 4.0);
  EXPECT_NEAR(mean_nni, (800.0 + 850.0 + 820.0 + 780.0) / 4.0, 1e-3);
}

TEST(BeatFile, RrTableWithoutFrameStartsAtTheFirstRow) {
  const auto s = parse_rr_table("rr_interval,timestamp\n700,2021-03-04T23:59:59.5\n800,2021-03-05 00:00:00.2\n", "x_rr.csv");
  expect_near(s.beat_s, {0.0, 0.7, 1.5});
  EXPECT_TRUE(s.bad_s.empty());
  ASSERT_TRUE(s.start.has_value());
  EXPECT_EQ(s.start->day, 4);
  EXPECT_EQ(s.start->hour, 23);
  EXPECT_EQ(s.start->second, 59);
  EXPECT_NEAR(s.start->subsecond, 0.5, 1e-9);
}

TEST(BeatFile, RrTableInSeconds) {
  // Plain-second timestamps: no wall clock; frame 0 at 0 s (frames at 100 Hz).
  const auto s = parse_rr_table("timestamp,frame,rr_interval\n1.0,100,500\n1.5,150,500\n3.0,300,500\n", "x_rr.csv");
  expect_near(s.beat_s, {1.0, 1.5, 2.0, 3.0, 3.5});
  expect_near(s.bad_s, {{2.0, 3.0}});
  EXPECT_FALSE(s.start.has_value());
}

// symbols_beats.csv: normal beats 1.0 1.8 | V | 3.3 4.1 | ~ | 4.9 5.7(Q) [+ ignored] 6.5(?) | | |
// 7.3 8.1 | 3.9 s gap | 12.0 12.8 [" ignored] 13.6. Bad spans: from the normal beat before each
// break to the one after: [1.8,3.3) [4.1,4.9) [6.5,7.3), and the gap [8.1,12.0).
// NN intervals (all 800 ms): 1.0-1.8, 3.3-4.1, 4.9-5.7, 5.7-6.5, 7.3-8.1, 12.0-12.8, 12.8-13.6.
TEST(BeatFile, BeatsSymbolsBreakNnIntervals) {
  for (const char* name : {"symbols_beats.csv", "symbols_beats.csv.gz"}) {
    SCOPED_TRACE(name);
    const auto s = read_beat_file(kFixtures / name);
    expect_near(s.beat_s, {1.0, 1.8, 3.3, 4.1, 4.9, 5.7, 6.5, 7.3, 8.1, 12.0, 12.8, 13.6});
    expect_near(s.bad_s, {{1.8, 3.3}, {4.1, 4.9}, {6.5, 7.3}, {8.1, 12.0}});
    EXPECT_EQ(s.n_rows, 17u);
    EXPECT_EQ(s.n_non_normal, 3u);
    EXPECT_FALSE(s.start.has_value());
    const auto [n_rr, mean_nni] = nn_summary(s, 14.0);
    EXPECT_EQ(n_rr, 7.0);
    EXPECT_NEAR(mean_nni, 800.0, 1e-3);
  }
}

TEST(BeatFile, SynthBeatsFormat) {
  // ecgforest-synth --format beats: header time_s,symbol; N normal, V ectopic.
  const auto s = parse_beats_table("time_s,symbol\n0.5,N\n1.3,N\n1.9,V\n2.9,N\n3.7,N\n", "r_beats.csv");
  expect_near(s.beat_s, {0.5, 1.3, 2.9, 3.7});
  expect_near(s.bad_s, {{1.3, 2.9}});
  // Without a symbol column every row is a normal beat.
  const auto t = parse_beats_table("sample,time_s\n128,1.0\n256,2.0\n", "r_beats.csv");
  expect_near(t.beat_s, {1.0, 2.0});
  EXPECT_TRUE(t.bad_s.empty());
}

TEST(BeatFile, RrIntervalsColumnForTheHrvCommand) {
  const auto rr = read_rr_intervals(kFixtures / "holes_rr.csv");
  ASSERT_EQ(rr.size(), 5u);
  EXPECT_EQ(rr[0], 800.0);
  EXPECT_EQ(rr[2], 820.0);
  EXPECT_TRUE(std::isnan(rr[3]));
  EXPECT_EQ(rr[4], 780.0);
}

TEST_F(BeatFileErrors, EmptyFiles) {
  expect_rejected(write("a_beats.csv", ""), "is empty");
  expect_rejected(write("b_rr.csv", "\n \n"), "is empty");
  expect_rejected(write("c_beats.csv", "time_s,symbol\n"), "no rows");
  expect_rejected(write("d_rr.csv", "timestamp,frame,rr_interval\r\n"), "no rows");
}

TEST_F(BeatFileErrors, MissingColumns) {
  expect_rejected(write("a_beats.csv", "sample,symbol\n1,N\n"), "no time_s column");
  expect_rejected(write("b_rr.csv", "frame,rr_interval\n1,800\n"), "no timestamp column");
  expect_rejected(write("c_rr.csv", "timestamp,frame\n2000-01-01 00:00:00,1\n"), "no rr_interval column");
  expect_rejected(write("d_beats.csv", "time_s,symbol\n1.0,N\n2.0\n"), "Line 3");
}

TEST_F(BeatFileErrors, NonIncreasingTimes) {
  expect_rejected(write("a_beats.csv", "time_s,symbol\n1.0,N\n2.0,N\n1.5,N\n"), "Line 4");
  expect_rejected(write("b_beats.csv", "time_s\n1.0\n1.0\n"), "two normal beats");
  expect_rejected(write("c_rr.csv", "timestamp,rr_interval\n2000-01-01 00:00:01,800\n2000-01-01 00:00:01,800\n"),
                  "does not come after");
  // rr 900 ms from 1.0 s ends at 1.9 s, after the next row's beat at 1.8 s.
  expect_rejected(write("d_rr.csv", "timestamp,rr_interval\n1.0,900\n1.8,800\n"), "overlap");
}

TEST_F(BeatFileErrors, BadValues) {
  expect_rejected(write("a_beats.csv", "time_s\n1.0\nabc\n"), "time_s 'abc'");
  expect_rejected(write("b_beats.csv", "time_s\n-1.0\n"), ">= 0");
  expect_rejected(write("c_rr.csv", "timestamp,rr_interval\n1.0,0\n"), "not positive");
  expect_rejected(write("d_rr.csv", "timestamp,rr_interval\n1.0,12x\n"), "not a number");
  expect_rejected(write("e_rr.csv", "timestamp,rr_interval\n2000-13-01 00:00:00,800\n"), "neither a date-time");
  expect_rejected(write("f_rr.csv", "timestamp,rr_interval\n1.0,800\n2000-01-01 00:00:02,800\n"), "mixes");
  // Found by fuzz_beat_file: the year 1000 overflowed the nanoseconds since 1970 (UB); dates
  // outside 1900..2200 are not date-times.
  expect_rejected(write("g_rr.csv", "timestamp,rr_interval\n1000-01-01 00:03:46.4921875,710.9375\n"), "neither a date-time");
  expect_rejected(write("h_rr.csv", "timestamp,rr_interval\n2263-01-01 00:00:00,800\n"), "neither a date-time");
}

TEST_F(BeatFileErrors, BadGzip) {
  expect_rejected(write("a_beats.csv.gz", "time_s\n1.0\n2.0\n"), "not gzip-compressed");
  std::ifstream in(kFixtures / "symbols_beats.csv.gz", std::ios::binary | std::ios::ate);
  std::string gz(static_cast<std::size_t>(in.tellg()), '\0');
  in.seekg(0);
  in.read(gz.data(), static_cast<std::streamsize>(gz.size()));
  ASSERT_GT(gz.size(), 40u);
  expect_rejected(write("b_beats.csv.gz", gz.substr(0, gz.size() / 2)), "damaged or truncated gzip");
  std::string corrupt = gz;
  corrupt[gz.size() - 6] = static_cast<char>(corrupt[gz.size() - 6] ^ 0x55);  // CRC-32 of the trailer
  expect_rejected(write("c_beats.csv.gz", corrupt), "damaged or truncated gzip");
  expect_rejected(dir_ / "missing_beats.csv", "does not exist", "unreadable");
  fs::create_directory(dir_ / "dir_beats.csv");
  expect_rejected(dir_ / "dir_beats.csv", "is a directory", "unreadable");
}

}  // namespace
}  // namespace ecgforest::io

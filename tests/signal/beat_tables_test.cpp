// Beat and RR tables: the RR table is compared byte for byte with a file the old workflow wrote.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ecgforest/signal/beat_tables.hpp"
#include "support/shared_data.hpp"

namespace sig = ecgforest::signal;
using ecgforest::StartDateTime;

namespace {

StartDateTime at(int y, int mo, int d, int h, int mi, int s, double sub = 0.0) {
  StartDateTime t;
  t.year = y;
  t.month = mo;
  t.day = d;
  t.hour = h;
  t.minute = mi;
  t.second = s;
  t.subsecond = sub;
  return t;
}

TEST(BeatTables, TimestampsRollOverSecondsDaysMonthsAndLeapYears) {
  EXPECT_EQ(sig::beat_timestamp(at(2013, 7, 9, 20, 5, 0), 145, 256.0), "2013-07-09 20:05:00.566406250");
  EXPECT_EQ(sig::beat_timestamp(at(2020, 12, 31, 23, 59, 59, 0.5), 256, 256.0), "2021-01-01 00:00:00.500000000");
  EXPECT_EQ(sig::beat_timestamp(at(2024, 2, 28, 23, 59, 59), 250, 250.0), "2024-02-29 00:00:00.000000000");
  EXPECT_EQ(sig::beat_timestamp(at(2023, 2, 28, 23, 59, 59), 250, 250.0), "2023-03-01 00:00:00.000000000");
  // One hour at 360 Hz, 1/3 s offsets round to the nanosecond.
  EXPECT_EQ(sig::beat_timestamp(at(1999, 1, 1, 0, 0, 0), 360 * 3600 + 120, 360.0), "1999-01-01 01:00:00.333333333");
}

TEST(BeatTables, BeatsCsvHasSampleAndSeconds) {
  EXPECT_EQ(sig::beats_csv_text({0, 125, 500}, 250.0), "sample,time_s\n0,0.000000\n125,0.500000\n500,2.000000\n");
  EXPECT_EQ(sig::beats_csv_text({}, 250.0), "sample,time_s\n");
}

TEST(BeatTables, RrRowsUseTheNextBeatAndSkipBadStretches) {
  const std::vector<std::int64_t> peaks{100, 350, 600, 1000, 1250};
  // [700, 800) lies between beats 600 and 1000: that RR row is left out.
  const std::vector<sig::BadSegment> bad{{700, 800, "flat"}};
  const std::string t = sig::rr_csv_text(peaks, 250.0, at(2001, 5, 6, 7, 8, 9), bad);
  EXPECT_EQ(t,
            "timestamp,frame,rr_interval\n"
            "2001-05-06 07:08:09.400000000,100,1000.0\n"
            "2001-05-06 07:08:10.400000000,350,1000.0\n"
            "2001-05-06 07:08:13.000000000,1000,1000.0\n");
}

TEST(BeatTables, RrCsvMatchesTheOldWorkflowFile) {
  const std::string path = std::string(ECGFOREST_SHARED_DIR) + "/data/tuh/aura_rr_00007633_s003_t007.csv";
  ECGFOREST_REQUIRE_SHARED(std::filesystem::exists(path), path);
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string want = ss.str();
  // Beats from the frame column, plus the final beat the last RR points to (256 Hz recording
  // starting 2013-07-09 20:05:00, TUH 00007633_s003_t007).
  std::vector<std::int64_t> peaks;
  std::istringstream lines(want);
  std::string line;
  std::getline(lines, line);
  double last_rr = 0;
  while (std::getline(lines, line)) {
    const auto c1 = line.find(','), c2 = line.rfind(',');
    peaks.push_back(std::stoll(line.substr(c1 + 1, c2 - c1 - 1)));
    last_rr = std::stod(line.substr(c2 + 1));
  }
  ASSERT_GT(peaks.size(), 100u);
  peaks.push_back(peaks.back() + std::llround(last_rr * 256.0 / 1000.0));
  EXPECT_EQ(sig::rr_csv_text(peaks, 256.0, at(2013, 7, 9, 20, 5, 0), {}), want);
}

}  // namespace

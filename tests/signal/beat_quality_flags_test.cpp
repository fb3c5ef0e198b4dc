// Low-quality marks of the beat tables (`ecgforest beats`, extract --rr-csv): which beats lie in
// windows below the quality gate, and the extra low_quality column. Expected text by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "ecgforest/signal/beat_tables.hpp"

namespace sig = ecgforest::signal;

namespace {

TEST(BeatQualityFlags, EachBeatTakesTheWindowThatDecidesItsTime) {
  // 100 Hz; beats at 0.5, 1.5, 2.5, 10.5, 11.5 s; windows end at 1, 2, 3, 4 s with sqi 0.9, 0.2,
  // 0.9, NaN. Beat 0.5 s -> window ending 1 (0.9, kept); 1.5 -> 2 (0.2, low); 2.5 -> 3 (kept);
  // 10.5 and 11.5 lie after the last window -> the last one (NaN, low).
  const std::vector<std::int64_t> peaks = {50, 150, 250, 1050, 1150};
  const std::vector<double> ends = {1, 2, 3, 4};
  const std::vector<float> sqi = {0.9f, 0.2f, 0.9f, std::nanf("")};
  EXPECT_EQ(sig::low_quality_beats(peaks, 100.0, ends, sqi, 0.5), (std::vector<std::uint8_t>{0, 1, 0, 1, 1}));
  EXPECT_TRUE(sig::low_quality_beats(peaks, 100.0, ends, sqi, 0.0).empty());  // marking off
  EXPECT_TRUE(sig::low_quality_beats(peaks, 100.0, {}, {}, 0.5).empty());     // no windows
}

TEST(BeatQualityFlags, BeatsAndRrTablesGetALowQualityColumn) {
  EXPECT_EQ(sig::beats_csv_text({50, 150}, 100.0, {0, 1}), "sample,time_s,low_quality\n50,0.500000,0\n150,1.500000,1\n");
  ecgforest::StartDateTime t;
  t.year = 2020;
  t.month = 1;
  t.day = 2;
  t.hour = 3;
  // Beats 0, 100, 200 at 100 Hz, only the last one low: the interval 0->1 is clean, 1->2 is not.
  EXPECT_EQ(sig::rr_csv_text({0, 100, 200}, 100.0, t, {}, {0, 0, 1}),
            "timestamp,frame,rr_interval,low_quality\n"
            "2020-01-02 03:00:00.000000000,0,1000.0,0\n"
            "2020-01-02 03:00:01.000000000,100,1000.0,1\n");
  // Without flags the old three columns, unchanged.
  EXPECT_EQ(sig::rr_csv_text({0, 100}, 100.0, t, {}), "timestamp,frame,rr_interval\n2020-01-02 03:00:00.000000000,0,1000.0\n");
}

}  // namespace

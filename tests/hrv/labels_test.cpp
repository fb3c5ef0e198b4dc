// Tests of the window seizure fraction (union of seizure events over [max(0, end - w), end]).
#include "ecgforest/hrv/labels.hpp"
#include "ecgforest/io/annotations.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>
#include <utility>

#include "ecgforest/core/error.hpp"
#include "ecgforest/io/annotations.hpp"

using ecgforest::hrv::seizure_fraction;
using ecgforest::AnnotationEvent;

namespace {

AnnotationEvent ev(double start, double stop, const char* label) {
  AnnotationEvent e;
  e.start_s = start;
  e.stop_s = stop;
  e.label = label;
  return e;
}

/// Independent reference: clip every seizure event to the window, sort, merge, sum.
double brute_fraction(const std::vector<AnnotationEvent>& events, double end, double window_s) {
  const double lo = std::max(0.0, end - window_s);
  if (end <= lo) return std::nan("");
  std::vector<std::pair<double, double>> clipped;
  for (const auto& e : events) {
    if (!ecgforest::is_seizure_label(e.label)) continue;
    const double a = std::max(e.start_s, lo);
    const double b = std::min(e.stop_s, end);
    if (b > a) clipped.emplace_back(a, b);
  }
  std::sort(clipped.begin(), clipped.end());
  double total = 0.0;
  double cur_a = 0.0;
  double cur_b = -1.0;
  for (const auto& [a, b] : clipped) {
    if (a > cur_b) {
      if (cur_b > cur_a) total += cur_b - cur_a;
      cur_a = a;
      cur_b = b;
    } else {
      cur_b = std::max(cur_b, b);
    }
  }
  if (cur_b > cur_a) total += cur_b - cur_a;
  return total / (end - lo);
}

}  // namespace

TEST(SeizureFraction, PartialOverlapsByHand) {
  const std::vector<AnnotationEvent> events{ev(10.0, 20.0, "seiz")};
  // window_s = 10: [0,5] -> 0; [2,12] -> 2/10; [5,15] -> 5/10; [8,18] -> 8/10;
  // [15,25] -> 5/10; [20,30] -> 0 (touching at 20 only).
  const auto f = seizure_fraction(events, {5.0, 12.0, 15.0, 18.0, 25.0, 30.0}, 10.0);
  ASSERT_EQ(f.size(), 6U);
  EXPECT_FLOAT_EQ(f[0], 0.0F);
  EXPECT_FLOAT_EQ(f[1], 0.2F);
  EXPECT_FLOAT_EQ(f[2], 0.5F);
  EXPECT_FLOAT_EQ(f[3], 0.8F);
  EXPECT_FLOAT_EQ(f[4], 0.5F);
  EXPECT_FLOAT_EQ(f[5], 0.0F);
}

TEST(SeizureFraction, OverlappingEventsCountedOnce) {
  // Union of [10,20], [15,25], [18,19] is [10,25]: 15 s of the window [0,30].
  const std::vector<AnnotationEvent> events{ev(15.0, 25.0, "fnsz"), ev(10.0, 20.0, "seiz"),
                                            ev(18.0, 19.0, "gnsz")};
  const auto f = seizure_fraction(events, {30.0, 22.0}, 30.0);
  EXPECT_FLOAT_EQ(f[0], 0.5F);
  // [0,22]: covered [10,22] = 12 s.
  EXPECT_FLOAT_EQ(f[1], static_cast<float>(12.0 / 22.0));
}

TEST(SeizureFraction, SeveralDisjointEventsInOneWindow) {
  // Window [2,16]: [2,3] 1 s + [5,7] 2 s + [10,11] 1 s + [14,16] 2 s = 6 s of 14 s.
  const std::vector<AnnotationEvent> events{ev(2.0, 3.0, "seiz"), ev(5.0, 7.0, "seiz"),
                                            ev(10.0, 11.0, "seiz"), ev(14.0, 20.0, "seiz"),
                                            ev(0.5, 1.5, "seiz")};
  const auto f = seizure_fraction(events, {16.0}, 14.0);
  EXPECT_FLOAT_EQ(f[0], static_cast<float>(6.0 / 14.0));
  // Window [1,16]: adds 0.5 s of [0.5,1.5] -> 6.5 of 15.
  EXPECT_FLOAT_EQ(seizure_fraction(events, {16.0}, 15.0)[0], static_cast<float>(6.5 / 15.0));
}

TEST(SeizureFraction, WindowClippedAtZeroAndEmptyWindowsAreNan) {
  const std::vector<AnnotationEvent> events{ev(0.0, 3.0, "seiz")};
  // end 4, window 10 -> [0,4]: 3/4 (not 3/10).
  const auto f = seizure_fraction(events, {4.0, 2.0, 0.0, -1.0}, 10.0);
  EXPECT_FLOAT_EQ(f[0], 0.75F);
  EXPECT_FLOAT_EQ(f[1], 1.0F);
  EXPECT_TRUE(std::isnan(f[2]));
  EXPECT_TRUE(std::isnan(f[3]));
}

TEST(SeizureFraction, WindowInsideSeizureIsExactlyOne) {
  const std::vector<AnnotationEvent> events{ev(100.0, 500.0, "seiz"), ev(600.0, 700.0, "seiz")};
  const auto f = seizure_fraction(events, {200.0, 300.7, 500.0, 160.0}, 60.0);
  EXPECT_EQ(f[0], 1.0F);
  EXPECT_EQ(f[1], 1.0F);
  EXPECT_EQ(f[2], 1.0F);
  EXPECT_EQ(f[3], 1.0F);
}

TEST(SeizureFraction, TouchingEventsMerge) {
  const std::vector<AnnotationEvent> events{ev(20.0, 30.0, "seiz"), ev(10.0, 20.0, "cpsz")};
  EXPECT_EQ(seizure_fraction(events, {30.0}, 20.0)[0], 1.0F);
}

TEST(SeizureFraction, BackgroundAndOtherLabelsIgnored) {
  const std::vector<AnnotationEvent> events{ev(0.0, 100.0, "bckg"), ev(40.0, 50.0, "seiz"),
                                            ev(60.0, 80.0, "artf")};
  EXPECT_FLOAT_EQ(seizure_fraction(events, {100.0}, 100.0)[0], 0.1F);
  const std::vector<AnnotationEvent> none{ev(0.0, 100.0, "bckg")};
  EXPECT_EQ(seizure_fraction(none, {50.0}, 10.0)[0], 0.0F);
  EXPECT_EQ(seizure_fraction({}, {50.0}, 10.0)[0], 0.0F);
}

TEST(SeizureFraction, NonPositiveWindowIsParameterError) {
  EXPECT_THROW((void)seizure_fraction({}, {1.0}, 0.0), ecgforest::ParameterError);
  EXPECT_THROW((void)seizure_fraction({}, {1.0}, -5.0), ecgforest::ParameterError);
  EXPECT_THROW((void)seizure_fraction({}, {1.0}, std::nan("")), ecgforest::ParameterError);
}

TEST(SeizureFraction, PerChannelCsvFixtureUsesUnion) {
  const auto file = std::filesystem::path(ECGFOREST_SOURCE_DIR) / "tests" / "fixtures" /
                    "annotations" / "tusz.csv";
  const auto a = ecgforest::io::read_annotations(file);
  // cpsz on FP1-F7 [40,70] and F7-T3 [35.5,65.25]: union [35.5,70] = 34.5 s.
  // Window [30,90]: 34.5/60 = 0.575. Window [60,120]: [60,70] = 10/60.
  const auto f = seizure_fraction(a.events, {90.0, 120.0}, 60.0);
  EXPECT_FLOAT_EQ(f[0], 0.575F);
  EXPECT_FLOAT_EQ(f[1], static_cast<float>(10.0 / 60.0));
}

TEST(SeizureFraction, MatchesBruteForceOnRandomEvents) {
  std::mt19937_64 rng(12345);
  std::uniform_real_distribution<double> pos(0.0, 3600.0);
  std::uniform_real_distribution<double> len(0.5, 120.0);
  std::uniform_int_distribution<int> kind(0, 2);
  for (int rep = 0; rep < 20; ++rep) {
    std::vector<AnnotationEvent> events;
    for (int k = 0; k < 100; ++k) {
      const double s = pos(rng);
      events.push_back(
          ev(s, s + len(rng), kind(rng) == 0 ? "bckg" : (kind(rng) == 1 ? "seiz" : "tcsz")));
    }
    std::vector<double> ends;
    for (int w = 0; w < 300; ++w) ends.push_back(pos(rng) * 1.05 - 30.0);
    const double window_s = 10.0 + 10.0 * rep;
    const auto f = seizure_fraction(events, ends, window_s);
    for (std::size_t w = 0; w < ends.size(); ++w) {
      const double ref = brute_fraction(events, ends[w], window_s);
      if (std::isnan(ref)) {
        EXPECT_TRUE(std::isnan(f[w])) << ends[w];
      } else {
        EXPECT_NEAR(f[w], ref, 1e-6) << "rep " << rep << " end " << ends[w];
      }
    }
  }
}

TEST(SeizureFraction, HundredThousandWindowsAreFast) {
  std::vector<AnnotationEvent> events;
  for (int k = 0; k < 100; ++k) events.push_back(ev(k * 900.0, k * 900.0 + 60.0, "seiz"));
  std::vector<double> ends(100000);
  for (std::size_t w = 0; w < ends.size(); ++w) ends[w] = static_cast<double>(w) * 0.9;
  const auto t0 = std::chrono::steady_clock::now();
  const auto f = seizure_fraction(events, ends, 300.0);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(f.size(), ends.size());
  EXPECT_EQ(f[1950], 0.0F);        // end 1755: window [1455,1755] between [900,960] and [1800,1860]
  EXPECT_FLOAT_EQ(f[1100], 0.2F);  // end 990: window [690,990] holds [900,960] -> 60/300
  RecordProperty("seizure_fraction_1e5_windows_ms", std::to_string(ms));
  EXPECT_LT(ms, 1000.0) << "100000 windows took " << ms << " ms";
}

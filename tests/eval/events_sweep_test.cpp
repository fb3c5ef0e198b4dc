// score_ovlp and score_taes use sorted sweeps (they were quadratic in the events of a file).
// OVLP against a brute-force count written here from the definition (any overlap, touching is
// not overlap), on random event sets with touching ends, nested and duplicate events.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "ecgforest/eval/events.hpp"

namespace ecgforest::eval {
namespace {

std::vector<Event> random_events(std::mt19937_64& rng, int n) {
  std::uniform_int_distribution<int> start(0, 200), len(1, 15);
  std::vector<Event> ev;
  for (int i = 0; i < n; ++i) {
    const double s = start(rng);  // whole seconds: many events touch or coincide
    ev.push_back({s, s + len(rng), 1.0});
  }
  return ev;
}

TEST(EventsSweep, OvlpMatchesTheDefinitionOnRandomEvents) {
  std::mt19937_64 rng(17);
  for (int trial = 0; trial < 300; ++trial) {
    const auto ref = random_events(rng, trial % 13);
    const auto hyp = random_events(rng, (trial * 7) % 11);
    std::size_t hits = 0, fa = 0;
    for (const auto& r : ref) {
      bool any = false;
      for (const auto& h : hyp) any = any || (r.start_s < h.stop_s && h.start_s < r.stop_s);
      hits += any ? 1 : 0;
    }
    for (const auto& h : hyp) {
      bool any = false;
      for (const auto& r : ref) any = any || (r.start_s < h.stop_s && h.start_s < r.stop_s);
      fa += any ? 0 : 1;
    }
    const auto c = score_ovlp(ref, hyp);
    ASSERT_EQ(c.hits, hits) << "trial " << trial;
    ASSERT_EQ(c.misses, ref.size() - hits) << "trial " << trial;
    ASSERT_EQ(c.false_alarms, fa) << "trial " << trial;
  }
}

// Touching events do not overlap: [0, 10) and [10, 20) give a miss and a false alarm.
TEST(EventsSweep, TouchingEventsAreNotAHit) {
  const auto c = score_ovlp({{0.0, 10.0, 1.0}}, {{10.0, 20.0, 1.0}});
  EXPECT_EQ(c.hits, 0u);
  EXPECT_EQ(c.misses, 1u);
  EXPECT_EQ(c.false_alarms, 1u);
  const auto t = score_taes({{0.0, 10.0, 1.0}}, {{10.0, 20.0, 1.0}});
  EXPECT_EQ(t.hits, 0.0);
  EXPECT_EQ(t.misses, 1.0);
  EXPECT_EQ(t.false_alarms, 1.0);
}

// TAES on many disjoint events: reference [20k, 20k + 10), hypothesis [20k + 5, 20k + 15) for
// k < n: each pair overlaps half of the reference, no hypothesis touches the next reference.
// NEDC's fractional hit is the overlap over the reference duration (0.5 each), the false alarm
// the hypothesis part outside it over the reference duration (0.5 each).
TEST(EventsSweep, TaesOnTwentyThousandDisjointPairs) {
  const int n = 20000;
  std::vector<Event> ref, hyp;
  for (int k = 0; k < n; ++k) {
    ref.push_back({20.0 * k, 20.0 * k + 10, 1.0});
    hyp.push_back({20.0 * k + 5, 20.0 * k + 15, 1.0});
  }
  const auto t = score_taes(ref, hyp);
  EXPECT_DOUBLE_EQ(t.hits, 0.5 * n);
  EXPECT_DOUBLE_EQ(t.misses, 0.5 * n);
  EXPECT_DOUBLE_EQ(t.false_alarms, 0.5 * n);
  const auto o = score_ovlp(ref, hyp);
  EXPECT_EQ(o.hits, static_cast<std::size_t>(n));
  EXPECT_EQ(o.false_alarms, 0u);
}

}  // namespace
}  // namespace ecgforest::eval

// score_ovlp and score_taes use sorted sweeps (they were quadratic in the events of a file).
// OVLP against a brute-force count written here from the definition (any overlap, touching is
// not overlap), on random event sets with touching ends, nested and duplicate events.
#include <gtest/gtest.h>

#include <cmath>
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

// NEDC v6.0.0's TAES as full quadratic scans (nedc_eeg_eval_taes.py: calc_hf for a pair, a
// reference scored when any hypothesis overlaps it exactly, partners chosen by the mode's test),
// written here from that description to check score_taes's early exits against.
void nedc_pair(const Event& r, const Event& h, double& hit, double& fa) {
  const double dur = r.stop_s - r.start_s;
  hit = fa = 0;
  if (h.start_s <= r.start_s && h.stop_s <= r.stop_s) {
    hit = (h.stop_s - r.start_s) / dur;
    fa = std::min(1.0, (r.start_s - h.start_s) / dur);
  } else if (h.start_s >= r.start_s && h.stop_s >= r.stop_s) {
    hit = (r.stop_s - h.start_s) / dur;
    fa = std::min(1.0, (h.stop_s - r.stop_s) / dur);
  } else if (h.start_s < r.start_s && h.stop_s > r.stop_s) {
    hit = 1.0;
    fa = std::min(1.0, ((h.stop_s - r.stop_s) + (r.start_s - h.start_s)) / dur);
  } else {
    hit = (h.stop_s - h.start_s) / dur;
  }
}

TaesCounts quadratic_taes(const std::vector<Event>& ref_in, const std::vector<Event>& hyp_in, TaesOverlap mode) {
  const auto ref = merge_overlapping(ref_in), hyp = merge_overlapping(hyp_in);
  const auto exact = [](const Event& a, const Event& b) { return a.start_s < b.stop_s && b.start_s < a.stop_s; };
  const auto touch = [&](const Event& a, const Event& b) {
    if (mode == TaesOverlap::exact) return exact(a, b);
    return std::max(std::trunc(a.start_s), std::trunc(b.start_s)) <= std::min(std::trunc(a.stop_s), std::trunc(b.stop_s));
  };
  TaesCounts c;
  std::vector<bool> rfree(ref.size(), true), hfree(hyp.size(), true);
  for (std::size_t i = 0; i < ref.size(); ++i) {
    bool any = false;
    for (const auto& h : hyp) any = any || exact(ref[i], h);
    if (!rfree[i] || !any) continue;
    for (std::size_t j = 0; j < hyp.size(); ++j) {
      if (!hfree[j] || !touch(ref[i], hyp[j])) continue;
      double hit = 0, fa = 0;
      nedc_pair(ref[i], hyp[j], hit, fa);
      double miss = 1.0 - hit;
      rfree[i] = hfree[j] = false;
      if (hyp[j].stop_s >= ref[i].stop_s) {
        for (std::size_t k = i + 1; k < ref.size(); ++k) {
          if (touch(ref[k], hyp[j])) rfree[k] = false, miss += 1.0;
        }
      } else {
        for (std::size_t k = j + 1; k < hyp.size(); ++k) {
          if (!touch(ref[i], hyp[k])) continue;
          hfree[k] = false;
          double h2 = 0, f2 = 0;
          nedc_pair(ref[i], hyp[k], h2, f2);
          hit += h2, miss -= h2, fa += f2;
        }
      }
      c.hits += hit, c.misses += miss, c.false_alarms += fa;
    }
  }
  for (bool f : rfree) c.misses += f ? 1.0 : 0.0;
  for (bool f : hfree) c.false_alarms += f ? 1.0 : 0.0;
  return c;
}

// Fractional times (quarter seconds) so that the whole-second test differs from the exact one.
std::vector<Event> random_fractional_events(std::mt19937_64& rng, int n) {
  std::uniform_int_distribution<int> start(0, 400), len(1, 30);
  std::vector<Event> ev;
  for (int i = 0; i < n; ++i) {
    const double s = 0.25 * start(rng);
    ev.push_back({s, s + 0.25 * len(rng), 1.0});
  }
  return ev;
}

TEST(EventsSweep, TaesMatchesFullScansInBothOverlapModes) {
  std::mt19937_64 rng(23);
  for (const auto mode : {TaesOverlap::whole_seconds, TaesOverlap::exact}) {
    for (int trial = 0; trial < 400; ++trial) {
      const auto ref = random_fractional_events(rng, trial % 17);
      const auto hyp = random_fractional_events(rng, (trial * 5) % 19);
      const auto want = quadratic_taes(ref, hyp, mode);
      const auto got = score_taes(ref, hyp, mode);
      ASSERT_DOUBLE_EQ(got.hits, want.hits) << "trial " << trial;
      ASSERT_DOUBLE_EQ(got.misses, want.misses) << "trial " << trial;
      ASSERT_DOUBLE_EQ(got.false_alarms, want.false_alarms) << "trial " << trial;
    }
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

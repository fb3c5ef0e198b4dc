// Progress lines: text, ETA, the 10 s rate limit of batch logs, the live (terminal) line, finish.
// The clock is injected, so the tests are exact and instant.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ecgforest/core/progress.hpp"

namespace ecgforest {
namespace {

struct Fixture {
  double now = 0;
  std::vector<std::string> out;
  Progress make(bool live, std::uint64_t total = 100) {
    ProgressStyle style;
    style.live = live;
    return Progress("train: fold 1/3", "trees", total, [this](const std::string& s) { out.push_back(s); }, style,
                    [this] { return now; }, 0.0);
  }
};

TEST(Progress, BatchLogPrintsOneLinePerIntervalAndTheLastOne) {
  Fixture fx;
  auto p = fx.make(false);
  fx.now = 5;
  p.update(10);
  EXPECT_TRUE(fx.out.empty()) << "a line before 10 s";
  fx.now = 10;
  p.update(20);
  fx.now = 15;
  p.update(30);
  fx.now = 21;
  p.update(70);
  fx.now = 30;
  p.finish();
  p.finish();      // printed once
  p.update(100);   // nothing after the end
  const std::vector<std::string> want = {
      "train: fold 1/3: 20/100 trees, elapsed 10 s, ETA 40 s\n",   // 10 s / 20 trees x 80 left
      "train: fold 1/3: 70/100 trees, elapsed 21 s, ETA 9 s\n",    // 21 / 70 x 30 = 9
      "train: fold 1/3: 100/100 trees, elapsed 30 s, ETA 0 s\n"};
  EXPECT_EQ(fx.out, want);
}

TEST(Progress, LiveLineIsRedrawnAtMostEveryFifthOfASecondAndPaddedWhenShorter) {
  Fixture fx;
  auto p = fx.make(true);
  fx.now = 0.1;
  p.update(1);
  EXPECT_TRUE(fx.out.empty());
  fx.now = 1;
  p.update(1);  // ETA 99 s
  fx.now = 1.1;
  p.update(2);  // too soon
  fx.now = 10;
  p.update(50);  // longer than the previous line: no padding
  fx.now = 12;
  p.finish();
  ASSERT_EQ(fx.out.size(), 3u);
  EXPECT_EQ(fx.out[0], "\rtrain: fold 1/3: 1/100 trees, elapsed 1 s, ETA 99 s");
  EXPECT_EQ(fx.out[1], "\rtrain: fold 1/3: 50/100 trees, elapsed 10 s, ETA 10 s");
  EXPECT_EQ(fx.out[2], "\rtrain: fold 1/3: 100/100 trees, elapsed 12 s, ETA 0 s\n");
  fx.out.clear();
  auto q = fx.make(true, 1000);
  fx.now = 13;
  q.update(1);  // elapsed 13 s, ETA 12987 s
  fx.now = 20;
  q.update(999);  // "999" is 2 characters longer, "ETA 0" 4 shorter: 2 spaces of padding
  ASSERT_EQ(fx.out.size(), 2u);
  EXPECT_EQ(fx.out[0], "\rtrain: fold 1/3: 1/1000 trees, elapsed 13 s, ETA 12987 s");
  EXPECT_EQ(fx.out[1], "\rtrain: fold 1/3: 999/1000 trees, elapsed 20 s, ETA 0 s  ");
}

TEST(Progress, ExtraTextUnknownEtaAndClamping) {
  Fixture fx;
  auto p = fx.make(false, 4);
  p.set_extra([](double ecg_s, double t) {
    return ", " + std::to_string(static_cast<int>(ecg_s / 3600)) + " ECG h in " + std::to_string(static_cast<int>(t)) + " s";
  });
  EXPECT_EQ(p.text(0, 0, 3), "train: fold 1/3: 0/4 trees, 0 ECG h in 3 s, elapsed 3 s, ETA ? s");
  EXPECT_EQ(p.text(9, 7200, 8), "train: fold 1/3: 4/4 trees, 2 ECG h in 8 s, elapsed 8 s, ETA 0 s");
  EXPECT_EQ(p.text(1, 0, 8), "train: fold 1/3: 1/4 trees, 0 ECG h in 8 s, elapsed 8 s, ETA 24 s");
}

TEST(Progress, EtaFromTheRateAfterTheBaseline) {
  Fixture fx;
  auto p = fx.make(false);
  p.set_baseline(60);  // 60 trees restored before the clock started
  EXPECT_EQ(p.text(60, 0, 5), "train: fold 1/3: 60/100 trees, elapsed 5 s, ETA ? s");
  EXPECT_EQ(p.text(70, 0, 5), "train: fold 1/3: 70/100 trees, elapsed 5 s, ETA 15 s");  // 10 in 5 s, 30 left
  EXPECT_EQ(p.text(100, 0, 9), "train: fold 1/3: 100/100 trees, elapsed 9 s, ETA 0 s");
}

TEST(Progress, DisabledReporterPrintsNothing) {
  Progress p;
  EXPECT_FALSE(p.enabled());
  p.update(3);
  p.finish();
  auto q = Progress::to_stderr(false, "predict", "windows", 10);
  EXPECT_FALSE(q.enabled());
}

}  // namespace
}  // namespace ecgforest

// Paired, patient-clustered AUC difference (eval/auc_compare.hpp). Expected values worked out by
// hand from the definitions (DeLong placements, Obuchowski's clustered variance).
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "ecgforest/eval/auc_compare.hpp"

namespace ecgforest::eval {
namespace {

// Three patients, one positive and one negative each; a tie (0.7 / 0.7) in score a.
//   patient 0: positive a 0.9 b 0.6; negative a 0.2 b 0.7
//   patient 1: positive a 0.7 b 0.8; negative a 0.7 b 0.1
//   patient 2: negative a 0.1 b 0.3; positive a 0.4 b 0.2
// AUC(a) = (3 + 2.5 + 2) / 9, AUC(b) = (2 + 3 + 1) / 9, difference 1/6.
// Placement differences: positives 1/3, -1/6, 1/3; negatives 2/3, -1/2, 1/3.
// Per patient z_k = (d_pos - 1/6)/3 + (d_neg - 1/6)/3 = 2/9, -1/3, 1/9;
// var = 3/2 * (4 + 9 + 1)/81 = 7/27. Per row (6 clusters): z = 1/18, -1/9, 1/18 (positives),
// 1/6, -2/9, 1/18 (negatives); var = 6/5 * 32/324.
const std::vector<float> kA{0.9f, 0.2f, 0.7f, 0.7f, 0.1f, 0.4f};
const std::vector<float> kB{0.6f, 0.7f, 0.8f, 0.1f, 0.3f, 0.2f};
const std::vector<std::uint8_t> kTruth{1, 0, 1, 0, 0, 1};

TEST(PairedAucDifference, ClusteredByPatient) {
  const auto d = paired_auc_difference(kA, kB, kTruth, {0, 0, 1, 1, 2, 2});
  EXPECT_NEAR(d.difference, 1.0 / 6.0, 1e-12);
  EXPECT_NEAR(d.std_error, std::sqrt(7.0 / 27.0), 1e-12);
  EXPECT_EQ(d.clusters, 3u);
}

TEST(PairedAucDifference, OneRowPerClusterIsDeLongUnclustered) {
  const auto d = paired_auc_difference(kA, kB, kTruth, {10, 11, 12, 13, 14, 15});
  EXPECT_NEAR(d.difference, 1.0 / 6.0, 1e-12);
  EXPECT_NEAR(d.std_error, std::sqrt(6.0 / 5.0 * 32.0 / 324.0), 1e-12);
  EXPECT_EQ(d.clusters, 6u);
}

TEST(PairedAucDifference, ReversedOrderNegatesTheDifference) {
  const auto d = paired_auc_difference(kB, kA, kTruth, {0, 0, 1, 1, 2, 2});
  EXPECT_NEAR(d.difference, -1.0 / 6.0, 1e-12);
  EXPECT_NEAR(d.std_error, std::sqrt(7.0 / 27.0), 1e-12);
}

TEST(PairedAucDifference, IdenticalScoresDifferByZeroWithZeroError) {
  const auto d = paired_auc_difference(kA, kA, kTruth, {0, 0, 1, 1, 2, 2});
  EXPECT_EQ(d.difference, 0.0);
  EXPECT_EQ(d.std_error, 0.0);
}

TEST(PairedAucDifference, UndefinedCases) {
  const auto one = paired_auc_difference(kA, kB, kTruth, {4, 4, 4, 4, 4, 4});  // one patient: no error
  EXPECT_NEAR(one.difference, 1.0 / 6.0, 1e-12);
  EXPECT_TRUE(std::isnan(one.std_error));
  EXPECT_EQ(one.clusters, 1u);
  const auto no_pos = paired_auc_difference({0.1f, 0.2f}, {0.3f, 0.4f}, {0, 0}, {0, 1});
  EXPECT_TRUE(std::isnan(no_pos.difference));
  EXPECT_TRUE(std::isnan(no_pos.std_error));
  EXPECT_THROW(paired_auc_difference(kA, kB, {1, 0}, {0, 1}), std::invalid_argument);
}

TEST(AucPlacements, TiesCountOneHalf) {
  // Positives 0.9, 0.7, 0.4 against negatives 0.2, 0.7, 0.1 (score a above).
  const auto p = auc_placements(kA, kTruth);
  const std::vector<double> want{1.0, 1.0, 2.5 / 3, 0.5, 1.0, 2.0 / 3};
  ASSERT_EQ(p.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(p[i], want[i], 1e-12) << i;
}

}  // namespace
}  // namespace ecgforest::eval

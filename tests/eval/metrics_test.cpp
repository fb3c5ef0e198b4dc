// Window-level metrics and grouped folds against hand-computed values.
#include "ecgforest/eval/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "ecgforest/core/error.hpp"

namespace ecgforest::eval {
namespace {

// Positives score {0.9, 0.8, 0.3}, negatives {0.6, 0.1, 0.5}.
const std::vector<float> kScore = {0.9f, 0.8f, 0.3f, 0.6f, 0.1f, 0.5f};
const std::vector<std::uint8_t> kTruth = {1, 1, 1, 0, 0, 0};

TEST(EvalMetrics, ConfusionAndRatesAtThreshold) {
  // Predicted positive when score >= 0.5: 0.9, 0.8, 0.6, 0.5.
  const BinaryMetrics m = binary_metrics(kScore, kTruth, 0.5);
  EXPECT_EQ(m.tp, 2u);
  EXPECT_EQ(m.fn, 1u);
  EXPECT_EQ(m.fp, 2u);
  EXPECT_EQ(m.tn, 1u);
  EXPECT_DOUBLE_EQ(m.sensitivity, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.specificity, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.precision, 0.5);
  // F1 = 2PR/(P+R) = 2 * 0.5 * 2/3 / (0.5 + 2/3) = 4/7.
  EXPECT_NEAR(m.f1, 4.0 / 7.0, 1e-12);
}

TEST(EvalMetrics, RocAucCountsPairs) {
  // 0.9 and 0.8 beat all three negatives, 0.3 beats only 0.1: 7 of 9 pairs.
  EXPECT_NEAR(roc_auc(kScore, kTruth), 7.0 / 9.0, 1e-12);
  EXPECT_NEAR(binary_metrics(kScore, kTruth).roc_auc, 7.0 / 9.0, 1e-12);
}

TEST(EvalMetrics, RocAucTiesCountHalf) {
  // Positives {0.5, 0.8}, negatives {0.5, 0.2}: pairs 0.5 (tie) + 1 + 1 + 1 = 3.5 of 4.
  EXPECT_NEAR(roc_auc({0.5f, 0.5f, 0.2f, 0.8f}, {1, 0, 0, 1}), 0.875, 1e-12);
  // All scores equal: AUC 0.5.
  EXPECT_NEAR(roc_auc({0.3f, 0.3f, 0.3f}, {1, 0, 0}), 0.5, 1e-12);
}

TEST(EvalMetrics, OneClassGivesNaN) {
  const BinaryMetrics m = binary_metrics({0.1f, 0.7f, 0.4f}, {0, 0, 0});
  EXPECT_TRUE(std::isnan(m.roc_auc));
  EXPECT_TRUE(std::isnan(m.pr_auc));
  EXPECT_TRUE(std::isnan(m.sensitivity));
  EXPECT_DOUBLE_EQ(m.specificity, 2.0 / 3.0);
  EXPECT_TRUE(std::isnan(roc_auc({0.1f, 0.7f}, {1, 1})));
}

TEST(EvalMetrics, AveragePrecisionByHand) {
  // Descending: 0.9(+) 0.8(+) 0.6(-) 0.5(-) 0.3(+) 0.1(-).
  // AP = 1/3 * 1 + 1/3 * 1 + 1/3 * 3/5 = 13/15.
  EXPECT_NEAR(binary_metrics(kScore, kTruth).pr_auc, 13.0 / 15.0, 1e-12);
  // Tied threshold 0.8 holds one positive and one negative: R=1/2, P=1/2; then 0.4: R=1, P=2/3.
  // AP = 0.5 * 0.5 + 0.5 * 2/3 = 7/12.
  EXPECT_NEAR(binary_metrics({0.8f, 0.8f, 0.4f}, {1, 0, 1}).pr_auc, 7.0 / 12.0, 1e-12);
}

TEST(EvalMetrics, RejectsBadInput) {
  EXPECT_THROW(binary_metrics({0.1f, 0.2f}, {1}), Error);
  EXPECT_THROW(roc_auc({0.1f, 0.2f}, {1, 2}), Error);
  EXPECT_THROW(roc_auc({0.1f, std::nanf("")}, {1, 0}), Error);
}

TEST(EvalGroupKFold, KeepsGroupsTogetherAndBalances) {
  // Sizes: A 5, B 3, C 3, D 1, E 2 (14 rows), interleaved.
  const std::vector<std::string> g = {"A", "B", "C", "A", "E", "B", "A", "C", "D",
                                      "A", "B", "C", "E", "A"};
  const std::vector<int> fold = group_kfold(g, 2, 7);
  ASSERT_EQ(fold.size(), g.size());
  std::map<std::string, int> fold_of;
  std::vector<int> rows_in(2, 0);
  for (std::size_t i = 0; i < g.size(); ++i) {
    ASSERT_GE(fold[i], 0);
    ASSERT_LT(fold[i], 2);
    auto [it, inserted] = fold_of.emplace(g[i], fold[i]);
    EXPECT_EQ(it->second, fold[i]) << "group " << g[i] << " split across folds";
    ++rows_in[static_cast<std::size_t>(fold[i])];
  }
  // Largest first to the emptier fold: A->5|0, B->5|3, C->5|6, E->7|6, D->7|7.
  EXPECT_EQ(rows_in[0], 7);
  EXPECT_EQ(rows_in[1], 7);
  EXPECT_EQ(group_kfold(g, 2, 7), fold);  // deterministic

  // k = number of groups: every group gets its own fold.
  const std::vector<int> f5 = group_kfold(g, 5, 3);
  std::set<int> used(f5.begin(), f5.end());
  EXPECT_EQ(used.size(), 5u);
}

TEST(EvalGroupKFold, RejectsBadK) {
  const std::vector<std::string> g = {"p1", "p2", "p1", "p3"};
  EXPECT_THROW(group_kfold(g, 4, 1), ParameterError);
  EXPECT_THROW(group_kfold(g, 1, 1), ParameterError);
  EXPECT_NO_THROW(group_kfold(g, 3, 1));
}

}  // namespace
}  // namespace ecgforest::eval

#pragma once
// Paired comparison of two ROC AUCs on the same rows, with a standard error that respects
// clusters of correlated rows (patients). Pure numeric code.
//
// DeLong's placement values (DeLong, DeLong & Clarke-Pearson 1988): a positive's placement is the
// fraction of negatives scored below it (ties count one half), a negative's the fraction of
// positives scored above it; the AUC is the mean placement of either class. The AUC difference of
// two scores is linear in the per-row differences of placements, so its variance is estimated from
// their per-cluster sums (Obuchowski 1997, "Nonparametric analysis of clustered ROC curve data"):
//   z_k = sum_{positives i in k} (d_i - delta) / M + sum_{negatives j in k} (d_j - delta) / N,
//   var(delta) = K / (K - 1) * sum_k z_k^2,
// with M positives, N negatives, K clusters. One row per cluster gives DeLong's unclustered variance.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ecgforest::eval {

struct AucDifference {
  double difference = 0;  ///< AUC(a) - AUC(b); NaN when a class is missing
  double std_error = 0;   ///< clustered standard error of `difference`; NaN with fewer than 2 clusters
  std::size_t clusters = 0;  ///< distinct clusters among the rows
};

/// AUC(a) - AUC(b) on the same rows (`truth` 0/1, `cluster` any id per row) and its clustered
/// standard error. Throws std::invalid_argument when the vectors differ in length.
AucDifference paired_auc_difference(const std::vector<float>& a, const std::vector<float>& b,
                                    const std::vector<std::uint8_t>& truth, const std::vector<std::uint32_t>& cluster);

/// DeLong placement value of every row of `score` (see above); NaN for all when a class is missing.
std::vector<double> auc_placements(const std::vector<float>& score, const std::vector<std::uint8_t>& truth);

}  // namespace ecgforest::eval

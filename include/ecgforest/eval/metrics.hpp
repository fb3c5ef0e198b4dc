#pragma once
// Window-level classification metrics and patient-grouped folds. Pure numeric code.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ecgforest::eval {

struct BinaryMetrics {
  std::size_t tp = 0, fp = 0, tn = 0, fn = 0;
  double sensitivity = 0, specificity = 0, precision = 0, f1 = 0;  // NaN when undefined
  double roc_auc = 0;  ///< NaN when only one class is present
  double pr_auc = 0;   ///< average precision; NaN when there is no positive
};

/// Metrics of `score` (higher = more likely positive) against 0/1 `truth` at `threshold`
/// (predict positive when score >= threshold). ROC AUC handles ties (Mann-Whitney).
BinaryMetrics binary_metrics(const std::vector<float>& score, const std::vector<std::uint8_t>& truth,
                             double threshold = 0.5);

/// ROC AUC alone (NaN when only one class is present).
double roc_auc(const std::vector<float>& score, const std::vector<std::uint8_t>& truth);

/// Assigns each distinct group (patient) to one of `k` folds, deterministically from `seed`,
/// balancing the number of rows per fold. Returns the fold (0..k-1) of every row.
/// Rows of one group always share a fold. Requires 2 <= k <= number of distinct groups
/// (throws ecgforest::ParameterError otherwise, naming both numbers).
std::vector<int> group_kfold(const std::vector<std::string>& group_of_row, int k, std::uint64_t seed);

/// The same with integer group ids (4 bytes per row instead of a string): gives the folds of the
/// string version when id order equals the sorted order of the names.
std::vector<int> group_kfold(const std::vector<std::uint32_t>& group_of_row, int k, std::uint64_t seed);

}  // namespace ecgforest::eval

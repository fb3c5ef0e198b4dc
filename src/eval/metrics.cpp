// Window-level binary classification metrics and patient-grouped fold assignment.
#include "ecgforest/eval/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/rng.hpp"
#include "ecgforest/eval/score_order.hpp"

namespace ecgforest::eval {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void check_inputs(const std::vector<float>& score, const std::vector<std::uint8_t>& truth) {
  if (score.size() != truth.size()) {
    throw Error("Metrics need one score per label, but there are " + std::to_string(score.size()) +
                " scores and " + std::to_string(truth.size()) + " labels.");
  }
  for (std::size_t i = 0; i < score.size(); ++i) {
    if (std::isnan(score[i])) {
      throw Error("Score " + std::to_string(i) + " is NaN; metrics need finite or infinite scores.");
    }
    if (truth[i] > 1) {
      throw Error("Label " + std::to_string(i) + " is " + std::to_string(int{truth[i]}) +
                  "; labels must be 0 or 1.");
    }
  }
}

double ratio(std::size_t num, std::size_t den) {
  return den == 0 ? kNaN : static_cast<double>(num) / static_cast<double>(den);
}

/// Indices sorted by descending score (ties keep index order).
std::vector<std::size_t> order_descending(const std::vector<float>& score) { return order_by_score(score, true); }

double roc_auc_unchecked(const std::vector<float>& score, const std::vector<std::uint8_t>& truth) {
  // Mann-Whitney U: rank scores ascending (average ranks for ties), sum the positives' ranks.
  std::vector<std::size_t> idx = order_descending(score);
  std::reverse(idx.begin(), idx.end());
  double pos_rank_sum = 0;
  std::size_t n_pos = 0;
  for (std::size_t i = 0; i < idx.size();) {
    std::size_t j = i;
    while (j < idx.size() && score[idx[j]] == score[idx[i]]) ++j;
    const double avg_rank = 0.5 * static_cast<double>(i + 1 + j);  // ranks i+1..j
    for (std::size_t t = i; t < j; ++t) {
      if (truth[idx[t]]) {
        pos_rank_sum += avg_rank;
        ++n_pos;
      }
    }
    i = j;
  }
  const std::size_t n_neg = score.size() - n_pos;
  if (n_pos == 0 || n_neg == 0) return kNaN;
  const double np = static_cast<double>(n_pos), nn = static_cast<double>(n_neg);
  return (pos_rank_sum - np * (np + 1) / 2) / (np * nn);
}

double average_precision(const std::vector<float>& score, const std::vector<std::uint8_t>& truth) {
  // sklearn's AP: sum over distinct thresholds (descending) of (R_k - R_{k-1}) * P_k.
  std::size_t n_pos = 0;
  for (std::uint8_t t : truth) n_pos += t;
  if (n_pos == 0) return kNaN;
  const std::vector<std::size_t> idx = order_descending(score);
  std::size_t tp = 0, fp = 0;
  double ap = 0, prev_recall = 0;
  for (std::size_t i = 0; i < idx.size();) {
    std::size_t j = i;
    while (j < idx.size() && score[idx[j]] == score[idx[i]]) {
      if (truth[idx[j]]) ++tp;
      else ++fp;
      ++j;
    }
    const double recall = static_cast<double>(tp) / static_cast<double>(n_pos);
    const double precision = static_cast<double>(tp) / static_cast<double>(tp + fp);
    ap += (recall - prev_recall) * precision;
    prev_recall = recall;
    i = j;
  }
  return ap;
}

}  // namespace

BinaryMetrics binary_metrics(const std::vector<float>& score, const std::vector<std::uint8_t>& truth,
                             double threshold) {
  check_inputs(score, truth);
  BinaryMetrics m;
  for (std::size_t i = 0; i < score.size(); ++i) {
    const bool pred = static_cast<double>(score[i]) >= threshold;
    if (truth[i]) {
      if (pred) ++m.tp;
      else ++m.fn;
    } else {
      if (pred) ++m.fp;
      else ++m.tn;
    }
  }
  m.sensitivity = ratio(m.tp, m.tp + m.fn);
  m.specificity = ratio(m.tn, m.tn + m.fp);
  m.precision = ratio(m.tp, m.tp + m.fp);
  m.f1 = ratio(2 * m.tp, 2 * m.tp + m.fp + m.fn);
  m.roc_auc = roc_auc_unchecked(score, truth);
  m.pr_auc = average_precision(score, truth);
  return m;
}

double roc_auc(const std::vector<float>& score, const std::vector<std::uint8_t>& truth) {
  check_inputs(score, truth);
  return roc_auc_unchecked(score, truth);
}

namespace {

/// Patient-grouped k-fold assignment over any ordered group key: distinct groups in sorted order
/// with their row counts, a deterministic Fisher-Yates shuffle, then largest first (stable: the
/// shuffle breaks ties) into the fold with the fewest rows so far.
template <class Key>
std::vector<int> group_kfold_by(const std::vector<Key>& group_of_row, int k, std::uint64_t seed) {
  std::map<Key, std::size_t> sizes;
  for (const Key& g : group_of_row) ++sizes[g];
  if (k < 2 || static_cast<std::size_t>(k) > sizes.size()) {
    throw ParameterError("Cannot split " + std::to_string(sizes.size()) + " distinct groups (patients) "
                      "into " + std::to_string(k) + " folds; use 2 <= k <= " +
                      std::to_string(sizes.size()) + " or add more patients.");
  }
  std::vector<std::pair<Key, std::size_t>> groups(sizes.begin(), sizes.end());
  Xoshiro256 rng(hash_seed(seed, 0x6b666f6c64ULL));
  for (std::size_t i = groups.size(); i > 1; --i) {
    const std::size_t j = rng.below(static_cast<std::uint32_t>(i));
    std::swap(groups[i - 1], groups[j]);
  }
  std::stable_sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::vector<std::size_t> fold_rows(static_cast<std::size_t>(k), 0);
  std::map<Key, int> fold_of_group;
  for (const auto& [key, rows] : groups) {
    const auto f = static_cast<std::size_t>(std::min_element(fold_rows.begin(), fold_rows.end()) - fold_rows.begin());
    fold_rows[f] += rows;
    fold_of_group[key] = static_cast<int>(f);
  }
  std::vector<int> fold(group_of_row.size());
  for (std::size_t i = 0; i < group_of_row.size(); ++i) fold[i] = fold_of_group[group_of_row[i]];
  return fold;
}

}  // namespace

std::vector<int> group_kfold(const std::vector<std::string>& group_of_row, int k, std::uint64_t seed) {
  return group_kfold_by(group_of_row, k, seed);
}

// The same assignment as the string version when the ids are the ranks of sorted names.
std::vector<int> group_kfold(const std::vector<std::uint32_t>& group_of_row, int k, std::uint64_t seed) {
  return group_kfold_by(group_of_row, k, seed);
}

}  // namespace ecgforest::eval

#include "ecgforest/eval/auc_compare.hpp"
#include "ecgforest/eval/score_order.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <stdexcept>

namespace ecgforest::eval {
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

std::vector<double> auc_placements(const std::vector<float>& score, const std::vector<std::uint8_t>& truth) {
  const std::size_t n = score.size();
  std::size_t n_pos = 0;
  for (std::uint8_t t : truth) n_pos += t ? 1 : 0;
  const std::size_t n_neg = n - n_pos;
  if (n_pos == 0 || n_neg == 0) return std::vector<double>(n, kNaN);
  const std::vector<std::size_t> idx = order_by_score(score, false);
  std::vector<double> place(n);
  std::size_t neg_below = 0, pos_below = 0;
  for (std::size_t i = 0; i < n;) {  // one group of tied scores at a time, ascending
    std::size_t j = i, pos = 0;
    while (j < n && score[idx[j]] == score[idx[i]]) pos += truth[idx[j++]] ? 1 : 0;
    const std::size_t neg = (j - i) - pos;
    const double v_pos = (static_cast<double>(neg_below) + 0.5 * static_cast<double>(neg)) / static_cast<double>(n_neg);
    const double v_neg = (static_cast<double>(n_pos - pos_below - pos) + 0.5 * static_cast<double>(pos)) /
                         static_cast<double>(n_pos);
    for (std::size_t t = i; t < j; ++t) place[idx[t]] = truth[idx[t]] ? v_pos : v_neg;
    neg_below += neg;
    pos_below += pos;
    i = j;
  }
  return place;
}

AucDifference paired_auc_difference(const std::vector<float>& a, const std::vector<float>& b,
                                    const std::vector<std::uint8_t>& truth, const std::vector<std::uint32_t>& cluster) {
  if (a.size() != truth.size() || b.size() != truth.size() || cluster.size() != truth.size()) {
    throw std::invalid_argument("paired_auc_difference: scores, labels and clusters differ in length");
  }
  const auto pa = auc_placements(a, truth), pb = auc_placements(b, truth);
  AucDifference r;
  std::map<std::uint32_t, std::size_t> slot;  // cluster id -> index, in id order (deterministic)
  for (std::uint32_t c : cluster) slot.emplace(c, 0);
  std::size_t k = 0;
  for (auto& [id, s] : slot) s = k++;
  r.clusters = k;
  std::size_t m = 0;
  double sum_pos = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    if (truth[i]) {
      ++m;
      sum_pos += pa[i] - pb[i];
    }
  }
  const std::size_t n = truth.size() - m;
  if (m == 0 || n == 0) return {kNaN, kNaN, k};
  r.difference = sum_pos / static_cast<double>(m);
  // Per-cluster sums of the centred placement differences, each class scaled by its size.
  std::vector<double> z(k, 0.0);
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const double scale = static_cast<double>(truth[i] ? m : n);
    z[slot[cluster[i]]] += (pa[i] - pb[i] - r.difference) / scale;
  }
  if (k < 2) {
    r.std_error = kNaN;
    return r;
  }
  double ss = 0;
  for (double v : z) ss += v * v;
  r.std_error = std::sqrt(static_cast<double>(k) / static_cast<double>(k - 1) * ss);
  return r;
}

}  // namespace ecgforest::eval

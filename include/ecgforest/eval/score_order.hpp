#pragma once
// Orders of rows by score for the rank-based metrics (ROC AUC, average precision, AUC placements).
#include <cstddef>
#include <vector>

namespace ecgforest::eval {

/// Indices sorted by ascending (or descending) score; tied scores keep index order, -0 ties +0.
/// The same order as std::stable_sort with score[a] < score[b] (> for descending); scores holding
/// NaN take that stable sort itself, anything else a radix sort of (score, index) keys.
std::vector<std::size_t> order_by_score(const std::vector<float>& score, bool descending);

}  // namespace ecgforest::eval

#pragma once
// Sorting of feature values for the bin edges (BinnedMatrix::compute_edges).
#include <vector>

namespace ecgforest::forest {

/// Sorts non-NaN values increasingly: the same bytes as std::sort (a radix sort unless both -0
/// and +0 occur, whose relative order std::sort leaves to its implementation; then std::sort).
void sort_values(std::vector<float>& v);

}  // namespace ecgforest::forest

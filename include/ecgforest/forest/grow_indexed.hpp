#pragma once
// Growing an arbitrary set of trees of a forest (the ones a checkpoint does not hold yet) with a
// report after each finished tree (progress lines, checkpoint writes). Pure numeric code.
#include <cstdint>
#include <functional>
#include <vector>

#include "ecgforest/forest/forest.hpp"

namespace ecgforest::forest {

/// Called after tree `indices[k]` is grown, on the OpenMP worker that grew it (calls may run
/// concurrently: the callee synchronises).
using TreeDoneFn = std::function<void(std::size_t k, const Tree& tree)>;

/// Grows the trees with the global indices `indices` (each seeded from (params.seed, index), as
/// grow_tree); OpenMP over trees, dynamic schedule. Returned in the order of `indices`; identical
/// to grow_trees for the same indices for any OMP_NUM_THREADS. Exceptions of a tree or of
/// `done` are rethrown after the loop.
std::vector<Tree> grow_trees_at(const BinnedMatrix& xb, const std::vector<std::uint8_t>& y,
                                const std::vector<std::uint32_t>& rows, const ForestParams& params,
                                const std::vector<std::uint64_t>& indices, const TreeDoneFn& done = {});

}  // namespace ecgforest::forest

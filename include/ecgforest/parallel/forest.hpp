#pragma once
// Tree-level parallelism: the trees of one forest are split across the ranks of a communicator
// (contiguous blocks of global tree indices); each rank grows its block with the serial forest
// code (OpenMP over trees inside). Because every tree is seeded from (seed, global index), the
// forest is identical for any rank and thread count.
#include <mpi.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "ecgforest/forest/forest.hpp"

namespace ecgforest::parallel {

struct LocalTrees {
  std::uint64_t first = 0;  ///< global index of trees[0]
  std::vector<forest::Tree> trees;
};

/// Global tree indices [first, last) owned by `rank` of `n_ranks` for `n_trees` trees (blocks
/// differ in size by at most one; ranks beyond n_trees own none).
std::pair<std::uint64_t, std::uint64_t> tree_block(std::uint64_t n_trees, int rank, int n_ranks);

/// Optional reports and inputs of grow_distributed (all called on this rank only, no collectives).
struct GrowHooks {
  /// A tree of this rank's block that is already grown (e.g. read from a checkpoint), or nullopt.
  std::function<std::optional<forest::Tree>(std::uint64_t index)> ready;
  /// After a tree was grown (global index), on the OpenMP worker that grew it; calls may be
  /// concurrent.
  std::function<void(std::uint64_t index, const forest::Tree& tree)> grown;
  /// After each tree of this rank: an estimate of the trees done over all ranks (this rank's
  /// fraction of its block x params.n_trees); calls may be concurrent.
  std::function<void(std::uint64_t trees_done_estimate)> progress;
};

/// COLLECTIVE: every rank grows its block of params.n_trees trees on `rows`.
LocalTrees grow_distributed(MPI_Comm comm, const forest::BinnedMatrix& xb, const std::vector<std::uint8_t>& y,
                            const std::vector<std::uint32_t>& rows, const forest::ForestParams& params,
                            const GrowHooks& hooks = {});

/// COLLECTIVE: mean prediction of all params.n_trees trees for `rows` of the row-major matrix
/// `x` (n_features columns, raw units), on every rank. Per-rank partial sums are added with
/// MPI_Allreduce in double.
std::vector<float> predict_distributed(MPI_Comm comm, const LocalTrees& local, std::uint64_t n_trees_total,
                                       const float* x, std::size_t n_features, const std::vector<std::uint32_t>& rows);

/// COLLECTIVE: mean prediction of all n_trees_total trees for `rows` of the binned matrix the
/// trees were grown on (Tree::predict_binned); votes are summed as fixed-point integers
/// (forest::vote), so the result is bitwise identical for any rank and thread count.
std::vector<float> predict_distributed_binned(MPI_Comm comm, const LocalTrees& local, const forest::BinnedMatrix& xb,
                                              const std::vector<std::uint32_t>& rows);

/// COLLECTIVE: out-of-bag vote accumulators (forest::vote format) of every position of `rows`,
/// summed over the trees of all ranks; identical on every rank.
/// `progress` (optional, as GrowHooks::progress): estimate of the trees done over all ranks.
std::vector<std::uint64_t> oob_distributed(MPI_Comm comm, const LocalTrees& local, const forest::BinnedMatrix& xb,
                                           const std::vector<std::uint8_t>& y, const std::vector<std::uint32_t>& rows,
                                           const forest::ForestParams& params,
                                           const std::function<void(std::uint64_t)>& progress = {});

/// COLLECTIVE: forest::accumulate_permutation over the trees of all ranks, summed; identical on
/// every rank. Throws CollectiveError when any rank fails.
std::vector<std::uint64_t> permutation_distributed(MPI_Comm comm, const LocalTrees& local,
                                                   const forest::BinnedMatrix& xb, const std::vector<std::uint8_t>& y,
                                                   const std::vector<std::uint32_t>& rows,
                                                   const forest::ForestParams& params,
                                                   const std::vector<std::uint32_t>& eval_pos,
                                                   const std::vector<std::vector<std::uint32_t>>& perm,
                                                   const std::function<void(std::uint64_t)>& progress = {});

/// COLLECTIVE: all trees, in global index order, on `root` (empty elsewhere).
/// Throws Error when the serialised trees exceed 2 GiB (one MPI message).
std::vector<forest::Tree> gather_trees(MPI_Comm comm, const LocalTrees& local, int root);
/// The same, freeing `local.trees` once serialised (lower peak memory on the root).
std::vector<forest::Tree> gather_trees(MPI_Comm comm, LocalTrees&& local, int root);

}  // namespace ecgforest::parallel

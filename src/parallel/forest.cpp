#include "ecgforest/parallel/forest.hpp"

#include <algorithm>
#include <atomic>
#include <limits>
#include <memory>
#include <utility>
#include <string>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/omp_exception.hpp"
#include "ecgforest/forest/grow_indexed.hpp"
#include "ecgforest/comm/mpi.hpp"
#include "ecgforest/forest/tree_bytes.hpp"

namespace ecgforest::parallel {

std::pair<std::uint64_t, std::uint64_t> tree_block(std::uint64_t n_trees, int rank, int n_ranks) {
  const auto p = static_cast<std::uint64_t>(n_ranks);
  const auto r = static_cast<std::uint64_t>(rank);
  const std::uint64_t base = n_trees / p, extra = n_trees % p;
  const std::uint64_t first = r * base + std::min(r, extra);
  const std::uint64_t count = base + (r < extra ? 1 : 0);
  return {first, first + count};
}

namespace {

/// This rank's trees [first, last): the ready ones taken, the others grown (OpenMP), each
/// reported to hooks.progress as a scaled estimate of the trees done over all ranks.
std::vector<forest::Tree> grow_block(const forest::BinnedMatrix& xb, const std::vector<std::uint8_t>& y,
                                     const std::vector<std::uint32_t>& rows, const forest::ForestParams& params,
                                     std::uint64_t first, std::uint64_t last, const GrowHooks& hooks) {
  std::vector<forest::Tree> trees(last - first);
  std::vector<std::uint64_t> todo;
  for (std::uint64_t i = first; i < last; ++i) {
    auto t = hooks.ready ? hooks.ready(i) : std::nullopt;
    if (t) trees[i - first] = std::move(*t); else todo.push_back(i);
  }
  std::atomic<std::uint64_t> done{last - first - todo.size()};
  const auto n_total = static_cast<std::uint64_t>(params.n_trees);
  auto report = [&](std::uint64_t d) {
    if (hooks.progress) hooks.progress(d * n_total / (last - first));
  };
  report(done);
  auto grown = forest::grow_trees_at(xb, y, rows, params, todo, [&](std::size_t k, const forest::Tree& t) {
    if (hooks.grown) hooks.grown(todo[k], t);
    report(++done);
  });
  for (std::size_t k = 0; k < todo.size(); ++k) trees[todo[k] - first] = std::move(grown[k]);
  return trees;
}

}  // namespace

LocalTrees grow_distributed(MPI_Comm comm, const forest::BinnedMatrix& xb, const std::vector<std::uint8_t>& y,
                            const std::vector<std::uint32_t>& rows, const forest::ForestParams& params,
                            const GrowHooks& hooks) {
  const auto [first, last] = tree_block(static_cast<std::uint64_t>(params.n_trees), comm::rank(comm), comm::size(comm));
  LocalTrees out;
  out.first = first;
  std::string err;
  comm::collective_try(comm, "Training failed: ", [&] {
    if (last > first) out.trees = grow_block(xb, y, rows, params, first, last, hooks);
  });
  return out;
}

std::vector<float> predict_distributed(MPI_Comm comm, const LocalTrees& local, std::uint64_t n_trees_total,
                                       const float* x, std::size_t n_features, const std::vector<std::uint32_t>& rows) {
  std::vector<double> sum(rows.size(), 0.0);
  const auto n = static_cast<std::int64_t>(rows.size());
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    const float* row = x + static_cast<std::size_t>(rows[static_cast<std::size_t>(i)]) * n_features;
    double s = 0;
    for (const auto& t : local.trees) s += static_cast<double>(t.predict(row));
    sum[static_cast<std::size_t>(i)] = s;
  }
  comm::check_mpi(MPI_Allreduce(MPI_IN_PLACE, sum.data(), static_cast<int>(sum.size()), MPI_DOUBLE, MPI_SUM, comm),
            "MPI_Allreduce (forest predictions)");
  std::vector<float> out(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) out[i] = static_cast<float>(sum[i] / static_cast<double>(n_trees_total));
  return out;
}

namespace {

void allreduce_u64(MPI_Comm comm, std::vector<std::uint64_t>& v, const char* what) {
  // In pieces of at most 2^30 elements (MPI counts are int).
  constexpr std::size_t kPiece = std::size_t{1} << 30;
  for (std::size_t b = 0; b < v.size(); b += kPiece) {
    const std::size_t n = std::min(kPiece, v.size() - b);
    comm::check_mpi(MPI_Allreduce(MPI_IN_PLACE, v.data() + b, static_cast<int>(n), MPI_UINT64_T, MPI_SUM, comm), what);
  }
}

}  // namespace

std::vector<float> predict_distributed_binned(MPI_Comm comm, const LocalTrees& local, const forest::BinnedMatrix& xb,
                                              const std::vector<std::uint32_t>& rows) {
  std::vector<std::uint64_t> acc(rows.size(), 0);
  constexpr std::int64_t kChunk = 4096;  // rows per OpenMP work item
  const auto n = static_cast<std::int64_t>(rows.size());
  OmpExceptionCatcher catcher;
  comm::collective_try(comm, "Prediction failed: ", [&] {
    const forest::BinnedVoter voter(local.trees);
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < n; i += kChunk) {
      catcher.run([&] {
        const auto at = static_cast<std::size_t>(i);
        voter.add_votes(xb, rows.data() + at, static_cast<std::size_t>(std::min(kChunk, n - i)), acc.data() + at);
      });
    }
    catcher.rethrow();
  });
  allreduce_u64(comm, acc, "MPI_Allreduce (forest votes)");
  std::vector<float> out(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) out[i] = static_cast<float>(forest::vote_mean(acc[i]));
  return out;
}

namespace {

/// A per-tree callback for this rank's trees that reports `progress` (scaled to the forest).
std::function<void()> tree_counter(const LocalTrees& local, const forest::ForestParams& params,
                                   const std::function<void(std::uint64_t)>& progress) {
  if (!progress || local.trees.empty()) return {};
  auto done = std::make_shared<std::atomic<std::uint64_t>>(0);
  const auto n_total = static_cast<std::uint64_t>(params.n_trees), n_local = local.trees.size();
  return [progress, done, n_total, n_local] { progress(++*done * n_total / n_local); };
}

}  // namespace

std::vector<std::uint64_t> oob_distributed(MPI_Comm comm, const LocalTrees& local, const forest::BinnedMatrix& xb,
                                           const std::vector<std::uint8_t>& y, const std::vector<std::uint32_t>& rows,
                                           const forest::ForestParams& params,
                                           const std::function<void(std::uint64_t)>& progress) {
  std::vector<std::uint64_t> acc(rows.size(), 0);
  std::string err;
  comm::collective_try(comm, "Out-of-bag estimate failed: ", [&] {
    forest::accumulate_oob(xb, y, rows, params, local.trees, local.first, acc,
                           tree_counter(local, params, progress));
  });
  allreduce_u64(comm, acc, "MPI_Allreduce (out-of-bag votes)");
  return acc;
}

std::vector<std::uint64_t> permutation_distributed(MPI_Comm comm, const LocalTrees& local,
                                                   const forest::BinnedMatrix& xb, const std::vector<std::uint8_t>& y,
                                                   const std::vector<std::uint32_t>& rows,
                                                   const forest::ForestParams& params,
                                                   const std::vector<std::uint32_t>& eval_pos,
                                                   const std::vector<std::vector<std::uint32_t>>& perm,
                                                   const std::function<void(std::uint64_t)>& progress) {
  std::vector<std::uint64_t> acc(xb.n_features() * eval_pos.size(), 0);
  std::string err;
  comm::collective_try(comm, "Permutation importance failed: ", [&] {
    forest::accumulate_permutation(xb, y, rows, params, local.trees, local.first, eval_pos, perm, acc,
                                   tree_counter(local, params, progress));
  });
  allreduce_u64(comm, acc, "MPI_Allreduce (permutation votes)");
  return acc;
}

namespace {

/// Gathers the trees on `root`; when `consume` is set the local trees are freed as soon as they
/// are serialised (and the root's own trees are moved), so the root holds about one copy of the
/// model plus the bytes of the other ranks' trees.
std::vector<forest::Tree> gather_impl(MPI_Comm comm, const LocalTrees& local, LocalTrees* consume, int root) {
  const int p = comm::size(comm), me = comm::rank(comm);
  std::vector<char> mine;
  if (me != root) {  // the root's own trees are moved (or copied), not serialised
    ByteWriter w;
    w.u64(local.first);
    w.u64(local.trees.size());
    for (const auto& t : local.trees) forest::put_tree(w, t);
    if (consume) consume->trees = std::vector<forest::Tree>();
    mine = std::move(w.bytes());
  }
  // Sizes are checked collectively (every rank throws the same error; nobody waits in a gather).
  unsigned long long sz = mine.size(), total = 0;
  comm::check_mpi(MPI_Allreduce(&sz, &total, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, comm), "MPI_Allreduce (tree bytes)");
  if (total > static_cast<unsigned long long>(std::numeric_limits<int>::max())) {
    throw Error("The forest takes " + std::to_string(total) + " bytes, more than one MPI gather can carry (2 GiB); "
                "use fewer or shallower trees (--max-depth, --min-samples-leaf).");
  }
  int n = static_cast<int>(mine.size());
  std::vector<int> counts(me == root ? static_cast<std::size_t>(p) : 0);
  comm::check_mpi(MPI_Gather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, root, comm), "MPI_Gather (tree byte counts)");
  std::vector<int> displs(counts.size(), 0);
  std::vector<char> all;
  if (me == root) {
    for (int i = 1; i < p; ++i)
      displs[static_cast<std::size_t>(i)] = displs[static_cast<std::size_t>(i) - 1] + counts[static_cast<std::size_t>(i) - 1];
    all.resize(total);
  }
  comm::check_mpi(MPI_Gatherv(mine.data(), n, MPI_CHAR, all.data(), counts.data(), displs.data(), MPI_CHAR, root, comm),
            "MPI_Gatherv (trees)");
  mine = std::vector<char>();
  std::vector<forest::Tree> out;
  if (me != root) return out;
  for (int i = 0; i < p; ++i) {  // rank order = global index order (contiguous blocks)
    if (i == me) {
      for (std::size_t k = 0; k < local.trees.size(); ++k)
        out.push_back(consume ? std::move(consume->trees[k]) : local.trees[k]);
      if (consume) consume->trees = std::vector<forest::Tree>();
      continue;
    }
    ByteReader rd(all.data() + displs[static_cast<std::size_t>(i)], static_cast<std::size_t>(counts[static_cast<std::size_t>(i)]));
    rd.u64();
    const auto nt = rd.u64();
    for (std::uint64_t k = 0; k < nt; ++k) out.push_back(forest::get_tree(rd));
  }
  return out;
}

}  // namespace

std::vector<forest::Tree> gather_trees(MPI_Comm comm, const LocalTrees& local, int root) {
  return gather_impl(comm, local, nullptr, root);
}

std::vector<forest::Tree> gather_trees(MPI_Comm comm, LocalTrees&& local, int root) {
  return gather_impl(comm, local, &local, root);
}

}  // namespace ecgforest::parallel

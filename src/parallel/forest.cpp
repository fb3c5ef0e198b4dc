#include "ecgforest/parallel/forest.hpp"

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/omp_exception.hpp"
#include "ecgforest/parallel/mpi.hpp"

namespace ecgforest::parallel {

std::pair<std::uint64_t, std::uint64_t> tree_block(std::uint64_t n_trees, int rank, int n_ranks) {
  const auto p = static_cast<std::uint64_t>(n_ranks);
  const auto r = static_cast<std::uint64_t>(rank);
  const std::uint64_t base = n_trees / p, extra = n_trees % p;
  const std::uint64_t first = r * base + std::min(r, extra);
  const std::uint64_t count = base + (r < extra ? 1 : 0);
  return {first, first + count};
}

LocalTrees grow_distributed(MPI_Comm comm, const forest::BinnedMatrix& xb, const std::vector<std::uint8_t>& y,
                            const std::vector<std::uint32_t>& rows, const forest::ForestParams& params) {
  const auto [first, last] = tree_block(static_cast<std::uint64_t>(params.n_trees), rank(comm), size(comm));
  LocalTrees out;
  out.first = first;
  std::string err;
  try {
    if (last > first) out.trees = forest::grow_trees(xb, y, rows, params, first, last);
  } catch (const std::exception& e) {
    err = e.what();
  }
  if (auto e = agree_on_error(comm, err); !e.empty()) throw CollectiveError("Training failed: " + e);
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
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, sum.data(), static_cast<int>(sum.size()), MPI_DOUBLE, MPI_SUM, comm),
            "MPI_Allreduce (forest predictions)");
  std::vector<float> out(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) out[i] = static_cast<float>(sum[i] / static_cast<double>(n_trees_total));
  return out;
}

std::vector<forest::Tree> gather_trees(MPI_Comm comm, const LocalTrees& local, int root) {
  Writer w;
  w.u64(local.first);
  w.u64(local.trees.size());
  for (const auto& t : local.trees) {
    w.pod_vector(t.feature);
    w.pod_vector(t.threshold);
    w.pod_vector(t.nan_left);
    w.pod_vector(t.left);
    w.pod_vector(t.right);
    w.pod_vector(t.value);
  }
  std::vector<std::vector<char>> parts;
  gather_bytes(comm, w.bytes(), root, &parts);
  std::vector<forest::Tree> all;
  if (rank(comm) != root) return all;
  for (const auto& part : parts) {  // rank order = global index order (contiguous blocks)
    Reader rd(part.data(), part.size());
    rd.u64();
    const auto n = rd.u64();
    for (std::uint64_t i = 0; i < n; ++i) {
      forest::Tree t;
      t.feature = rd.pod_vector<std::int32_t>();
      t.threshold = rd.pod_vector<float>();
      t.nan_left = rd.pod_vector<std::uint8_t>();
      t.left = rd.pod_vector<std::int32_t>();
      t.right = rd.pod_vector<std::int32_t>();
      t.value = rd.pod_vector<float>();
      all.push_back(std::move(t));
    }
  }
  return all;
}

}  // namespace ecgforest::parallel

#include "ecgforest/forest/grow_indexed.hpp"

#include "ecgforest/core/omp_exception.hpp"

namespace ecgforest::forest {

std::vector<Tree> grow_trees_at(const BinnedMatrix& xb, const std::vector<std::uint8_t>& y,
                                const std::vector<std::uint32_t>& rows, const ForestParams& params,
                                const std::vector<std::uint64_t>& indices, const TreeDoneFn& done) {
  const auto n = static_cast<long long>(indices.size());
  std::vector<Tree> trees(indices.size());
  OmpExceptionCatcher catcher;
#pragma omp parallel for schedule(dynamic, 1)
  for (long long i = 0; i < n; ++i) {
    catcher.run([&] {
      const auto k = static_cast<std::size_t>(i);
      trees[k] = grow_tree(xb, y, rows, params, indices[k]);
      if (done) done(k, trees[k]);
    });
  }
  catcher.rethrow();
  return trees;
}

}  // namespace ecgforest::forest

#pragma once
// Growing the forests of `train` (tuning candidates, cross-validation folds, the final forest),
// one phase at a time, each with a progress line on rank 0 ("train: fold 2/3: 40/100 trees, ...",
// core/progress.hpp).
#include <mpi.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ecgforest/forest/forest.hpp"
#include "ecgforest/parallel/forest.hpp"

namespace ecgforest::pipeline {

struct TrainingSet;

/// COLLECTIVE: grows the forest of phase `phase` ("fold 1/3", "final forest", ...) with `params`
/// on the training rows `rows`; every rank gets its block (parallel::grow_distributed).
using GrowFn = std::function<parallel::LocalTrees(const std::string& phase, const std::vector<std::uint32_t>& rows,
                                                  const forest::ForestParams& params)>;

class ForestGrower {
 public:
  /// `report`: print progress lines (rank 0 with a log only).
  ForestGrower(MPI_Comm comm, const TrainingSet& ts, bool report);
  parallel::LocalTrees grow(const std::string& phase, const std::vector<std::uint32_t>& rows,
                            const forest::ForestParams& params) const;
  /// This grower as a GrowFn (it must outlive the function).
  GrowFn fn() const;

 private:
  MPI_Comm comm_;
  const TrainingSet& ts_;
  bool report_;
};

}  // namespace ecgforest::pipeline

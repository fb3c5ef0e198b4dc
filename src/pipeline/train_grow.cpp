#include "ecgforest/pipeline/train_grow.hpp"

#include "ecgforest/core/progress.hpp"
#include "ecgforest/pipeline/train_data.hpp"

namespace ecgforest::pipeline {

ForestGrower::ForestGrower(MPI_Comm comm, const TrainingSet& ts, bool report) : comm_(comm), ts_(ts), report_(report) {}

parallel::LocalTrees ForestGrower::grow(const std::string& phase, const std::vector<std::uint32_t>& rows,
                                        const forest::ForestParams& params) const {
  auto bar = Progress::to_stderr(report_, "train: " + phase, "trees", static_cast<std::uint64_t>(params.n_trees));
  parallel::GrowHooks hooks;
  if (bar.enabled()) hooks.progress = [&bar](std::uint64_t done) { bar.update(done); };
  auto local = parallel::grow_distributed(comm_, ts_.xb, ts_.y, rows, params, hooks);
  bar.finish();
  return local;
}

GrowFn ForestGrower::fn() const {
  return [this](const std::string& phase, const std::vector<std::uint32_t>& rows, const forest::ForestParams& params) {
    return grow(phase, rows, params);
  };
}

}  // namespace ecgforest::pipeline

#pragma once
// Growing the forests of `train` (tuning candidates, cross-validation folds, the final forest),
// one phase at a time, each with a progress line on rank 0 ("train: fold 2/3: 40/100 trees, ...",
// core/progress.hpp) and a checkpoint of its finished trees (io/tree_checkpoint.hpp): each rank
// writes the trees it grew at most every kCheckpointInterval seconds and at the end of the phase,
// and a resubmitted run reads them back instead of growing them again. Trees are a pure function
// of (data, settings, global index), so the model is the same whatever was restored and however
// many ranks the runs had.
#include <mpi.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ecgforest/core/config.hpp"
#include "ecgforest/forest/forest.hpp"
#include "ecgforest/io/tree_checkpoint.hpp"
#include "ecgforest/parallel/forest.hpp"

namespace ecgforest::pipeline {

struct TrainingSet;

/// Seconds between a rank's checkpoint writes within a phase.
inline constexpr double kCheckpointInterval = 60.0;

/// COLLECTIVE: grows the forest of phase `phase` ("fold 1/3", "final forest", ...) with `params`
/// on the training rows `rows`; every rank gets its block (parallel::grow_distributed).
using GrowFn = std::function<parallel::LocalTrees(const std::string& phase, const std::vector<std::uint32_t>& rows,
                                                  const forest::ForestParams& params)>;

/// The run key of the checkpoints: 16 hex digits of the program version and build, the [train]
/// settings and the training set (columns, bin edges, codes, labels, patients).
std::string train_run_key(const TrainSettings& settings, const TrainingSet& ts);

class ForestGrower {
 public:
  /// `report`: print progress lines (rank 0 with a log only). `checkpoint_dir` empty: no
  /// checkpoints. Rank 0 with `report` says how many stale checkpoint files it ignores.
  ForestGrower(MPI_Comm comm, const TrainingSet& ts, bool report, const std::filesystem::path& checkpoint_dir = {},
               const std::string& run_key = {});
  parallel::LocalTrees grow(const std::string& phase, const std::vector<std::uint32_t>& rows,
                            const forest::ForestParams& params) const;
  /// This grower as a GrowFn (it must outlive the function).
  GrowFn fn() const;
  /// Removes the checkpoint directory (call on one rank once the model file is in place).
  void remove_checkpoint() const;

 private:
  MPI_Comm comm_;
  const TrainingSet& ts_;
  bool report_;
  std::optional<io::TreeCheckpoint> checkpoint_;
};

/// TEST HOOK: when the environment variable ECGFOREST_TEST_EXIT_AFTER_TREES is a number K > 0,
/// every grown tree is checkpointed at once and the process exits (std::_Exit(86), like a kill)
/// once this rank has grown K trees (over all phases). Used by tests/pipeline/e2e_train_resume.sh.
long test_exit_after_trees();

}  // namespace ecgforest::pipeline

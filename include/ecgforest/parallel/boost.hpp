#pragma once
// Job-level parallelism for gradient-boosted trees: boosting rounds are sequential, so a
// cross-validation's fold models and the final model (independent of each other) are spread over
// the ranks instead of trees: job j runs on rank j % size with the serial boosting code (OpenMP
// inside). A job's model does not depend on where it ran, so results are identical for any rank
// and thread count.
#include <mpi.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "ecgforest/forest/boost.hpp"

namespace ecgforest::parallel {

struct BoostJob {
  std::vector<std::uint32_t> train_rows;
  std::vector<std::uint32_t> predict_rows;  ///< rows whose probabilities the job returns
  forest::BoostParams params;
  bool keep_model = false;                   ///< send the model to the root
};

struct BoostOutcome {
  std::vector<std::vector<float>> prob;                 ///< per job (its predict_rows), on every rank
  std::vector<std::optional<forest::BoostedTrees>> model;  ///< per job; on the root, for keep_model jobs
};

/// Rank that runs job `job` of a communicator of `n_ranks`.
inline int boost_job_rank(std::size_t job, int n_ranks) { return static_cast<int>(job % static_cast<std::size_t>(n_ranks)); }

/// COLLECTIVE: runs the jobs, each on boost_job_rank (forest::grow_boosted on xb, y), and
/// shares their probabilities (binned prediction) with every rank and their models with `root`.
/// `round_done` (optional) is called on this rank after each round of its jobs with the rounds
/// done by this rank so far. Throws CollectiveError on every rank when a job fails on any.
BoostOutcome run_boost_jobs(MPI_Comm comm, const forest::BinnedMatrix& xb, const std::vector<std::uint8_t>& y,
                            const std::vector<BoostJob>& jobs, int root,
                            const std::function<void(std::uint64_t)>& round_done = {});

}  // namespace ecgforest::parallel

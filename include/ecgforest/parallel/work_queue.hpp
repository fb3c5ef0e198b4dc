#pragma once
// Dynamic distribution of independent tasks (recordings) over the ranks of a communicator.
#include <mpi.h>

#include <cstddef>
#include <functional>
#include <vector>

namespace ecgforest::parallel {

/// Called on rank 0 after each finished task: tasks done, total tasks, sum of the work units the
/// finished tasks reported (e.g. ECG seconds). May be called from a helper thread; calls are
/// serialised.
using ProgressFn = std::function<void(std::size_t done, std::size_t total, double units)>;

struct QueueReport {
  std::vector<std::size_t> tasks_per_rank;  ///< on every rank
  std::vector<double> busy_s_per_rank;      ///< seconds each rank spent inside `work` (summed over its threads)
  bool dynamic = false;                     ///< false when the static fallback was used
};

/// Collective over `comm`. Hands out task positions 0..n_tasks-1 IN THAT ORDER (sort them
/// largest first before calling) to whichever rank asks next, until all are done; every position
/// runs exactly once on one rank. `work(i)` returns the work units done (for progress).
///
/// Rank 0 runs a small dispatcher thread next to its own work (needs MPI_THREAD_MULTIPLE, which
/// main() requests); it polls for requests every ~0.5 ms with MPI_Test, so it costs no core.
/// Other ranks ask for their next position before starting the current one (one task of
/// prefetch), so the polling latency never leaves a rank idle while tasks remain.
/// Without MPI_THREAD_MULTIPLE the positions are dealt statically in snake order (0,1,..,p-1,
/// p-1,..,0,...), which keeps largest-first balance.
/// An exception thrown by `work` stops that rank from taking more tasks; the queue still drains
/// without hanging and the exception is rethrown from run_dynamic on that rank only (use
/// agree_on_error afterwards).
///
/// `threads` > 1: each rank runs that many `work` calls at once on OpenMP threads (each thread
/// takes its own positions; nested OpenMP regions inside `work` then run on one thread unless
/// OMP_MAX_ACTIVE_LEVELS allows nesting). `work` and `progress` must then be thread-safe.
/// busy_s_per_rank is then the sum over the rank's threads (core-seconds).
QueueReport run_dynamic(MPI_Comm comm, std::size_t n_tasks, const std::function<double(std::size_t)>& work,
                        const ProgressFn& progress = nullptr, int threads = 1);

}  // namespace ecgforest::parallel

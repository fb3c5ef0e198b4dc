#include "ecgforest/parallel/work_queue.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <thread>

#include <omp.h>

#include "ecgforest/core/clock.hpp"
#include "ecgforest/core/omp_exception.hpp"
#include "ecgforest/comm/mpi.hpp"

namespace ecgforest::parallel {
namespace {

constexpr int kTagRequest = 101;
constexpr int kTagReply = 102;

// Serialised progress reporting shared by rank 0's worker and dispatcher thread.
struct Progress {
  std::mutex mutex;
  std::size_t done = 0;
  double units = 0;
  void finished(double u, std::size_t total, const ProgressFn& fn) {
    std::lock_guard<std::mutex> lock(mutex);
    ++done;
    units += u;
    if (fn) fn(done, total, units);
  }
};

// One call of run_dynamic on one rank: its worker threads, their task counts and busy times, the
// first failure of a task, and the progress of the tasks rank 0 hears of.
class WorkQueue {
 public:
  WorkQueue(MPI_Comm comm, std::size_t n_tasks, const std::function<double(std::size_t)>& work,
            const ProgressFn& progress, int threads)
      : comm_(comm), p_(comm::size(comm)), me_(comm::rank(comm)), nt_(std::max(1, threads)), n_tasks_(n_tasks),
        work_(work), progress_(progress), tasks_slot_(static_cast<std::size_t>(nt_), 0),
        busy_slot_(static_cast<std::size_t>(nt_), 0.0) {}

  QueueReport run() {
    int provided = MPI_THREAD_SINGLE;
    comm::check_mpi(MPI_Query_thread(&provided), "MPI_Query_thread");
    QueueReport report;
    if (p_ == 1) {
      std::atomic<std::size_t> next{0};
      on_threads([&](int t) { take_local(next, t); });
      report.dynamic = true;
    } else if (provided < MPI_THREAD_MULTIPLE) {
      run_static();
    } else {
      run_queue();
      report.dynamic = true;
    }
    gather(report);
    if (failure_) std::rethrow_exception(failure_);
    return report;
  }

 private:
  // Task i on thread t, timed; a failure is kept (the first one) and stops the taking of tasks.
  double run_one(int t, std::size_t i) {
    const double t0 = now_s();
    double u = 0;
    try {
      u = work_(i);
    } catch (...) {
      std::lock_guard<std::mutex> lock(failure_mutex_);
      if (!failure_) failure_ = std::current_exception();
      failed_ = true;
    }
    busy_slot_[static_cast<std::size_t>(t)] += now_s() - t0;
    ++tasks_slot_[static_cast<std::size_t>(t)];
    return u;
  }

  // Runs body(t) on nt OpenMP threads (t = 0..nt-1); an exception escaping body (an MPI error)
  // is carried out of the region and rethrown here.
  void on_threads(const std::function<void(int)>& body) const {
    if (nt_ == 1) {
      body(0);
      return;
    }
    OmpExceptionCatcher catcher;
#pragma omp parallel num_threads(nt_)
    catcher.run([&] { body(omp_get_thread_num()); });
    catcher.rethrow();
  }

  // Thread t of a rank that holds the queue itself (one rank, or rank 0) takes positions from
  // `next` until they run out or a task failed; progress is reported here.
  void take_local(std::atomic<std::size_t>& next, int t) {
    while (!failed_) {
      const std::size_t i = next.fetch_add(1);
      if (i >= n_tasks_) break;
      progress_tally_.finished(run_one(t, i), n_tasks_, progress_);
    }
  }

  // Without MPI_THREAD_MULTIPLE: a static snake deal, position i to rank
  // (i mod 2p < p) ? i mod p : 2p-1 - i mod 2p, shared by the rank's threads.
  void run_static() {
    const auto p = static_cast<std::size_t>(p_);
    std::vector<std::size_t> mine;
    for (std::size_t i = 0; i < n_tasks_; ++i) {
      const std::size_t r = i % (2 * p);
      const std::size_t owner = r < p ? r : 2 * p - 1 - r;
      if (owner == static_cast<std::size_t>(me_)) mine.push_back(i);
    }
    std::atomic<std::size_t> next{0};
    on_threads([&](int t) {
      while (!failed_) {
        const std::size_t k = next.fetch_add(1);
        if (k >= mine.size()) break;
        run_one(t, mine[k]);
      }
    });
  }

  // The dynamic queue over ranks: rank 0 deals positions from a dispatcher thread beside its own
  // workers; the other ranks' worker threads ask it for theirs.
  void run_queue() {
    // Every rank's worker-thread count, so that the dispatcher knows how many to wait for.
    std::vector<int> threads_of(static_cast<std::size_t>(p_), 1);
    comm::check_mpi(MPI_Allgather(&nt_, 1, MPI_INT, threads_of.data(), 1, MPI_INT, comm_), "MPI_Allgather (queue threads)");
    MPI_Comm qcomm = MPI_COMM_NULL;
    comm::check_mpi(MPI_Comm_dup(comm_, &qcomm), "MPI_Comm_dup (work queue)");
    if (me_ == 0) {
      int remote_workers = 0;
      for (int r = 1; r < p_; ++r) remote_workers += threads_of[static_cast<std::size_t>(r)];
      serve(qcomm, remote_workers);
    } else {
      on_threads([&](int t) { ask(qcomm, t); });
    }
    comm::check_mpi(MPI_Comm_free(&qcomm), "MPI_Comm_free (work queue)");
  }

  // Rank 0: the dispatcher thread answers the remote workers while this rank's threads work.
  void serve(MPI_Comm qcomm, int remote_workers) {
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    std::exception_ptr dispatcher_error;
    std::thread dispatcher([&] {
      try {
        dispatch(qcomm, remote_workers, next, stop);
      } catch (...) {
        dispatcher_error = std::current_exception();
      }
    });
    OmpExceptionCatcher local_error;
    local_error.run([&] { on_threads([&](int t) { take_local(next, t); }); });
    if (failed_) stop = true;
    dispatcher.join();
    local_error.rethrow();
    if (dispatcher_error) std::rethrow_exception(dispatcher_error);
  }

  // Messages from worker threads: [units of the task they just finished, 1 if they finished one,
  // 1 if they want another task, their thread number]. Each "want" gets a reply (a position or
  // -1) with tag kTagReply + thread number; a message without "want" is a worker thread's last,
  // after its final task.
  void dispatch(MPI_Comm qcomm, int remote_workers, std::atomic<std::size_t>& next, const std::atomic<bool>& stop) {
    int finished_workers = 0;
    while (finished_workers < remote_workers) {
      double msg[4] = {0, 0, 0, 0};
      const MPI_Status st = receive_request(qcomm, msg);
      if (msg[1] > 0) progress_tally_.finished(msg[0], n_tasks_, progress_);
      if (msg[2] <= 0) {
        ++finished_workers;
        continue;
      }
      long long reply = -1;
      if (!stop.load()) {
        const std::size_t i = next.fetch_add(1);
        if (i < n_tasks_) reply = static_cast<long long>(i);
      }
      comm::check_mpi(MPI_Send(&reply, 1, MPI_LONG_LONG, st.MPI_SOURCE, kTagReply + static_cast<int>(msg[3]), qcomm),
                      "MPI_Send (work reply)");
    }
  }

  // The next worker message, polled: workers ask for their next task before starting the
  // current one, so this polling latency is hidden behind work; 0.5 ms keeps the thread's cost
  // negligible.
  static MPI_Status receive_request(MPI_Comm qcomm, double* msg) {
    MPI_Request req = MPI_REQUEST_NULL;
    comm::check_mpi(MPI_Irecv(msg, 4, MPI_DOUBLE, MPI_ANY_SOURCE, kTagRequest, qcomm, &req), "MPI_Irecv (work request)");
    int flag = 0;
    MPI_Status st;
    while (true) {
      comm::check_mpi(MPI_Test(&req, &flag, &st), "MPI_Test (work request)");
      if (flag) return st;
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
  }

  // A remote worker thread t. Prefetch: it asks for its next position (with the report of the
  // previous task) before the current task starts, so no thread waits for the dispatcher.
  void ask(MPI_Comm qcomm, int t) {
    const int reply_tag = kTagReply + t;
    double msg[4] = {0, 0, 1, static_cast<double>(t)};
    long long cur = -1;
    comm::check_mpi(MPI_Send(msg, 4, MPI_DOUBLE, 0, kTagRequest, qcomm), "MPI_Send (work request)");
    comm::check_mpi(MPI_Recv(&cur, 1, MPI_LONG_LONG, 0, reply_tag, qcomm, MPI_STATUS_IGNORE), "MPI_Recv (work reply)");
    while (cur >= 0) {
      long long nxt = -1;
      MPI_Request rreq = MPI_REQUEST_NULL;
      comm::check_mpi(MPI_Irecv(&nxt, 1, MPI_LONG_LONG, 0, reply_tag, qcomm, &rreq), "MPI_Irecv (work reply)");
      comm::check_mpi(MPI_Send(msg, 4, MPI_DOUBLE, 0, kTagRequest, qcomm), "MPI_Send (work request)");
      msg[0] = 0;
      msg[1] = 0;
      if (!failed_) {  // after a failure on this rank: keep draining positions without working
        msg[0] = run_one(t, static_cast<std::size_t>(cur));
        msg[1] = 1;
      }
      comm::check_mpi(MPI_Wait(&rreq, MPI_STATUS_IGNORE), "MPI_Wait (work reply)");
      cur = nxt;
    }
    msg[2] = 0;  // last message: the final report, no request
    comm::check_mpi(MPI_Send(msg, 4, MPI_DOUBLE, 0, kTagRequest, qcomm), "MPI_Send (last work report)");
  }

  // Every rank's task count and busy time, summed over its threads.
  void gather(QueueReport& report) const {
    const auto p = static_cast<std::size_t>(p_);
    report.tasks_per_rank.assign(p, 0);
    report.busy_s_per_rank.assign(p, 0.0);
    unsigned long long my_tasks = 0;
    double my_busy = 0;
    for (std::size_t t = 0; t < tasks_slot_.size(); ++t) {
      my_tasks += tasks_slot_[t];
      my_busy += busy_slot_[t];
    }
    std::vector<unsigned long long> tasks(p);
    comm::check_mpi(MPI_Allgather(&my_tasks, 1, MPI_UNSIGNED_LONG_LONG, tasks.data(), 1, MPI_UNSIGNED_LONG_LONG, comm_),
                    "MPI_Allgather (task counts)");
    comm::check_mpi(MPI_Allgather(&my_busy, 1, MPI_DOUBLE, report.busy_s_per_rank.data(), 1, MPI_DOUBLE, comm_),
                    "MPI_Allgather (busy times)");
    for (std::size_t i = 0; i < p; ++i) report.tasks_per_rank[i] = tasks[i];
  }

  const MPI_Comm comm_;
  const int p_, me_, nt_;
  const std::size_t n_tasks_;
  const std::function<double(std::size_t)>& work_;
  const ProgressFn& progress_;
  // One slot per worker thread (no sharing in the loop); summed after the region.
  std::vector<std::size_t> tasks_slot_;
  std::vector<double> busy_slot_;
  std::mutex failure_mutex_;
  std::exception_ptr failure_;
  std::atomic<bool> failed_{false};
  Progress progress_tally_;
};

}  // namespace

QueueReport run_dynamic(MPI_Comm comm, std::size_t n_tasks, const std::function<double(std::size_t)>& work,
                        const ProgressFn& progress, int threads) {
  return WorkQueue(comm, n_tasks, work, progress, threads).run();
}

}  // namespace ecgforest::parallel

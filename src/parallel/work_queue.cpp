#include "ecgforest/parallel/work_queue.hpp"

#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <thread>

#include "ecgforest/parallel/mpi.hpp"

namespace ecgforest::parallel {
namespace {

constexpr int kTagRequest = 101;
constexpr int kTagReply = 102;

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

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

}  // namespace

QueueReport run_dynamic(MPI_Comm comm, std::size_t n_tasks, const std::function<double(std::size_t)>& work,
                        const ProgressFn& progress) {
  const int p = size(comm);
  const int me = rank(comm);
  int provided = MPI_THREAD_SINGLE;
  check_mpi(MPI_Query_thread(&provided), "MPI_Query_thread");

  QueueReport report;
  report.tasks_per_rank.assign(static_cast<std::size_t>(p), 0);
  report.busy_s_per_rank.assign(static_cast<std::size_t>(p), 0.0);
  std::exception_ptr failure;
  std::size_t my_tasks = 0;
  double my_busy = 0;
  Progress prog;

  auto run_one = [&](std::size_t i) -> double {
    const double t0 = now_s();
    double u = 0;
    try {
      u = work(i);
    } catch (...) {
      failure = std::current_exception();
    }
    my_busy += now_s() - t0;
    ++my_tasks;
    return u;
  };

  if (p == 1) {
    for (std::size_t i = 0; i < n_tasks && !failure; ++i) prog.finished(run_one(i), n_tasks, progress);
    report.dynamic = true;
  } else if (provided < MPI_THREAD_MULTIPLE) {
    // Static snake deal: position i goes to rank (i mod 2p < p) ? i mod p : p-1 - i mod p.
    for (std::size_t i = 0; i < n_tasks && !failure; ++i) {
      const std::size_t r = i % (2 * static_cast<std::size_t>(p));
      const std::size_t owner = r < static_cast<std::size_t>(p) ? r : 2 * static_cast<std::size_t>(p) - 1 - r;
      if (owner == static_cast<std::size_t>(me)) run_one(i);
    }
  } else {
    report.dynamic = true;
    MPI_Comm qcomm = MPI_COMM_NULL;
    check_mpi(MPI_Comm_dup(comm, &qcomm), "MPI_Comm_dup (work queue)");
    if (me == 0) {
      std::atomic<std::size_t> next{0};
      std::atomic<bool> stop{false};
      std::exception_ptr dispatcher_error;
      std::thread dispatcher([&] {
        try {
          // Messages from workers: [units of the task they just finished, 1 if they finished
          // one, 1 if they want another task]. Each "want" gets a reply (a position or -1);
          // a message without "want" is a worker's last, after its final task.
          int finished_workers = 0;
          while (finished_workers < p - 1) {
            double msg[3] = {0, 0, 0};
            MPI_Request req = MPI_REQUEST_NULL;
            check_mpi(MPI_Irecv(msg, 3, MPI_DOUBLE, MPI_ANY_SOURCE, kTagRequest, qcomm, &req), "MPI_Irecv (work request)");
            int flag = 0;
            MPI_Status st;
            while (true) {
              check_mpi(MPI_Test(&req, &flag, &st), "MPI_Test (work request)");
              if (flag) break;
              // Workers ask for their next task before starting the current one, so this
              // polling latency is hidden behind work; 0.5 ms keeps the thread's cost negligible.
              std::this_thread::sleep_for(std::chrono::microseconds(500));
            }
            if (msg[1] > 0) prog.finished(msg[0], n_tasks, progress);
            if (msg[2] <= 0) {
              ++finished_workers;
              continue;
            }
            long long reply = -1;
            if (!stop.load()) {
              const std::size_t i = next.fetch_add(1);
              if (i < n_tasks) reply = static_cast<long long>(i);
            }
            check_mpi(MPI_Send(&reply, 1, MPI_LONG_LONG, st.MPI_SOURCE, kTagReply, qcomm), "MPI_Send (work reply)");
          }
        } catch (...) {
          dispatcher_error = std::current_exception();
        }
      });
      while (!failure) {
        const std::size_t i = next.fetch_add(1);
        if (i >= n_tasks) break;
        prog.finished(run_one(i), n_tasks, progress);
      }
      if (failure) stop = true;
      dispatcher.join();
      if (dispatcher_error) std::rethrow_exception(dispatcher_error);
    } else {
      // Prefetch: the request for the next position goes out (with the report of the previous
      // task) before the current task starts, so no worker waits for the dispatcher.
      double msg[3] = {0, 0, 1};
      long long cur = -1;
      check_mpi(MPI_Send(msg, 3, MPI_DOUBLE, 0, kTagRequest, qcomm), "MPI_Send (work request)");
      check_mpi(MPI_Recv(&cur, 1, MPI_LONG_LONG, 0, kTagReply, qcomm, MPI_STATUS_IGNORE), "MPI_Recv (work reply)");
      while (cur >= 0) {
        long long nxt = -1;
        MPI_Request rreq = MPI_REQUEST_NULL;
        check_mpi(MPI_Irecv(&nxt, 1, MPI_LONG_LONG, 0, kTagReply, qcomm, &rreq), "MPI_Irecv (work reply)");
        check_mpi(MPI_Send(msg, 3, MPI_DOUBLE, 0, kTagRequest, qcomm), "MPI_Send (work request)");
        msg[0] = 0;
        msg[1] = 0;
        if (!failure) {  // after a failure: keep draining positions without working
          msg[0] = run_one(static_cast<std::size_t>(cur));
          msg[1] = 1;
        }
        check_mpi(MPI_Wait(&rreq, MPI_STATUS_IGNORE), "MPI_Wait (work reply)");
        cur = nxt;
      }
      msg[2] = 0;  // last message: the final report, no request
      check_mpi(MPI_Send(msg, 3, MPI_DOUBLE, 0, kTagRequest, qcomm), "MPI_Send (last work report)");
    }
    check_mpi(MPI_Comm_free(&qcomm), "MPI_Comm_free (work queue)");
  }

  unsigned long long t = my_tasks;
  std::vector<unsigned long long> tasks(static_cast<std::size_t>(p));
  check_mpi(MPI_Allgather(&t, 1, MPI_UNSIGNED_LONG_LONG, tasks.data(), 1, MPI_UNSIGNED_LONG_LONG, comm),
            "MPI_Allgather (task counts)");
  check_mpi(MPI_Allgather(&my_busy, 1, MPI_DOUBLE, report.busy_s_per_rank.data(), 1, MPI_DOUBLE, comm),
            "MPI_Allgather (busy times)");
  for (int i = 0; i < p; ++i) report.tasks_per_rank[static_cast<std::size_t>(i)] = tasks[static_cast<std::size_t>(i)];
  if (failure) std::rethrow_exception(failure);
  return report;
}

}  // namespace ecgforest::parallel

// MPI tests of parallel::run_dynamic: every position runs exactly once, in increasing order per
// rank, the report and the progress callback are consistent, and an exception on one rank is
// rethrown there only without hanging the others. Run on MPI_COMM_WORLD, on a reversed
// communicator and on two concurrent halves (split by rank parity).
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "ecgforest/comm/mpi.hpp"
#include "ecgforest/core/bytes.hpp"
#include "ecgforest/parallel/work_queue.hpp"
#include "mpi_test_util.hpp"

namespace ecgforest::parallel {

using namespace ::ecgforest::comm;  // rank, size, gathers: the MPI helpers live in comm
namespace {

using namespace ecgforest::testing_mpi;

constexpr double kTaskSleepS = 0.001;

struct Call {
  std::size_t done, total;
  double units;
};

// Positions run by every rank of `comm`, gathered (index = rank).
std::vector<std::vector<unsigned long long>> gather_ran(MPI_Comm comm, const std::vector<std::size_t>& ran) {
  ByteWriter w;
  std::vector<unsigned long long> v(ran.begin(), ran.end());
  w.pod_vector(v);
  const auto parts = allgather_bytes(comm, w.bytes());
  std::vector<std::vector<unsigned long long>> out;
  for (const auto& part : parts) {
    ByteReader rd(part.data(), part.size());
    out.push_back(rd.pod_vector<unsigned long long>());
  }
  return out;
}

void check_queue_on(MPI_Comm comm, std::size_t n, int threads = 1) {
  SCOPED_TRACE("n_tasks=" + std::to_string(n) + " ranks=" + std::to_string(size(comm)) +
               " threads=" + std::to_string(threads));
  const int p = size(comm), me = rank(comm);
  std::vector<std::size_t> ran;
  std::vector<Call> calls;
  std::mutex ran_mutex;
  std::atomic<int> running{0}, most_running{0};
  const QueueReport report = run_dynamic(
      comm, n,
      [&](std::size_t i) {
        const int now = ++running;
        for (int m = most_running.load(); now > m && !most_running.compare_exchange_weak(m, now);) {
        }
        {
          std::lock_guard<std::mutex> lock(ran_mutex);
          ran.push_back(i);
        }
        std::this_thread::sleep_for(std::chrono::duration<double>(kTaskSleepS));
        --running;
        return static_cast<double>(i + 1);
      },
      [&](std::size_t done, std::size_t total, double units) { calls.push_back({done, total, units}); }, threads);

  // Increasing order on this rank (with one thread; with several, each thread's are increasing).
  if (threads == 1) {
    for (std::size_t k = 1; k < ran.size(); ++k) EXPECT_LT(ran[k - 1], ran[k]);
  }
  EXPECT_LE(most_running.load(), threads);

  // Every position exactly once over all ranks.
  const auto all = gather_ran(comm, ran);
  std::vector<int> times(n, 0);
  for (const auto& r : all) {
    for (auto i : r) {
      ASSERT_LT(i, n);
      ++times[i];
    }
  }
  for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(times[i], 1) << "position " << i;

  // Report: per-rank task counts match what the ranks recorded; busy times are plausible.
  ASSERT_EQ(report.tasks_per_rank.size(), static_cast<std::size_t>(p));
  ASSERT_EQ(report.busy_s_per_rank.size(), static_cast<std::size_t>(p));
  std::size_t total = 0;
  for (int r = 0; r < p; ++r) {
    const auto ru = static_cast<std::size_t>(r);
    EXPECT_EQ(report.tasks_per_rank[ru], all[ru].size()) << "rank " << r;
    total += report.tasks_per_rank[ru];
    EXPECT_GE(report.busy_s_per_rank[ru], 0.9 * kTaskSleepS * static_cast<double>(all[ru].size())) << "rank " << r;
    EXPECT_LT(report.busy_s_per_rank[ru], 30.0) << "rank " << r;
    if (all[ru].empty()) {
      EXPECT_EQ(report.busy_s_per_rank[ru], 0.0) << "rank " << r;
    }
  }
  EXPECT_EQ(total, n);
  // The report is the same on every rank.
  std::vector<double> rep(report.busy_s_per_rank);
  for (auto t : report.tasks_per_rank) rep.push_back(static_cast<double>(t));
  std::vector<double> rep0(rep);
  MPI_Bcast(rep0.data(), static_cast<int>(rep0.size()), MPI_DOUBLE, 0, comm);
  EXPECT_EQ(rep, rep0);

  int provided = 0;
  MPI_Query_thread(&provided);
  if (p == 1 || provided >= MPI_THREAD_MULTIPLE) {
    EXPECT_TRUE(report.dynamic);
  }

  // Progress: on rank 0 only, one call per task, done = 1..n, units accumulate the work units.
  if (me == 0) {
    ASSERT_EQ(calls.size(), n);
    double units = 0;
    for (std::size_t k = 0; k < calls.size(); ++k) {
      EXPECT_EQ(calls[k].done, k + 1);
      EXPECT_EQ(calls[k].total, n);
      EXPECT_GE(calls[k].units, units);
      units = calls[k].units;
    }
    if (n > 0) {
      EXPECT_EQ(calls.back().done, calls.back().total);
      EXPECT_DOUBLE_EQ(calls.back().units, static_cast<double>(n * (n + 1) / 2));
    }
  } else {
    EXPECT_TRUE(calls.empty()) << "progress called on rank " << me;
  }
}

TEST(MpiWorkQueue, EveryPositionOnceOnWorld) {
  for (std::size_t n : {0u, 1u, 2u, 5u, 17u}) check_queue_on(MPI_COMM_WORLD, n);
}

TEST(MpiWorkQueue, EveryPositionOnceOnReversedAndSplitCommunicators) {
  MPI_Comm rev = reversed(MPI_COMM_WORLD);
  for (std::size_t n : {0u, 5u, 17u}) check_queue_on(rev, n);
  MPI_Comm_free(&rev);
  // Two queues running at the same time on disjoint halves.
  MPI_Comm half = by_parity(MPI_COMM_WORLD);
  for (std::size_t n : {1u, 2u, 17u}) check_queue_on(half, n);
  MPI_Comm_free(&half);
}

TEST(MpiWorkQueue, SeveralThreadsPerRankRunEveryPositionOnce) {
  for (std::size_t n : {0u, 1u, 3u, 17u, 40u}) check_queue_on(MPI_COMM_WORLD, n, 3);
  MPI_Comm half = by_parity(MPI_COMM_WORLD);
  check_queue_on(half, 23, 2);
  MPI_Comm_free(&half);
  // Threads really overlap: 8 tasks of 20 ms on 4 threads of one rank's share.
  std::atomic<int> running{0}, most{0};
  (void)run_dynamic(MPI_COMM_WORLD, 8 * static_cast<std::size_t>(size(MPI_COMM_WORLD)), [&](std::size_t) {
    const int now = ++running;
    for (int m = most.load(); now > m && !most.compare_exchange_weak(m, now);) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    --running;
    return 1.0;
  }, nullptr, 4);
  EXPECT_GE(most.load(), 2) << "no two tasks ever ran at once on this rank";
}

TEST(MpiWorkQueue, ExceptionOnOneThreadIsRethrownOnItsRankOnly) {
  const std::size_t n = 30, bad = 7;
  std::mutex m;
  std::vector<std::size_t> ran;
  std::string err;
  try {
    (void)run_dynamic(MPI_COMM_WORLD, n, [&](std::size_t i) {
      {
        std::lock_guard<std::mutex> lock(m);
        ran.push_back(i);
      }
      std::this_thread::sleep_for(std::chrono::duration<double>(kTaskSleepS));
      if (i == bad) throw std::runtime_error("task " + std::to_string(i) + " failed");
      return 1.0;
    }, nullptr, 3);
  } catch (const std::exception& e) {
    err = e.what();
  }
  const bool i_ran_bad = std::find(ran.begin(), ran.end(), bad) != ran.end();
  EXPECT_EQ(!err.empty(), i_ran_bad) << err;
  EXPECT_EQ(sum_ll(MPI_COMM_WORLD, err.empty() ? 0 : 1), 1);
  const auto all = gather_ran(MPI_COMM_WORLD, ran);
  std::vector<int> times(n, 0);
  for (const auto& r : all)
    for (auto i : r) ++times[i];
  for (std::size_t i = 0; i < n; ++i) EXPECT_LE(times[i], 1) << "position " << i;
  EXPECT_EQ(agree_on_error(MPI_COMM_WORLD, err), "task 7 failed");
  check_queue_on(MPI_COMM_WORLD, 5, 2);  // still works afterwards
}

TEST(MpiWorkQueue, NoProgressCallbackIsFine) {
  std::size_t count = 0;
  const auto rep = run_dynamic(MPI_COMM_WORLD, 9, [&](std::size_t) {
    ++count;
    return 0.0;
  });
  EXPECT_EQ(sum_ll(MPI_COMM_WORLD, static_cast<long long>(count)), 9);
  EXPECT_EQ(rep.tasks_per_rank.size(), static_cast<std::size_t>(size(MPI_COMM_WORLD)));
}

// Position `bad` throws wherever it runs. Only that rank rethrows; the others return; then
// agree_on_error gives the same message everywhere.
void check_one_failure_on(MPI_Comm comm, std::size_t n, std::size_t bad) {
  SCOPED_TRACE("n_tasks=" + std::to_string(n) + " bad=" + std::to_string(bad) + " ranks=" + std::to_string(size(comm)));
  std::vector<std::size_t> ran;
  std::string err;
  try {
    (void)run_dynamic(comm, n, [&](std::size_t i) {
      ran.push_back(i);
      std::this_thread::sleep_for(std::chrono::duration<double>(kTaskSleepS));
      if (i == bad) throw std::runtime_error("task " + std::to_string(i) + " failed");
      return 1.0;
    });
  } catch (const std::exception& e) {
    err = e.what();
  }
  const bool i_ran_bad = std::find(ran.begin(), ran.end(), bad) != ran.end();
  EXPECT_EQ(!err.empty(), i_ran_bad) << "error '" << err << "'";
  if (i_ran_bad) {
    EXPECT_EQ(err, "task " + std::to_string(bad) + " failed");
    EXPECT_EQ(ran.back(), bad) << "the failing rank took more tasks after the failure";
  }
  EXPECT_EQ(sum_ll(comm, err.empty() ? 0 : 1), 1);
  // No position ran twice (positions after the failure may not run at all).
  const auto all = gather_ran(comm, ran);
  std::vector<int> times(n, 0);
  for (const auto& r : all)
    for (auto i : r) ++times[i];
  for (std::size_t i = 0; i < n; ++i) EXPECT_LE(times[i], 1) << "position " << i;
  EXPECT_EQ(times[bad], 1);
  EXPECT_EQ(agree_on_error(comm, err), "task " + std::to_string(bad) + " failed");
}

TEST(MpiWorkQueue, ExceptionIsRethrownOnItsRankOnly) {
  check_one_failure_on(MPI_COMM_WORLD, 5, 1);
  check_one_failure_on(MPI_COMM_WORLD, 17, 0);
  check_one_failure_on(MPI_COMM_WORLD, 17, 16);
  check_one_failure_on(MPI_COMM_WORLD, 1, 0);
  MPI_Comm half = by_parity(MPI_COMM_WORLD);
  check_one_failure_on(half, 5, 3);
  MPI_Comm_free(&half);
  // The queue still works after failures.
  check_queue_on(MPI_COMM_WORLD, 5);
}

TEST(MpiWorkQueue, FailureOnTheLastRanksFirstTask) {
  // The last rank of the communicator throws on the first task it gets (if it gets one).
  const int p = size(MPI_COMM_WORLD), me = rank(MPI_COMM_WORLD);
  std::vector<std::size_t> ran;
  std::string err;
  try {
    (void)run_dynamic(MPI_COMM_WORLD, 17, [&](std::size_t i) {
      ran.push_back(i);
      std::this_thread::sleep_for(std::chrono::duration<double>(2 * kTaskSleepS));
      if (me == p - 1) throw std::runtime_error("rank " + std::to_string(me) + " broke");
      return 1.0;
    });
  } catch (const std::exception& e) {
    err = e.what();
  }
  if (me == p - 1) {
    EXPECT_LE(ran.size(), 1u);
    EXPECT_EQ(err.empty(), ran.empty());
  } else {
    EXPECT_TRUE(err.empty()) << err;
  }
  const long long last_ran = sum_ll(MPI_COMM_WORLD, me == p - 1 ? static_cast<long long>(ran.size()) : 0);
  const std::string agreed = agree_on_error(MPI_COMM_WORLD, err);
  EXPECT_EQ(agreed, last_ran ? "rank " + std::to_string(p - 1) + " broke" : std::string());
}

}  // namespace
}  // namespace ecgforest::parallel

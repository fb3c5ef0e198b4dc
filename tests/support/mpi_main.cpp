// Main of the MPI test binary (run by ctest at 1, 2 and 3 ranks). Output is printed by rank 0
// and by ranks with a failing test only; the exit code is non-zero on every rank when any rank
// failed.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdio>
#include <sstream>
#include <string>

namespace {

// Buffers everything a rank would print; rank 0 prints as it goes, others only on failure.
class RankFilterListener : public ::testing::EmptyTestEventListener {
 public:
  RankFilterListener(int rank, ::testing::TestEventListener* inner) : rank_(rank), inner_(inner) {}
  ~RankFilterListener() override { delete inner_; }
  void OnTestPartResult(const ::testing::TestPartResult& r) override {
    if (r.failed()) {
      std::fprintf(stderr, "[rank %d] %s:%d: Failure\n%s\n", rank_, r.file_name() ? r.file_name() : "?",
                   r.line_number(), r.summary());
    }
  }
  void OnTestStart(const ::testing::TestInfo& i) override { if (rank_ == 0) inner_->OnTestStart(i); }
  void OnTestEnd(const ::testing::TestInfo& i) override {
    if (rank_ == 0 || i.result()->Failed()) {
      std::fprintf(stdout, "[rank %d] %s %s.%s\n", rank_, i.result()->Failed() ? "FAILED" : "OK",
                   i.test_suite_name(), i.name());
    }
  }
  void OnTestIterationEnd(const ::testing::UnitTest& u, int iteration) override {
    if (rank_ == 0) inner_->OnTestIterationEnd(u, iteration);  // the PASSED/FAILED summary
  }
  void OnTestProgramEnd(const ::testing::UnitTest& u) override { if (rank_ == 0) inner_->OnTestProgramEnd(u); }

 private:
  int rank_;
  ::testing::TestEventListener* inner_;
};

}  // namespace

int main(int argc, char** argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
  ::testing::InitGoogleTest(&argc, argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
  auto* def = listeners.Release(listeners.default_result_printer());
  listeners.Append(new RankFilterListener(rank, def));
  if (rank != 0) {
    ::testing::GTEST_FLAG(output) = "";  // only rank 0 writes the XML report
  }
  const int local = RUN_ALL_TESTS();
  int global = 0;
  MPI_Allreduce(&local, &global, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  MPI_Finalize();
  return global;
}

#pragma once
// Helpers shared by the MPI tests (tests/parallel/*.cpp).
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

namespace ecgforest::testing_mpi {

inline int comm_rank(MPI_Comm c) {
  int r = 0;
  MPI_Comm_rank(c, &r);
  return r;
}
inline int comm_size(MPI_Comm c) {
  int s = 0;
  MPI_Comm_size(c, &s);
  return s;
}

/// True on every rank when `ok` is true on every rank of `c` (so all ranks take the same branch).
inline bool all_true(MPI_Comm c, bool ok) {
  int mine = ok ? 1 : 0, all = 0;
  MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, c);
  return all == 1;
}

/// Sum over the ranks of `c`.
inline long long sum_ll(MPI_Comm c, long long v) {
  long long out = 0;
  MPI_Allreduce(&v, &out, 1, MPI_LONG_LONG, MPI_SUM, c);
  return out;
}

/// Scratch directory shared by the ranks of MPI_COMM_WORLD: $ECGFOREST_TEST_TMP (created) or a
/// directory under /tmp named after rank 0's pid. `sub` is appended and created. Collective.
inline std::filesystem::path shared_tmp(const std::string& sub) {
  long long pid = static_cast<long long>(::getpid());
  MPI_Bcast(&pid, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD);
  const char* env = std::getenv("ECGFOREST_TEST_TMP");
  std::filesystem::path base = env && *env ? std::filesystem::path(env)
                                           : std::filesystem::temp_directory_path() /
                                                 ("ecgforest_mpi_tests_" + std::to_string(pid));
  const std::filesystem::path dir = base / sub;
  if (comm_rank(MPI_COMM_WORLD) == 0) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    std::filesystem::create_directories(dir, ec);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  return dir;
}

/// A communicator with the ranks of `parent` in reverse order (rank r becomes size-1-r), so a
/// test run on it shows that nothing relies on MPI_COMM_WORLD's numbering. Free with MPI_Comm_free.
inline MPI_Comm reversed(MPI_Comm parent) {
  MPI_Comm out = MPI_COMM_NULL;
  MPI_Comm_split(parent, 0, comm_size(parent) - 1 - comm_rank(parent), &out);
  return out;
}

/// Ranks of `parent` split by parity of their rank (order kept). Free with MPI_Comm_free.
inline MPI_Comm by_parity(MPI_Comm parent) {
  MPI_Comm out = MPI_COMM_NULL;
  MPI_Comm_split(parent, comm_rank(parent) % 2, comm_rank(parent), &out);
  return out;
}

}  // namespace ecgforest::testing_mpi

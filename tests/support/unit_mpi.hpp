#pragma once
// MPI in the serial unit-test binary, started only by the tests that call code taking an MPI_Comm
// (MPI_COMM_SELF): ctest runs every unit test in its own process, and starting Open MPI as a
// singleton costs each process 0.5-1 s of wall time (it launches an orted daemon), ~10x what the
// tests themselves take. unit_main.cpp finalises MPI when a test started it.
#include <mpi.h>

namespace ecgforest::testing_unit {

/// Initialises MPI (MPI_THREAD_FUNNELED, as the binary did for every test before) unless it is
/// already running. Call from the SetUp of a test that uses MPI.
inline void require_mpi() {
  int started = 0;
  MPI_Initialized(&started);
  if (!started) {
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  }
}

}  // namespace ecgforest::testing_unit

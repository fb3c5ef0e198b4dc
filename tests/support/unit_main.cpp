// Main of the serial unit-test binary. MPI is not started here: the few tests that call code
// taking an MPI_Comm start it themselves (support/unit_mpi.hpp, require_mpi), because ctest runs
// each test in its own process and an Open MPI singleton start costs 0.5-1 s of wall time.
#include <gtest/gtest.h>
#include <mpi.h>

#include "support/unit_mpi.hpp"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const int rc = RUN_ALL_TESTS();
  int started = 0, finished = 0;
  MPI_Initialized(&started);
  MPI_Finalized(&finished);
  if (started && !finished) MPI_Finalize();
  ecgforest::testing_unit::remove_own_ompi_tmpdir();
  return rc;
}

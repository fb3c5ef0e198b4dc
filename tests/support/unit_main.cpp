// Main of the serial unit-test binary. MPI is initialised (as a singleton) because the library
// links parallel HDF5; no test here communicates.
#include <gtest/gtest.h>
#include <mpi.h>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // Test discovery (--gtest_list_tests) runs at build time: do not start MPI for it.
  if (::testing::GTEST_FLAG(list_tests)) return RUN_ALL_TESTS();
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  const int rc = RUN_ALL_TESTS();
  MPI_Finalize();
  return rc;
}

#pragma once
// MPI in the serial unit-test binary, started only by the tests that call code taking an MPI_Comm
// (MPI_COMM_SELF): ctest runs every unit test in its own process, and starting Open MPI as a
// singleton costs each process wall time (0.5-1 s with an orted daemon; ctest sets
// OMPI_MCA_ess_singleton_isolated=1, which starts none), more than the tests themselves take.
// unit_main.cpp finalises MPI when a test started it (a test that crashes leaves its directory
// below behind, in the system's temporary directory).
//
// Every singleton gets its own Open MPI session directory. Singletons started without mpirun all
// use the same one (/tmp/ompi.HOST.UID/jf.0/1), where MPI-IO keeps a shared-file-pointer file named
// after the HDF5 file it opens, and a singleton that ends removes that directory under the others:
// under ctest -j2, Train.BalancedBootstrapTrains failed now and then with "unable to open file for
// mmap: /tmp/ompi.vm.0/jf.0/1/f.h5...sm" (2 of 75 runs of three loops side by side did). The e2e
// scripts get theirs from tests/CMakeLists.txt (OMPI_MCA_orte_tmpdir_base per script).
#include <mpi.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace ecgforest::testing_unit {

/// The session-directory base this process created for Open MPI ("" when it created none).
inline std::string& own_ompi_tmpdir() {
  static std::string dir;
  return dir;
}

/// Points Open MPI at a fresh directory of this process (mkdtemp) unless the environment already
/// names one.
inline void use_own_ompi_tmpdir() {
  if (std::getenv("OMPI_MCA_orte_tmpdir_base") != nullptr) return;
  std::string pattern = (std::filesystem::temp_directory_path() / "ecgforest-unit-ompi-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return;  // Open MPI then uses its default, as before
  own_ompi_tmpdir() = pattern;
  ::setenv("OMPI_MCA_orte_tmpdir_base", pattern.c_str(), 1);
}

/// Initialises MPI (MPI_THREAD_FUNNELED, as the binary did for every test before) unless it is
/// already running. Call from the SetUp of a test that uses MPI.
inline void require_mpi() {
  int started = 0;
  MPI_Initialized(&started);
  if (!started) {
    use_own_ompi_tmpdir();
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  }
}

/// Removes the directory of use_own_ompi_tmpdir (after MPI_Finalize).
inline void remove_own_ompi_tmpdir() {
  if (own_ompi_tmpdir().empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(own_ompi_tmpdir(), ignored);
  own_ompi_tmpdir().clear();
}

}  // namespace ecgforest::testing_unit

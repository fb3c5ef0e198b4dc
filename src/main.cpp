// ecgforest entry point: MPI set-up, one catch for everything, MPI_Abort when a rank fails
// alone (the others would otherwise wait forever in the next collective call).
#include <mpi.h>

#include <cstdio>
#include <exception>

#include "ecgforest/cli/app.hpp"
#include "ecgforest/core/error.hpp"

int main(int argc, char** argv) {
  int provided = 0;
  // MULTIPLE: rank 0 runs the work-queue dispatcher thread beside its own work.
  if (MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided) != MPI_SUCCESS) {
    std::fprintf(stderr, "ecgforest: error: MPI could not be initialised; check the MPI installation and launcher.\n");
    return 1;
  }
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int status = 0;
  try {
    status = ecgforest::cli::run_cli(argc, argv, MPI_COMM_WORLD);
  } catch (const ecgforest::CollectiveError& e) {
    // Every rank holds the same error: print once, exit cleanly everywhere (2: a bad setting).
    if (rank == 0) std::fprintf(stderr, "ecgforest: error: %s\n", e.what());
    status = dynamic_cast<const ecgforest::CollectiveConfigError*>(&e) ? 2 : 1;
  } catch (const std::exception& e) {
    if (size > 1) std::fprintf(stderr, "ecgforest: error (rank %d of %d): %s\n", rank, size, e.what());
    else std::fprintf(stderr, "ecgforest: error: %s\n", e.what());  // one process: no rank to name
    std::fflush(stderr);
    if (size > 1) MPI_Abort(MPI_COMM_WORLD, 1);
    status = 1;
  } catch (...) {
    std::fprintf(stderr, "ecgforest: error (rank %d of %d): unknown exception.\n", rank, size);
    std::fflush(stderr);
    if (size > 1) MPI_Abort(MPI_COMM_WORLD, 1);
    status = 1;
  }
  MPI_Finalize();
  return status;
}

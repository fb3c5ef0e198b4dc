#pragma once
// Command-line front end: parses options (CLI11) and the TOML config, runs one subcommand.
#include <mpi.h>

namespace ecgforest::cli {

/// COLLECTIVE over `comm`: every rank parses the same argv. Returns the process exit status
/// (0 success, 1 failure of the run, 2 bad command line / configuration). Errors that all ranks
/// share are thrown as CollectiveError; anything else escaping means one rank failed alone.
int run_cli(int argc, char** argv, MPI_Comm comm);

}  // namespace ecgforest::cli

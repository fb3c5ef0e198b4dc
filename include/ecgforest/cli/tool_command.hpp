#pragma once
// Subcommands defined outside src/cli/app.cpp (beats, hrv, score, ...). Each lives in its own
// src/cli/<name>_command.cpp and returns a ToolCommand; app.cpp lists the factories in
// tool_commands().
#include <mpi.h>

#include <functional>
#include <string>

namespace CLI {
class App;
}

namespace ecgforest::cli {

struct ToolCommand {
  std::string name;
  std::string help;
  /// Registers the subcommand's options on `sub` (binding them to state the command owns).
  std::function<void(CLI::App& sub)> add_options;
  /// Runs the command on every rank of `comm` after parsing; returns the exit status
  /// (0 ok, 1 failure, 2 bad usage). Throw ConfigError for bad option values (reported as
  /// exit 2 by app.cpp), CollectiveError for failures every rank shares.
  std::function<int(MPI_Comm comm)> run;
};

/// Runs `work` on rank 0 of `comm` while the other ranks wait; every rank returns the same exit
/// status: 0, 2 when `work` threw ConfigError or ParameterError (bad usage: an option value
/// the command or the numeric code it calls rejects), 1 for any other error (printed once,
/// by rank 0, as "ecgforest: error: ...").
int run_on_rank0(MPI_Comm comm, const std::function<void()>& work);

}  // namespace ecgforest::cli

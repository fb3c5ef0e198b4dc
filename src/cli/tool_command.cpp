#include "ecgforest/cli/tool_command.hpp"

#include <cstdio>
#include <exception>
#include <string>

#include "ecgforest/comm/mpi.hpp"
#include "ecgforest/core/error.hpp"

namespace ecgforest::cli {

int run_on_rank0(MPI_Comm comm, const std::function<void()>& work) {
  std::string err;
  int status = 1;
  if (comm::rank(comm) == 0) {
    try {
      work();
    } catch (const ConfigError& e) {
      err = e.what();
      status = 2;
    } catch (const ParameterError& e) {
      // The tool commands pass their options straight to numeric code (e.g. hrv --profile):
      // a parameter it rejects is a bad option value, so bad usage as well.
      err = e.what();
      status = 2;
    } catch (const std::exception& e) {
      err = e.what();
    }
  }
  if (auto e = comm::agree_on_error(comm, err); !e.empty()) {
    if (comm::rank(comm) == 0) std::fprintf(stderr, "ecgforest: error: %s\n", e.c_str());
    comm::check_mpi(MPI_Bcast(&status, 1, MPI_INT, 0, comm), "MPI_Bcast (exit status)");
    return status;
  }
  return 0;
}

}  // namespace ecgforest::cli

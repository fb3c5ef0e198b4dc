#pragma once
// Small checked helpers over MPI. Every function takes the communicator as a parameter; nothing
// here holds a static communicator.
#include <mpi.h>

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "ecgforest/core/error.hpp"

namespace ecgforest::comm {

/// Throws ecgforest::MpiError("<what> failed: <MPI error string>") when rc != MPI_SUCCESS.
void check_mpi(int rc, const char* what);

int rank(MPI_Comm comm);
int size(MPI_Comm comm);

/// Collective: rank `root`'s string is returned on every rank.
std::string broadcast_string(MPI_Comm comm, const std::string& s, int root = 0);

/// Collective: concatenation (in rank order) of every rank's bytes, on `root` only (empty
/// elsewhere). Each rank's part is returned separately when `parts` is non-null (root only).
std::vector<char> gather_bytes(MPI_Comm comm, const std::vector<char>& mine, int root,
                               std::vector<std::vector<char>>* parts = nullptr);

/// Collective: every rank's bytes, in rank order, on every rank.
std::vector<std::vector<char>> allgather_bytes(MPI_Comm comm, const std::vector<char>& mine);

/// Collective error agreement: every rank passes its own error text (empty = fine); returns the
/// first non-empty one in rank order (same on all ranks), or empty when all succeeded.
/// Use it after a step that may fail on some ranks only, so no rank waits forever in the next
/// collective call.
std::string agree_on_error(MPI_Comm comm, const std::string& my_error);

/// Collective: runs `fn` on this rank, then every rank agrees on the outcome. When `fn` threw on
/// any rank, every rank throws CollectiveError with the first failing rank's message (in rank
/// order) after `prefix` ("Training failed: ", or empty), so no rank waits in the next collective;
/// a ConfigError (a bad setting) becomes a CollectiveConfigError (exit 2) on every rank.
/// The one form of the try / agree_on_error / throw pattern.
template <class Fn>
void collective_try(MPI_Comm comm, const std::string& prefix, Fn&& fn) {
  std::string err;  // first character: 'C' for a ConfigError, 'E' for any other error
  try {
    fn();
  } catch (const ConfigError& e) {
    err = std::string("C") + e.what();
  } catch (const std::exception& e) {
    err = std::string("E") + e.what();
  }
  const auto e = agree_on_error(comm, err);
  if (e.empty()) return;
  if (e[0] == 'C') throw CollectiveConfigError(prefix + e.substr(1));
  throw CollectiveError(prefix + e.substr(1));
}

}  // namespace ecgforest::comm

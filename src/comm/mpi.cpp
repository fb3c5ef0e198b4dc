#include "ecgforest/comm/mpi.hpp"

#include <algorithm>
#include <cstring>

#include "ecgforest/core/error.hpp"

namespace ecgforest::comm {

void check_mpi(int rc, const char* what) {
  if (rc != MPI_SUCCESS) {
    char text[MPI_MAX_ERROR_STRING] = {0};
    int len = 0;
    MPI_Error_string(rc, text, &len);
    throw MpiError(std::string(what) + " failed: " + std::string(text, static_cast<std::size_t>(len)) + ".");
  }
}

int rank(MPI_Comm comm) {
  int r = 0;
  check_mpi(MPI_Comm_rank(comm, &r), "MPI_Comm_rank");
  return r;
}

int size(MPI_Comm comm) {
  int s = 0;
  check_mpi(MPI_Comm_size(comm, &s), "MPI_Comm_size");
  return s;
}

std::string broadcast_string(MPI_Comm comm, const std::string& s, int root) {
  std::uint64_t n = s.size();
  check_mpi(MPI_Bcast(&n, 1, MPI_UINT64_T, root, comm), "MPI_Bcast (string length)");
  std::string out = rank(comm) == root ? s : std::string(n, '\0');
  if (n > 0) check_mpi(MPI_Bcast(out.data(), static_cast<int>(n), MPI_CHAR, root, comm), "MPI_Bcast (string)");
  return out;
}

std::vector<char> gather_bytes(MPI_Comm comm, const std::vector<char>& mine, int root,
                               std::vector<std::vector<char>>* parts) {
  const int p = size(comm);
  const int me = rank(comm);
  int n = static_cast<int>(mine.size());
  std::vector<int> counts(me == root ? static_cast<std::size_t>(p) : 0);
  check_mpi(MPI_Gather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, root, comm), "MPI_Gather (byte counts)");
  std::vector<int> displs(counts.size(), 0);
  std::vector<char> all;
  if (me == root) {
    for (int i = 1; i < p; ++i) displs[static_cast<std::size_t>(i)] = displs[static_cast<std::size_t>(i) - 1] + counts[static_cast<std::size_t>(i) - 1];
    all.resize(static_cast<std::size_t>(displs.back() + counts.back()));
  }
  check_mpi(MPI_Gatherv(mine.data(), n, MPI_CHAR, all.data(), counts.data(), displs.data(), MPI_CHAR, root, comm),
            "MPI_Gatherv (bytes)");
  if (parts && me == root) {
    parts->clear();
    for (int i = 0; i < p; ++i) {
      const auto b = all.begin() + displs[static_cast<std::size_t>(i)];
      parts->emplace_back(b, b + counts[static_cast<std::size_t>(i)]);
    }
  }
  return all;
}

std::vector<std::vector<char>> allgather_bytes(MPI_Comm comm, const std::vector<char>& mine) {
  const int p = size(comm);
  int n = static_cast<int>(mine.size());
  std::vector<int> counts(static_cast<std::size_t>(p));
  check_mpi(MPI_Allgather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, comm), "MPI_Allgather (byte counts)");
  std::vector<int> displs(static_cast<std::size_t>(p), 0);
  for (int i = 1; i < p; ++i) displs[static_cast<std::size_t>(i)] = displs[static_cast<std::size_t>(i) - 1] + counts[static_cast<std::size_t>(i) - 1];
  std::vector<char> all(static_cast<std::size_t>(displs[static_cast<std::size_t>(p) - 1] + counts[static_cast<std::size_t>(p) - 1]));
  check_mpi(MPI_Allgatherv(mine.data(), n, MPI_CHAR, all.data(), counts.data(), displs.data(), MPI_CHAR, comm),
            "MPI_Allgatherv (bytes)");
  std::vector<std::vector<char>> parts;
  for (int i = 0; i < p; ++i) {
    const auto b = all.begin() + displs[static_cast<std::size_t>(i)];
    parts.emplace_back(b, b + counts[static_cast<std::size_t>(i)]);
  }
  return parts;
}

std::string agree_on_error(MPI_Comm comm, const std::string& my_error) {
  const int me = rank(comm);
  int mine = my_error.empty() ? size(comm) : me;
  int first = 0;
  check_mpi(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm), "MPI_Allreduce (error agreement)");
  if (first == size(comm)) return {};
  return broadcast_string(comm, my_error, first);
}

}  // namespace ecgforest::comm

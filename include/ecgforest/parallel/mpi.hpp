#pragma once
// Small checked helpers over MPI. Every function takes the communicator as a parameter; nothing
// here holds a static communicator.
#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ecgforest::parallel {

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

/// Byte-buffer serialisation used to move small structs between ranks.
class Writer {
 public:
  void u64(std::uint64_t v);
  void f64(double v);
  void str(const std::string& s);
  template <class T>
  void pod_vector(const std::vector<T>& v) {
    u64(v.size());
    const char* p = reinterpret_cast<const char*>(v.data());
    buf_.insert(buf_.end(), p, p + v.size() * sizeof(T));
  }
  std::vector<char>& bytes() { return buf_; }

 private:
  std::vector<char> buf_;
};

class Reader {
 public:
  Reader(const char* data, std::size_t n) : p_(data), end_(data + n) {}
  std::uint64_t u64();
  double f64();
  std::string str();
  template <class T>
  std::vector<T> pod_vector() {
    const std::uint64_t n = u64();
    need(n * sizeof(T));
    std::vector<T> v(n);
    std::copy(p_, p_ + n * sizeof(T), reinterpret_cast<char*>(v.data()));
    p_ += n * sizeof(T);
    return v;
  }
  bool done() const { return p_ == end_; }

 private:
  void need(std::size_t n) const;
  const char* p_;
  const char* end_;
};

}  // namespace ecgforest::parallel

#pragma once
// A byte codec for small structs: ByteWriter appends, ByteReader reads back in the same order.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ecgforest {

/// Byte-buffer serialisation (native byte order) used to move small structs between ranks and
/// to store them in files written and read by the same build. ByteReader throws ecgforest::Error
/// when the buffer is shorter than what is read.
class ByteWriter {
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

class ByteReader {
 public:
  ByteReader(const char* data, std::size_t n) : p_(data), end_(data + n) {}
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

}  // namespace ecgforest

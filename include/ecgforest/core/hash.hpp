#pragma once
// A fast 64-bit content hash (not cryptographic) for cache and checkpoint keys: the same bytes
// fed in the same pieces give the same value on every machine of one byte order.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ecgforest {

class Hasher {
 public:
  Hasher& bytes(const void* data, std::size_t n);
  Hasher& text(std::string_view s);  ///< length-prefixed, so ("ab","c") != ("a","bc")
  Hasher& u64(std::uint64_t v);
  template <class T>
  Hasher& pod_vector(const std::vector<T>& v) {
    u64(v.size());
    return bytes(v.data(), v.size() * sizeof(T));
  }
  std::uint64_t value() const;
  /// value() as 16 lower-case hex digits.
  std::string hex() const;

 private:
  std::uint64_t h_ = 0x9E3779B97F4A7C15ULL;
  std::uint64_t n_ = 0;
};

}  // namespace ecgforest

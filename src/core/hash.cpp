#include "ecgforest/core/hash.hpp"

#include <cstdio>
#include <cstring>

namespace ecgforest {
namespace {

// splitmix64's finaliser: every input bit affects every output bit.
std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Hasher& Hasher::bytes(const void* data, std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    h_ = rotl(h_ ^ (w * 0x87C37B91114253D5ULL), 31) * 0x4CF5AD432745937FULL + 0x52DCE729ULL;
  }
  std::uint64_t tail = 0;
  if (n > i) std::memcpy(&tail, p + i, n - i);
  h_ = rotl(h_ ^ mix(tail + (n - i)), 27) * 0x4CF5AD432745937FULL;
  n_ += n;
  return *this;
}

Hasher& Hasher::text(std::string_view s) {
  u64(s.size());
  return bytes(s.data(), s.size());
}

Hasher& Hasher::u64(std::uint64_t v) { return bytes(&v, sizeof v); }

std::uint64_t Hasher::value() const { return mix(h_ ^ n_); }

std::string Hasher::hex() const {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(value()));
  return buf;
}

}  // namespace ecgforest

#include "ecgforest/core/bytes.hpp"

#include <cstring>

#include "ecgforest/core/error.hpp"

namespace ecgforest {

void ByteWriter::u64(std::uint64_t v) {
  const char* p = reinterpret_cast<const char*>(&v);
  buf_.insert(buf_.end(), p, p + sizeof v);
}
void ByteWriter::f64(double v) {
  const char* p = reinterpret_cast<const char*>(&v);
  buf_.insert(buf_.end(), p, p + sizeof v);
}
void ByteWriter::str(const std::string& s) {
  u64(s.size());
  buf_.insert(buf_.end(), s.begin(), s.end());
}

void ByteReader::need(std::size_t n) const {
  if (static_cast<std::size_t>(end_ - p_) < n) throw Error("A byte message (between ranks or in a checkpoint) was shorter than expected; it is damaged.");
}
std::uint64_t ByteReader::u64() {
  need(8);
  std::uint64_t v = 0;
  std::memcpy(&v, p_, 8);
  p_ += 8;
  return v;
}
double ByteReader::f64() {
  need(8);
  double v = 0;
  std::memcpy(&v, p_, 8);
  p_ += 8;
  return v;
}
std::string ByteReader::str() {
  const std::uint64_t n = u64();
  need(n);
  std::string s(p_, p_ + n);
  p_ += n;
  return s;
}

}  // namespace ecgforest

// Round-trip number formatting for the `hrv` command.
#include "ecgforest/hrv/rr_csv.hpp"

#include <charconv>
#include <cmath>

namespace ecgforest::hrv {

std::string format_double(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, r.ptr);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

}  // namespace ecgforest::hrv

// libFuzzer target: io::read_rr_intervals (the old workflow's RR table, `rr_interval` column in ms) on
// arbitrary file contents, and python_float_text on every value it returns. Contract checked:
// ecgforest::Error or a vector of values; python_float_text of a finite value reads back (strtod)
// to the same double.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/text.hpp"
#include "ecgforest/io/beat_file.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ecgforest;
  const auto path = fuzz::write_scratch({reinterpret_cast<const char*>(data), size}, "_rr.csv");
  try {
    for (const double v : io::read_rr_intervals(path)) {
      const std::string t = python_float_text(v);
      if (std::isfinite(v)) fuzz::require(std::strtod(t.c_str(), nullptr) == v, "python_float_text reads back");
    }
  } catch (const Error&) {
  }
  return 0;
}

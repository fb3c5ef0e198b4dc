// libFuzzer target: io::read_annotations on arbitrary file contents. The first input byte picks
// the extension (.tse, .tse_bi, .csv, .csv_bi) and whether a recording start date is given; the
// rest is the file. Contract checked: either RecordError("bad_annotation") or events with finite
// times, 0 <= start < stop, sorted by start.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "ecgforest/core/error.hpp"
#include "ecgforest/io/annotations.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ecgforest;
  if (size < 1) return 0;
  static const char* const kExt[] = {".tse", ".tse_bi", ".csv", ".csv_bi"};
  const std::string ext = kExt[data[0] & 3u];
  const bool with_start = (data[0] & 4u) != 0;
  const auto path = fuzz::write_scratch({reinterpret_cast<const char*>(data) + 1, size - 1}, ext);
  try {
    std::optional<StartDateTime> start;
    if (with_start) start = StartDateTime{2017, 1, 10, 14, 0, 0, 0.25};
    const auto ann = io::read_annotations(path, start);
    double prev = -1;
    for (const auto& e : ann.events) {
      fuzz::require(std::isfinite(e.start_s) && std::isfinite(e.stop_s), "event times are finite");
      fuzz::require(e.start_s >= 0 && e.stop_s > e.start_s, "0 <= start < stop");
      fuzz::require(e.start_s >= prev, "events sorted by start");
      prev = e.start_s;
      fuzz::require(std::isfinite(e.confidence), "confidence is finite");
    }
  } catch (const RecordError& e) {
    fuzz::require(e.kind() == "bad_annotation", "annotation errors have kind bad_annotation");
  }
  return 0;
}

// libFuzzer target: hrv::read_aura_tse_bi (the old workflow's tse_bi reader) on arbitrary file
// contents, then aura_labels on what it returns. Contract checked: RecordError or events.
#include <cstddef>
#include <cstdint>

#include "ecgforest/core/error.hpp"
#include "ecgforest/hrv/aura2021.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ecgforest;
  const auto path = fuzz::write_scratch({reinterpret_cast<const char*>(data), size}, ".tse_bi");
  try {
    const auto events = hrv::read_aura_tse_bi(path.string());
    (void)hrv::aura_labels(events, 64);
  } catch (const RecordError&) {
  }
  return 0;
}

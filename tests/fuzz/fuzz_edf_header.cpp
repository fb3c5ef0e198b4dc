// libFuzzer target: the independent EDF header check (io::edf_header_problem) on arbitrary bytes,
// then, for inputs it accepts, the whole EDFlib path (io::EdfFile + read_channel of every
// channel) on the same bytes as a file. Contract checked: the check never throws; a header it
// accepts either opens or fails with RecordError, never crashes EDFlib or our reader.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ecgforest/core/error.hpp"
#include "ecgforest/io/edf_reader.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ecgforest;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::string problem = io::edf_header_problem(bytes, size);
  // Also as a prefix of a larger file (only the header was read): must not read past `bytes`.
  (void)io::edf_header_problem(bytes, static_cast<std::uint64_t>(size) * 3 + 1);
  if (!problem.empty()) return 0;
  const auto path = fuzz::write_scratch(bytes, ".edf");
  try {
    io::EdfFile f(path);
    for (const auto& ch : f.info().channels) {
      if (ch.n_samples > (1 << 22)) continue;  // keep iterations fast
      (void)f.read_channel(ch.index);
    }
  } catch (const RecordError&) {
  }
  return 0;
}

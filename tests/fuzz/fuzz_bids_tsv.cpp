// libFuzzer target: the BIDS sidecar readers on arbitrary file contents. The first input byte
// picks io::ecg_channel_from_channels_tsv (even) or io::read_participants_tsv (odd); the rest is
// the file. Contract checked: channels -> RecordError("bad_channels") or a name without a tab or
// newline; participants -> ConfigError or unique ids "sub-<letters and digits>".
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "ecgforest/core/error.hpp"
#include "ecgforest/io/bids.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ecgforest;
  if (size < 1) return 0;
  const bool participants = (data[0] & 1u) != 0;
  const auto path = fuzz::write_scratch({reinterpret_cast<const char*>(data) + 1, size - 1}, ".tsv");
  if (!participants) {
    try {
      const std::string name = io::ecg_channel_from_channels_tsv(path);
      fuzz::require(name.find_first_of("\t\n") == std::string::npos, "a channel name has no tab or newline");
    } catch (const RecordError& e) {
      fuzz::require(e.kind() == "bad_channels", "channels errors have kind bad_channels");
    }
    return 0;
  }
  try {
    const auto p = io::read_participants_tsv(path);
    std::set<std::string> seen;
    for (const auto& id : p.ids) {
      fuzz::require(id.size() > 4 && id.rfind("sub-", 0) == 0, "ids are sub-<label>");
      for (std::size_t i = 4; i < id.size(); ++i) {
        fuzz::require(std::isalnum(static_cast<unsigned char>(id[i])) != 0, "labels are letters and digits");
      }
      fuzz::require(seen.insert(id).second, "ids are unique");
    }
  } catch (const ConfigError&) {
  }
  return 0;
}

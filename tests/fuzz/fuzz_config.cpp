// libFuzzer target: the TOML configuration reader (apply_config_text). Contract checked: either
// ConfigError, or a configuration whose effective TOML (to_toml) reads back to the same TOML.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ecgforest/core/config.hpp"
#include "ecgforest/core/error.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ecgforest;
  const std::string text(reinterpret_cast<const char*>(data), size);
  Config c;
  try {
    apply_config_text(c, text, "fuzz input");
  } catch (const ConfigError&) {
    return 0;
  }
  try {
    validate(c);
  } catch (const ConfigError&) {
    // out-of-range values are reported by validate(); still round-trip below
  }
  const std::string once = to_toml(c);
  Config again;
  try {
    apply_config_text(again, once, "to_toml output");
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "to_toml output does not read back: %s\n--- toml ---\n%s\n", e.what(), once.c_str());
    fuzz::require(false, "to_toml output reads back");
  }
  if (to_toml(again) != once) {
    std::fprintf(stderr, "--- first ---\n%s\n--- second ---\n%s\n", once.c_str(), to_toml(again).c_str());
    fuzz::require(false, "to_toml is stable under a read-back");
  }
  return 0;
}

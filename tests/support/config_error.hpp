#pragma once
// The ConfigError message a configuration text raises when parsed and validated ("" when valid):
// shared by the config tests of single keys.
#include <string>

#include "ecgforest/core/config.hpp"
#include "ecgforest/core/error.hpp"

namespace ecgforest::test {

inline std::string config_error_of(const std::string& text, const std::string& file = "test.toml") {
  try {
    Config c;
    apply_config_text(c, text, file);
    validate(c);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace ecgforest::test

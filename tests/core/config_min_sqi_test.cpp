// postprocess.min_sqi: typed, validated when parsed (a bad value is a ConfigError, exit 2).
#include <gtest/gtest.h>

#include <string>

#include "ecgforest/core/config.hpp"
#include "ecgforest/core/error.hpp"
#include "support/config_error.hpp"

namespace ecgforest {
namespace {

using test::config_error_of;

TEST(ConfigMinSqi, DefaultIsTheDocumentedGate) {
  EXPECT_EQ(Config{}.postprocess.min_sqi, 0.85);
}

TEST(ConfigMinSqi, FileValueAndFlagAreApplied) {
  Config c;
  apply_config_text(c, "[postprocess]\nmin_sqi = 0.25\n", "gate.toml");
  EXPECT_EQ(c.postprocess.min_sqi, 0.25);
  EXPECT_EQ(c.explicit_keys.count("postprocess.min_sqi"), 1u);
  Config back;
  apply_config_text(back, to_toml(c), "to_toml");
  EXPECT_EQ(back.postprocess.min_sqi, 0.25);
  bool found = false;
  for (const auto& k : config_schema()) {
    if (k.key != "postprocess.min_sqi") continue;
    found = true;
    EXPECT_EQ(k.flag, "--min-event-sqi");
    EXPECT_NE(k.commands & static_cast<unsigned>(Command::predict), 0u);
    EXPECT_NE(k.commands & static_cast<unsigned>(Command::train), 0u);
    k.set(c, {"0"});
    EXPECT_EQ(c.postprocess.min_sqi, 0.0);
  }
  EXPECT_TRUE(found);
}

TEST(ConfigMinSqi, BadValuesAreConfigErrorsNamingTheKey) {
  EXPECT_EQ(config_error_of("[postprocess]\nmin_sqi = 0\n"), "");
  EXPECT_EQ(config_error_of("[postprocess]\nmin_sqi = 1\n"), "");
  for (const char* bad : {"1.5", "-0.1", "\"high\"", "nan"}) {
    const std::string msg = config_error_of(std::string("[postprocess]\nmin_sqi = ") + bad + "\n");
    EXPECT_NE(msg.find("min_sqi"), std::string::npos) << bad << ": '" << msg << "'";
  }
}

}  // namespace
}  // namespace ecgforest

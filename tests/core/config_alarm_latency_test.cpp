// postprocess.max_alarm_latency_s: typed, validated when parsed (a bad value is a ConfigError,
// exit 2), off by default, a train/run key (predict applies the model's choice).
#include <gtest/gtest.h>

#include <string>

#include "ecgforest/core/config.hpp"
#include "ecgforest/core/error.hpp"
#include "support/config_error.hpp"

namespace ecgforest {
namespace {

using test::config_error_of;

TEST(ConfigAlarmLatency, OffByDefaultAndApplied) {
  EXPECT_EQ(Config{}.postprocess.max_alarm_latency_s, 0.0);
  Config c;
  apply_config_text(c, "[postprocess]\nmax_alarm_latency_s = 20\n", "latency.toml");
  EXPECT_EQ(c.postprocess.max_alarm_latency_s, 20.0);
  Config back;
  apply_config_text(back, to_toml(c), "to_toml");
  EXPECT_EQ(back.postprocess.max_alarm_latency_s, 20.0);
  bool found = false;
  for (const auto& k : config_schema()) {
    if (k.key != "postprocess.max_alarm_latency_s") continue;
    found = true;
    EXPECT_EQ(k.flag, "--max-alarm-latency");
    EXPECT_NE(k.commands & static_cast<unsigned>(Command::train), 0u);
    EXPECT_NE(k.commands & static_cast<unsigned>(Command::run), 0u);
    EXPECT_EQ(k.commands & static_cast<unsigned>(Command::predict), 0u);
  }
  EXPECT_TRUE(found);
}

TEST(ConfigAlarmLatency, BadValuesAreConfigErrorsNamingTheKey) {
  EXPECT_EQ(config_error_of("[postprocess]\nmax_alarm_latency_s = 0\n"), "");
  EXPECT_EQ(config_error_of("[postprocess]\nmax_alarm_latency_s = 3600\n"), "");
  for (const char* bad : {"-1", "3601", "nan", "\"fast\""}) {
    const std::string msg = config_error_of(std::string("[postprocess]\nmax_alarm_latency_s = ") + bad + "\n");
    EXPECT_NE(msg.find("max_alarm_latency_s"), std::string::npos) << bad << ": '" << msg << "'";
  }
}

}  // namespace
}  // namespace ecgforest

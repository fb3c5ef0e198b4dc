// postprocess.max_alarm_latency_s and postprocess.alarm_within_s: typed, validated when parsed (a
// bad value is a ConfigError, exit 2), off by default, train/run keys (predict applies the
// model's choice).
#include <gtest/gtest.h>

#include <string>

#include "ecgforest/core/config.hpp"
#include "ecgforest/core/error.hpp"
#include "support/config_error.hpp"

namespace ecgforest {
namespace {

using test::config_error_of;

struct LatencyKey {
  const char* name;  // key inside [postprocess]
  const char* flag;
  double PostprocessSettings::*member;
};

class ConfigAlarmLatency : public ::testing::TestWithParam<LatencyKey> {};

TEST_P(ConfigAlarmLatency, OffByDefaultAndApplied) {
  const auto& p = GetParam();
  EXPECT_EQ(Config{}.postprocess.*p.member, 0.0);
  Config c;
  apply_config_text(c, std::string("[postprocess]\n") + p.name + " = 20\n", "latency.toml");
  EXPECT_EQ(c.postprocess.*p.member, 20.0);
  Config back;
  apply_config_text(back, to_toml(c), "to_toml");
  EXPECT_EQ(back.postprocess.*p.member, 20.0);
  bool found = false;
  for (const auto& k : config_schema()) {
    if (k.key != std::string("postprocess.") + p.name) continue;
    found = true;
    EXPECT_EQ(k.flag, p.flag);
    EXPECT_NE(k.commands & static_cast<unsigned>(Command::train), 0u);
    EXPECT_NE(k.commands & static_cast<unsigned>(Command::run), 0u);
    EXPECT_EQ(k.commands & static_cast<unsigned>(Command::predict), 0u);
  }
  EXPECT_TRUE(found);
}

TEST_P(ConfigAlarmLatency, BadValuesAreConfigErrorsNamingTheKey) {
  const std::string head = std::string("[postprocess]\n") + GetParam().name + " = ";
  EXPECT_EQ(config_error_of(head + "0\n"), "");
  EXPECT_EQ(config_error_of(head + "3600\n"), "");
  for (const char* bad : {"-1", "3601", "nan", "\"fast\""}) {
    const std::string msg = config_error_of(head + bad + "\n");
    EXPECT_NE(msg.find(GetParam().name), std::string::npos) << bad << ": '" << msg << "'";
  }
}

INSTANTIATE_TEST_SUITE_P(Keys, ConfigAlarmLatency,
                         ::testing::Values(LatencyKey{"max_alarm_latency_s", "--max-alarm-latency",
                                                      &PostprocessSettings::max_alarm_latency_s},
                                           LatencyKey{"alarm_within_s", "--alarm-within",
                                                      &PostprocessSettings::alarm_within_s}),
                         [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace ecgforest

// The name tables of the enumerated settings (core/choices.hpp): one name per value, names
// unique, parse_choice inverts choice_name, anything else is rejected, and the names are the
// ones config files, flags and the stored configuration have always used (output files hold them).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "ecgforest/core/choices.hpp"

namespace ecgforest {
namespace {

template <class E>
std::vector<std::string> names_of() {
  std::vector<std::string> out;
  for (const auto& [value, name] : ChoiceNames<E>::table) {
    out.emplace_back(name);
    EXPECT_EQ(choice_name(value), name);
    EXPECT_EQ(parse_choice<E>(name), value) << name;
  }
  EXPECT_EQ(std::set<std::string>(out.begin(), out.end()).size(), out.size()) << "duplicate name";
  EXPECT_FALSE(parse_choice<E>("nope").has_value());
  EXPECT_FALSE(parse_choice<E>("").has_value());
  return out;
}

TEST(Choices, DetectorNamesAreTheStoredOnes) {
  EXPECT_EQ(names_of<Detector>(), (std::vector<std::string>{"default", "elgendi", "elgendi-plain", "elgendi-whole"}));
  EXPECT_EQ(choice_name(Detector::default_), "default");
  EXPECT_EQ(parse_choice<Detector>("elgendi_plain"), std::nullopt);  // the name has a hyphen
  EXPECT_EQ(parse_choice<Detector>("Default"), std::nullopt);        // exact, lower case
  EXPECT_EQ(choice_list<Detector>(), "'default', 'elgendi', 'elgendi-plain' or 'elgendi-whole'");
}

TEST(Choices, HrvProfileNamesAreTheStoredOnes) {
  EXPECT_EQ(names_of<HrvProfile>(), (std::vector<std::string>{"default", "aura2021", "head"}));
  EXPECT_EQ(parse_choice<HrvProfile>("aura2021"), HrvProfile::aura2021);
  EXPECT_EQ(choice_list<HrvProfile>(), "'default', 'aura2021' or 'head'");
}

TEST(Choices, EveryOtherTableIsOneToOne) {
  EXPECT_EQ(names_of<ClassWeight>(), (std::vector<std::string>{"balanced", "none"}));
  EXPECT_EQ(names_of<Bootstrap>(), (std::vector<std::string>{"standard", "balanced", "subsample", "none"}));
  EXPECT_EQ(names_of<Smoothing>(), (std::vector<std::string>{"none", "mean", "median"}));
  EXPECT_EQ(names_of<PostprocessSelect>(), (std::vector<std::string>{"cv", "fixed"}));
  EXPECT_EQ(names_of<Scorer>(), (std::vector<std::string>{"nedc", "szcore", "all"}));
  EXPECT_EQ(names_of<TaesOverlap>(), (std::vector<std::string>{"nedc", "exact"}));
  EXPECT_EQ(choice_name(TaesOverlap::whole_seconds), "nedc");
  EXPECT_EQ(choice_list<ClassWeight>(), "'balanced' or 'none'");
}

}  // namespace
}  // namespace ecgforest

#pragma once
// The enumerated settings of the configuration, each with one name table: the names are what
// config files, flags, the stored configuration, JSON and logs say; parse_choice turns a name into
// the value (the configuration rejects anything else when it is parsed, listing the choices).
// Numeric layers take these values directly (signal: Detector; hrv: HrvProfile; forest:
// ClassWeight, Bootstrap; eval: Smoothing, TaesOverlap), so no layer maps or re-checks strings.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace ecgforest {

/// R-peak detector (signal/rpeaks.hpp): `default_` is "default", today the same detector as
/// "elgendi" but stored under its own name, so that outputs say what the user asked for.
enum class Detector { default_, elgendi, elgendi_plain, elgendi_whole };
/// HRV profile (hrv/features.hpp): `default_` is "default".
enum class HrvProfile { default_, aura2021, head };
enum class ClassWeight { none, balanced };
/// train's learner: a random forest or gradient-boosted trees (forest/boost.hpp).
enum class Learner { forest, boosted };
enum class Bootstrap { none, standard, balanced, subsample };
enum class Smoothing { none, mean, median };
enum class PostprocessSelect { cv, fixed };
enum class Scorer { nedc, szcore, all };
/// NEDC TAES overlap test: "nedc" = NEDC v6.0.0's whole-second test, "exact" = exact overlap.
enum class TaesOverlap { whole_seconds, exact };

template <class E>
struct ChoiceNames;  // specialised below: static constexpr array of {value, name}

template <>
struct ChoiceNames<Detector> {
  static constexpr std::array<std::pair<Detector, std::string_view>, 4> table{
      {{Detector::default_, "default"}, {Detector::elgendi, "elgendi"}, {Detector::elgendi_plain, "elgendi-plain"},
       {Detector::elgendi_whole, "elgendi-whole"}}};
};
template <>
struct ChoiceNames<HrvProfile> {
  static constexpr std::array<std::pair<HrvProfile, std::string_view>, 3> table{
      {{HrvProfile::default_, "default"}, {HrvProfile::aura2021, "aura2021"}, {HrvProfile::head, "head"}}};
};
template <>
struct ChoiceNames<ClassWeight> {
  static constexpr std::array<std::pair<ClassWeight, std::string_view>, 2> table{
      {{ClassWeight::balanced, "balanced"}, {ClassWeight::none, "none"}}};
};
template <>
struct ChoiceNames<Learner> {
  static constexpr std::array<std::pair<Learner, std::string_view>, 2> table{
      {{Learner::forest, "forest"}, {Learner::boosted, "boosted"}}};
};
template <>
struct ChoiceNames<Bootstrap> {
  static constexpr std::array<std::pair<Bootstrap, std::string_view>, 4> table{
      {{Bootstrap::standard, "standard"}, {Bootstrap::balanced, "balanced"}, {Bootstrap::subsample, "subsample"},
       {Bootstrap::none, "none"}}};
};
template <>
struct ChoiceNames<Smoothing> {
  static constexpr std::array<std::pair<Smoothing, std::string_view>, 3> table{
      {{Smoothing::none, "none"}, {Smoothing::mean, "mean"}, {Smoothing::median, "median"}}};
};
template <>
struct ChoiceNames<PostprocessSelect> {
  static constexpr std::array<std::pair<PostprocessSelect, std::string_view>, 2> table{
      {{PostprocessSelect::cv, "cv"}, {PostprocessSelect::fixed, "fixed"}}};
};
template <>
struct ChoiceNames<Scorer> {
  static constexpr std::array<std::pair<Scorer, std::string_view>, 3> table{
      {{Scorer::nedc, "nedc"}, {Scorer::szcore, "szcore"}, {Scorer::all, "all"}}};
};
template <>
struct ChoiceNames<TaesOverlap> {
  static constexpr std::array<std::pair<TaesOverlap, std::string_view>, 2> table{
      {{TaesOverlap::whole_seconds, "nedc"}, {TaesOverlap::exact, "exact"}}};
};

/// The name of a value ("balanced", "mean", ...).
template <class E>
std::string choice_name(E v) {
  for (const auto& [value, name] : ChoiceNames<E>::table) {
    if (value == v) return std::string(name);
  }
  return "?";
}

/// The value named `name` (exact, lower case), or nullopt.
template <class E>
std::optional<E> parse_choice(std::string_view name) {
  for (const auto& [value, n] : ChoiceNames<E>::table) {
    if (n == name) return value;
  }
  return std::nullopt;
}

/// The names as a sentence fragment: "'standard', 'balanced', 'subsample' or 'none'".
template <class E>
std::string choice_list() {
  std::string out;
  const auto& t = ChoiceNames<E>::table;
  for (std::size_t i = 0; i < t.size(); ++i) {  // appended piece by piece (GCC 12 -Wrestrict false positive)
    out += i == 0 ? "" : i + 1 == t.size() ? " or " : ", ";
    out += '\'';
    out += t[i].second;
    out += '\'';
  }
  return out;
}

}  // namespace ecgforest

#include "ecgforest/io/provenance.hpp"

#include <cmath>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>

#include "ecgforest/core/choices.hpp"
#include "ecgforest/core/error.hpp"
#include "ecgforest/io/features_file.hpp"
#include "ecgforest/io/h5.hpp"
#include "ecgforest/version.hpp"

namespace ecgforest::io {
namespace {

// A string attribute holding one of the names of ChoiceNames<E>; a file layout error otherwise.
template <class E>
E stored_choice(hid_t obj, const char* name) {
  const std::string text = h5::read_string_attribute(obj, name);
  const auto value = parse_choice<E>(text);
  if (!value) {
    throw Hdf5Error(std::string("The attribute '") + name + "' holds '" + text + "', which this ecgforest does not know (" +
                    choice_list<E>() + "); the file was written by another version.");
  }
  return *value;
}

}  // namespace

void write_provenance(hid_t file, const std::string& format, const std::string& config_toml) {
  h5::write_string_attribute(file, "format", format);
  h5::write_string_attribute(file, "config", config_toml);
  h5::write_string_attribute(file, "version", kVersion);
  h5::write_string_attribute(file, "created", utc_now_iso());
}

void write_stored_extract(hid_t obj, const StoredExtract& x) {
  h5::write_double_attribute(obj, "window_s", x.window_s);
  h5::write_double_attribute(obj, "step_s", x.step_s);
  h5::write_string_attribute(obj, "detector", choice_name(x.detector));
  h5::write_string_attribute(obj, "hrv_profile", choice_name(x.hrv_profile));
  h5::write_double_attribute(obj, "hrv_nonlinear_window_s", x.hrv_nonlinear_window_s);
  h5::write_double_attribute(obj, "hrv_frequency_window_s", x.hrv_frequency_window_s);
}

namespace {

// The number of a `key = value` line of a stored configuration (keys are unique across tables).
std::optional<double> stored_config_number(const std::string& toml, const std::string& key) {
  std::istringstream in(toml);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key, 0) != 0) continue;
    const auto eq = line.find('=', key.size());
    if (eq == std::string::npos || line.find_first_not_of(" \t", key.size()) != eq) continue;
    char* end = nullptr;
    const double v = std::strtod(line.c_str() + eq + 1, &end);
    if (end != line.c_str() + eq + 1 && std::isfinite(v)) return v;
  }
  return std::nullopt;
}

}  // namespace

std::optional<StoredExtract> read_stored_extract(hid_t obj) {
  if (!h5::has_attribute(obj, "step_s")) return std::nullopt;
  StoredExtract x;
  x.window_s = h5::read_double_attribute(obj, "window_s");
  x.step_s = h5::read_double_attribute(obj, "step_s");
  x.detector = stored_choice<Detector>(obj, "detector");
  x.hrv_profile = stored_choice<HrvProfile>(obj, "hrv_profile");
  if (h5::has_attribute(obj, "hrv_nonlinear_window_s")) {
    x.hrv_nonlinear_window_s = h5::read_double_attribute(obj, "hrv_nonlinear_window_s");
    x.hrv_frequency_window_s = h5::read_double_attribute(obj, "hrv_frequency_window_s");
  } else if (h5::has_attribute(obj, "config")) {
    // Written before the typed HRV windows: the effective configuration stored beside says them
    // (a configuration without the keys predates the options, so the defaults were used).
    const std::string toml = h5::read_string_attribute(obj, "config");
    x.hrv_nonlinear_window_s = stored_config_number(toml, "hrv_nonlinear_window_s").value_or(x.hrv_nonlinear_window_s);
    x.hrv_frequency_window_s = stored_config_number(toml, "hrv_frequency_window_s").value_or(x.hrv_frequency_window_s);
  }
  return x;
}

void write_stored_postprocess(hid_t obj, const PostprocessSettings& pp) {
  h5::write_string_attribute(obj, "postprocess_smoothing", choice_name(pp.smoothing));
  h5::write_int_attribute(obj, "postprocess_smoothing_windows", pp.smoothing_windows);
  h5::write_double_attribute(obj, "postprocess_threshold", pp.threshold);
  h5::write_double_attribute(obj, "postprocess_min_duration_s", pp.min_duration_s);
  h5::write_double_attribute(obj, "postprocess_merge_gap_s", pp.merge_gap_s);
}

std::optional<PostprocessSettings> read_stored_postprocess(hid_t obj, const std::string& file) {
  if (!h5::has_attribute(obj, "postprocess_threshold")) return std::nullopt;
  PostprocessSettings pp;
  const std::string smoothing = h5::read_string_attribute(obj, "postprocess_smoothing");
  const auto parsed = parse_choice<Smoothing>(smoothing);
  if (!parsed) {
    throw Error(file + " stores the post-processing smoothing '" + smoothing +
                "', which this ecgforest does not know; retrain the model with this version.");
  }
  pp.smoothing = *parsed;
  pp.smoothing_windows = static_cast<int>(h5::read_int_attribute(obj, "postprocess_smoothing_windows"));
  pp.threshold = h5::read_double_attribute(obj, "postprocess_threshold");
  pp.min_duration_s = h5::read_double_attribute(obj, "postprocess_min_duration_s");
  pp.merge_gap_s = h5::read_double_attribute(obj, "postprocess_merge_gap_s");
  return pp;
}

}  // namespace ecgforest::io

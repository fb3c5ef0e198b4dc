#include "ecgforest/pipeline/preflight.hpp"

#include <cstdio>
#include <cstring>
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <limits>
#include <string>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/file_check.hpp"
#include "ecgforest/core/text.hpp"
#include "ecgforest/io/features_file.hpp"
#include "ecgforest/pipeline/model.hpp"
#include "ecgforest/pipeline/extract.hpp"
#include "ecgforest/pipeline/inputs.hpp"

namespace ecgforest::pipeline {
namespace {

namespace fs = std::filesystem;

/// An input file named by a flag (--features, --model) must be a regular file.
void check_input_file(const std::string& file, const char* flag, const char* what) {
  if (auto why = regular_file_problem(file, std::numeric_limits<std::uintmax_t>::max()); !why.empty()) {
    throw ConfigError("The " + std::string(what) + " " + file + " (" + flag + ") " + why + "; check the path.");
  }
}

/// A features file named by a flag: a regular file whose HDF5 format attribute says features.
void check_features_file(const std::string& file, const char* flag) {
  check_input_file(file, flag, "features file");
  const auto format = io::hdf5_format(file);
  if (!format || format->rfind("ecgforest-features/", 0) != 0) {
    throw ConfigError("The file " + file + " (" + flag + ") is not an ecgforest features file (" +
                      (format ? "format '" + *format + "'" : std::string("not HDF5")) +
                      "); give the features.h5 the model was trained on (ecgforest run writes DIR/features.h5).");
  }
}

/// A features file the model reads (--features of predict, --tailor-retrain): extracted with the
/// model's settings (window, hop, detector, HRV profile and windows) and holding every feature
/// column the model uses; else its windows would be scored or retrained as other features.
/// `settings_required`: files without typed settings (written before them) are refused; else only
/// their columns are checked.
void check_features_match_model(const std::string& file, const char* flag, const std::string& model_path,
                                const std::string& fix, bool settings_required) {
  check_features_file(file, flag);
  io::ModelMeta meta;
  forest::Forest model;
  io::FeaturesData f;
  try {
    model = read_model(model_path, &meta);
    f = io::read_features_summary(file);
  } catch (const ConfigError&) {
    throw;
  } catch (const std::exception&) {
    return;  // a damaged file is the run's error (exit 1, as before any such check), not a setting's
  }
  const std::string what = "The features file " + file + " (" + flag + ") ";
  if ((!f.extract || !meta.extract) && settings_required) {
    throw ConfigError(what + "or the model was written by an older ecgforest without typed window settings" + fix);
  }
  if (f.extract && meta.extract && !(*f.extract == *meta.extract)) {
    const auto& a = *f.extract;
    const auto& b = *meta.extract;
    throw ConfigError(what + "was extracted with other settings than the model's training windows (window " +
                      number_text(a.window_s) + " s against " + number_text(b.window_s) + " s, hop " + number_text(a.step_s) +
                      " s against " + number_text(b.step_s) + " s, non-linear and frequency HRV windows " +
                      number_text(a.hrv_nonlinear_window_s) + " and " + number_text(a.hrv_frequency_window_s) + " s against " +
                      number_text(b.hrv_nonlinear_window_s) + " and " + number_text(b.hrv_frequency_window_s) +
                      " s, or another R-peak detector or HRV profile)" + fix);
  }
  std::string missing;
  (void)model_column_positions(f.columns, model.feature_names, missing);
  if (!missing.empty()) throw ConfigError(what + "lacks the model's feature columns " + missing + fix);
}

}  // namespace

void check_output_path(const std::string& out, bool is_dir, const char* flag) {
  std::error_code ec;
  const fs::path p = fs::absolute(out, ec);
  const bool exists = fs::exists(p, ec);
  if (exists && is_dir && !fs::is_directory(p, ec)) {
    throw ConfigError("The output " + out + " (" + flag + ") exists and is not a directory; give a directory.");
  }
  if (exists && !is_dir && fs::is_directory(p, ec)) {
    throw ConfigError("The output " + out + " (" + flag + ") is a directory; give a file name.");
  }
  if (exists && access(p.c_str(), W_OK) != 0) {
    throw ConfigError("The output " + out + " (" + flag + ") exists and cannot be written (no permission).");
  }
  fs::path folder = (exists && is_dir) ? p : p.parent_path();
  while (!folder.empty() && !fs::exists(folder, ec) && folder != folder.root_path()) folder = folder.parent_path();
  if (!fs::is_directory(folder, ec)) {
    throw ConfigError("The output " + out + " (" + flag + ") cannot be created: " + folder.string() +
                      " is a file, not a directory.");
  }
  if (access(folder.c_str(), W_OK | X_OK) != 0) {
    throw ConfigError("The output " + out + " (" + flag + ") cannot be created: no permission to write in " +
                      folder.string() + ".");
  }
  // access() grants root everything, also on a read-only file system (/sys, a read-only mount):
  // create and remove a file there to be sure.
  const fs::path probe = folder / (".ecgforest-write-check-" + std::to_string(getpid()));
  const int fd = open(probe.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);  // (a killed run's probe is reused)
  if (fd < 0) {
    throw ConfigError("The output " + out + " (" + flag + ") cannot be created: " + folder.string() +
                      " cannot be written (" + std::strerror(errno) + ").");
  }
  close(fd);
  fs::remove(probe, ec);
}

namespace {

/// Everything extraction reads or writes besides the EDF files themselves.
void check_extraction(const Config& c) {
  // (The detector and HRV profile are enums, checked when the configuration was parsed.)
  try {
    (void)feature_columns(c);  // hrv knows each profile's feature names
  } catch (const ParameterError& e) {
    throw ConfigError(std::string("extract.hrv_features (--hrv-features): ") + e.what());
  }
  auto recs = expand_inputs(c.input, c.extract);  // inputs, list files, annotation map, patient_regex
  if (!c.tailor_baseline.empty()) {  // predict's baseline recordings take their annotations from the map too
    const auto base = expand_inputs(c.tailor_baseline, c.extract, "--tailor-baseline");
    recs.insert(recs.end(), base.begin(), base.end());
  }
  for (const auto& note : annotation_map_problems(c.extract, recs)) std::fprintf(stderr, "ecgforest: note: %s\n", note.c_str());
  if (!c.extract.rr_csv.empty()) check_output_path(c.extract.rr_csv, true, "--rr-csv");
}

}  // namespace

void preflight(const Config& c, Command cmd) {
  switch (cmd) {
    case Command::extract:
      check_extraction(c);
      check_output_path(c.output, false, "--output");
      break;
    case Command::run:
      check_extraction(c);
      check_output_path(c.output, true, "--output");
      if (!c.train.cv_predictions.empty()) check_output_path(c.train.cv_predictions, false, "--cv-predictions");
      break;
    case Command::train:
      check_input_file(c.features, "--features", "features file");
      check_output_path(c.model, false, "--model");
      if (!c.train.cv_predictions.empty()) check_output_path(c.train.cv_predictions, false, "--cv-predictions");
      break;
    case Command::predict:
      check_input_file(c.model, "--model", "model file");
      if (!c.input.empty()) {
        check_extraction(c);
        std::uint64_t n_baseline = 0;
        (void)baseline_then_inputs(c, n_baseline);  // baseline paths exist, no file in both
        if (!c.tailor_retrain.empty()) {
          check_features_match_model(c.tailor_retrain, "--tailor-retrain", c.model,
                                     "; give the features.h5 the model " + c.model +
                                         " was trained on (ecgforest run writes it as DIR/features.h5).",
                                     true);
        }
        check_output_path(c.output, true, "--output");
      } else {
        check_features_match_model(c.features, "--features", c.model,
                                   "; extract it with the model's settings, or predict with --input on the recordings "
                                   "(the model's settings are then applied).",
                                   false);
        check_output_path(c.output, false, "--output");
      }
      break;
    default:
      break;
  }
}

}  // namespace ecgforest::pipeline

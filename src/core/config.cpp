#include "ecgforest/core/config.hpp"

#include <charconv>
#include <cstdint>
#include <limits>
#include <cstdio>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/file_check.hpp"
#include "ecgforest/core/privacy.hpp"
#include "ecgforest/core/text.hpp"
#include "ecgforest/core/toml.hpp"

namespace ecgforest {
namespace {

std::string one_value(const std::string& key, const std::vector<std::string>& v) {
  if (v.size() != 1) {
    throw ConfigError("Configuration key '" + key + "' takes exactly one value, got " +
                      std::to_string(v.size()) + ".");
  }
  return v.front();
}

double parse_double(const std::string& key, const std::string& s) {
  double out = 0;
  const char* b = s.data();
  const char* e = s.data() + s.size();
  auto [p, ec] = std::from_chars(b, e, out);
  if (ec != std::errc() || p != e || !std::isfinite(out)) {
    throw ConfigError("Configuration key '" + key + "' needs a finite number, got '" + s + "'.");
  }
  return out;
}

template <class Int>
Int parse_int(const std::string& key, const std::string& s) {
  Int out = 0;
  const char* b = s.data();
  const char* e = s.data() + s.size();
  auto [p, ec] = std::from_chars(b, e, out);
  if (ec != std::errc() || p != e) {
    throw ConfigError("Configuration key '" + key + "' needs a whole number, got '" + s + "'.");
  }
  return out;
}

bool parse_bool(const std::string& key, const std::string& s) {
  if (s == "true" || s == "1") return true;
  if (s == "false" || s == "0") return false;
  throw ConfigError("Configuration key '" + key + "' needs true or false, got '" + s + "'.");
}

// TOML basic string: backslash, quote and control characters escaped (so that any value, even
// one with a newline or a NUL byte, reads back unchanged).
std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (u < 0x20 || u == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", u);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// TOML float: shortest round-trip text, always with '.' or an exponent ("0.85", "10.0", "1e-07").
std::string fmt_double(double v) { return python_float_text(v); }

constexpr double kMaxSeconds = 1e6;
constexpr int kMaxTrees = 100000;

constexpr unsigned E = static_cast<unsigned>(Command::extract);
constexpr unsigned T = static_cast<unsigned>(Command::train);
constexpr unsigned R = static_cast<unsigned>(Command::run);
constexpr unsigned P = static_cast<unsigned>(Command::predict);
constexpr unsigned S = static_cast<unsigned>(Command::score);

// Builders from a getter returning a reference to the member.
template <class Get>
ConfigKey str_key(std::string key, std::string flag, std::string help, unsigned cmds, Get get) {
  ConfigKey k{key, std::move(flag), std::move(help), cmds, false, false, nullptr, nullptr};
  k.set = [get, key](Config& c, const std::vector<std::string>& v) { get(c) = one_value(key, v); };
  k.to_toml = [get](const Config& c) { return quote(get(const_cast<Config&>(c))); };
  return k;
}
// An enumerated key: the value must be one of the names of ChoiceNames<E> (checked here, when
// the file or flag is parsed).
// A list of paths or texts (TOML array of strings; a flag taking one or more values).
template <class Get>
ConfigKey list_key(std::string key, std::string flag, std::string help, unsigned cmds, Get get) {
  ConfigKey k{std::move(key), std::move(flag), std::move(help), cmds, true, false, nullptr, nullptr};
  k.set = [get](Config& c, const std::vector<std::string>& v) { get(c) = v; };
  k.to_toml = [get](const Config& c) {
    const auto& list = get(const_cast<Config&>(c));
    std::string out = "[";
    for (std::size_t i = 0; i < list.size(); ++i) out += (i ? ", " : "") + quote(list[i]);
    return out + "]";
  };
  return k;
}

template <class E, class Get>
ConfigKey choice_key(std::string key, std::string flag, std::string help, unsigned cmds, Get get) {
  ConfigKey k{key, flag, std::move(help), cmds, false, false, nullptr, nullptr};
  k.set = [get, key, flag](Config& c, const std::vector<std::string>& v) {
    const std::string name = one_value(key, v);
    const auto value = parse_choice<E>(name);
    if (!value) throw ConfigError(key + " (" + flag + ") must be " + choice_list<E>() + ", got '" + name + "'.");
    get(c) = *value;
  };
  k.to_toml = [get](const Config& c) { return quote(choice_name(get(const_cast<Config&>(c)))); };
  return k;
}
template <class Get>
ConfigKey dbl_key(std::string key, std::string flag, std::string help, unsigned cmds, Get get) {
  ConfigKey k{key, std::move(flag), std::move(help), cmds, false, false, nullptr, nullptr};
  k.kind = ValueKind::number;
  k.set = [get, key](Config& c, const std::vector<std::string>& v) {
    get(c) = parse_double(key, one_value(key, v));
  };
  k.to_toml = [get](const Config& c) { return fmt_double(get(const_cast<Config&>(c))); };
  return k;
}
template <class Int, class Get>
ConfigKey int_key(std::string key, std::string flag, std::string help, unsigned cmds, Get get) {
  ConfigKey k{key, std::move(flag), std::move(help), cmds, false, false, nullptr, nullptr};
  k.kind = std::is_signed_v<Int> ? ValueKind::integer : ValueKind::unsigned_integer;
  k.set = [get, key](Config& c, const std::vector<std::string>& v) {
    get(c) = parse_int<Int>(key, one_value(key, v));
  };
  k.to_toml = [get](const Config& c) {
    const Int v = get(const_cast<Config&>(c));
    // TOML integers are signed 64-bit: a larger (unsigned) value is written as a string, which
    // an unsigned_integer key reads back.
    if constexpr (!std::is_signed_v<Int>) {
      if (v > static_cast<Int>(std::numeric_limits<std::int64_t>::max())) return quote(std::to_string(v));
    }
    return std::to_string(v);
  };
  return k;
}
template <class Get>
ConfigKey bool_key(std::string key, std::string flag, std::string help, unsigned cmds, Get get) {
  ConfigKey k{key, std::move(flag), std::move(help), cmds, false, true, nullptr, nullptr};
  k.kind = ValueKind::boolean;
  k.set = [get, key](Config& c, const std::vector<std::string>& v) {
    get(c) = v.empty() ? true : parse_bool(key, one_value(key, v));
  };
  k.to_toml = [get](const Config& c) { return get(const_cast<Config&>(c)) ? "true" : "false"; };
  return k;
}

// extract.absolute_paths, input_root, pseudonymise (the key file is read here, so a missing or
// short key stops the command before any work; to_toml never writes it) and drop_dates.
void add_privacy_keys(std::vector<ConfigKey>& s) {
  s.push_back(bool_key("extract.absolute_paths", "--absolute-paths",
                       "store absolute recording paths in outputs (default: relative to extract.input_root)",
                       E | R | P, [](Config& c) -> bool& { return c.extract.absolute_paths; }));
  s.push_back(str_key("extract.input_root", "--input-root",
                      "directory stored recording paths are relative to (default: the deepest one holding every recording)",
                      E | R | P, [](Config& c) -> std::string& { return c.extract.input_root; }));
  ConfigKey k{"extract.pseudonymise", "--pseudonymise",
              "secret key file: recording names and patient ids become keyed pseudonyms (HMAC-SHA256) in every output",
              E | R | P, false, false, nullptr, nullptr};
  k.set = [](Config& c, const std::vector<std::string>& v) {
    c.extract.pseudonymise = one_value("extract.pseudonymise", v);
    c.extract.pseudonym_key = c.extract.pseudonymise.empty() ? "" : read_pseudonym_key(c.extract.pseudonymise);
  };
  k.to_toml = [](const Config&) { return quote(""); };  // the key file's name may name its owner
  s.push_back(std::move(k));
  s.push_back(bool_key("extract.drop_dates", "--drop-dates",
                       "no recording start date or time of day in any output (times relative to the recording start)",
                       E | R | P, [](Config& c) -> bool& { return c.extract.drop_dates; }));
}

std::vector<ConfigKey> build_schema() {
  std::vector<ConfigKey> s;
  s.push_back(list_key("input", "--input",
                       "EDF files, directories (searched recursively for *.edf), glob patterns, or list "
                       "files (*.txt, *.list: one path per line)",
                       E | R | P, [](Config& c) -> std::vector<std::string>& { return c.input; }));
  s.push_back(str_key("output", "--output",
                      "extract: features file to write; run: output directory; predict: output file",
                      E | R | P, [](Config& c) -> std::string& { return c.output; }));
  s.push_back(str_key("features", "--features", "features HDF5 file to read", T | P,
                      [](Config& c) -> std::string& { return c.features; }));
  s.push_back(str_key("model", "--model", "model HDF5 file (train: written; predict: read)", T | P,
                      [](Config& c) -> std::string& { return c.model; }));
  s.push_back(str_key("extract.ecg_channel", "--ecg-channel",
                      "EDF label of the ECG channel (default: auto-detect by label)", E | R | P,
                      [](Config& c) -> std::string& { return c.extract.ecg_channel; }));
  s.push_back(str_key("extract.patient_regex", "--patient-regex",
                      "regex on the EDF basename (then path); first capture group = patient id",
                      E | R | P, [](Config& c) -> std::string& { return c.extract.patient_regex; }));
  s.push_back(str_key("extract.annotation_map", "--annotation-map",
                      "CSV file 'edf,annotation' pairing recordings with annotation files",
                      E | R | P, [](Config& c) -> std::string& { return c.extract.annotation_map; }));
  s.push_back(choice_key<Detector>("extract.detector", "--detector",
                                   "R-peak detector: default (= elgendi with the beat-template stage), elgendi, "
                                   "elgendi-plain or elgendi-whole",
                                   E | R | P, [](Config& c) -> Detector& { return c.extract.detector; }));
  s.push_back(str_key("extract.rr_csv", "--rr-csv",
                      "directory for per-recording RR tables <edf stem>_rr.csv (timestamp,frame,rr_interval ms)",
                      E | R, [](Config& c) -> std::string& { return c.extract.rr_csv; }));
  s.push_back(dbl_key("extract.window_s", "--window-s", "feature window length in seconds", E | R | P,
                      [](Config& c) -> double& { return c.extract.window_s; }));
  s.push_back(dbl_key("extract.step_s", "--step-s", "hop between window ends in seconds", E | R | P,
                      [](Config& c) -> double& { return c.extract.step_s; }));
  s.push_back(choice_key<HrvProfile>("extract.hrv_profile", "--hrv-profile",
                                     "HRV profile: default (recording clock, corrected), aura2021 or head (old AURA workflow)",
                                     E | R | P, [](Config& c) -> HrvProfile& { return c.extract.hrv_profile; }));
  s.push_back(dbl_key("extract.hrv_nonlinear_window_s", "--hrv-nonlinear-window-s",
                      "window of the non-linear HRV features (sampen, sd1, sd2, csi, cvi) in seconds", E | R | P,
                      [](Config& c) -> double& { return c.extract.hrv_nonlinear_window_s; }));
  s.push_back(dbl_key("extract.hrv_frequency_window_s", "--hrv-frequency-window-s",
                      "window of the frequency HRV features (vlf, lf, hf, lf_hf_ratio) in seconds", E | R | P,
                      [](Config& c) -> double& { return c.extract.hrv_frequency_window_s; }));
  s.push_back(str_key("extract.hrv_features", "--hrv-features",
                      "comma-separated HRV feature columns to keep, in the profile's order (empty = all of the profile)", E | R | P,
                      [](Config& c) -> std::string& { return c.extract.hrv_features; }));
  s.push_back(dbl_key("extract.annotation_tolerance_s", "--annotation-tolerance-s",
                      "how far (s) annotation events may run past the recording end", E | R | P,
                      [](Config& c) -> double& { return c.extract.annotation_tolerance_s; }));
  s.push_back(bool_key("extract.strict", "--strict",
                       "exit with an error when any recording fails (default: only when none is usable)",
                       E | R | P, [](Config& c) -> bool& { return c.extract.strict; }));
  add_privacy_keys(s);
  s.push_back(choice_key<Learner>("train.learner", "--learner",
                                  "forest (random forest, trees across ranks) or boosted (gradient-boosted trees, "
                                  "cross-validation folds across ranks; the boost_* keys)",
                                  T | R, [](Config& c) -> Learner& { return c.train.learner; }));
  s.push_back(int_key<int>("train.boost_rounds", "--boost-rounds", "boosting rounds (learner = boosted)", T | R,
                           [](Config& c) -> int& { return c.train.boost_rounds; }));
  s.push_back(int_key<int>("train.boost_depth", "--boost-depth", "depth of each boosted tree, 1..16", T | R,
                           [](Config& c) -> int& { return c.train.boost_depth; }));
  s.push_back(dbl_key("train.boost_learning_rate", "--boost-learning-rate", "shrinkage of each boosting round, (0, 1]",
                      T | R, [](Config& c) -> double& { return c.train.boost_learning_rate; }));
  s.push_back(dbl_key("train.boost_subsample", "--boost-subsample",
                      "chance of each training row to take part in a boosting round, (0, 1]", T | R,
                      [](Config& c) -> double& { return c.train.boost_subsample; }));
  s.push_back(dbl_key("train.boost_colsample", "--boost-colsample",
                      "share of the features each boosting round's tree may split on, (0, 1]", T | R,
                      [](Config& c) -> double& { return c.train.boost_colsample; }));
  s.push_back(int_key<int>("train.trees", "--trees", "number of trees", T | R,
                           [](Config& c) -> int& { return c.train.trees; }));
  s.push_back(int_key<int>("train.max_features", "--max-features",
                           "features tried per split (0 = sqrt of the feature count)", T | R,
                           [](Config& c) -> int& { return c.train.max_features; }));
  s.push_back(int_key<int>("train.max_depth", "--max-depth", "maximum tree depth (0 = unlimited)", T | R,
                           [](Config& c) -> int& { return c.train.max_depth; }));
  s.push_back(int_key<int>("train.min_samples_leaf", "--min-samples-leaf", "minimum rows per leaf", T | R,
                           [](Config& c) -> int& { return c.train.min_samples_leaf; }));
  s.push_back(choice_key<ClassWeight>("train.class_weight", "--class-weight", "balanced or none", T | R,
                      [](Config& c) -> ClassWeight& { return c.train.class_weight; }));
  s.push_back(choice_key<Bootstrap>("train.bootstrap", "--bootstrap",
                      "standard (with replacement), balanced (half the draws from each class), subsample (without "
                      "replacement) or none", T | R, [](Config& c) -> Bootstrap& { return c.train.bootstrap; }));
  s.push_back(dbl_key("train.sample_fraction", "--sample-fraction",
                      "rows drawn per tree as a fraction of the training rows (0 = 1, or 0.632 for subsample)", T | R,
                      [](Config& c) -> double& { return c.train.sample_fraction; }));
  s.push_back(dbl_key("train.leaf_prior", "--leaf-prior",
                      "leaf shrinkage: pseudo-rows at the tree's overall class ratio added to every leaf (0 = none)",
                      T | R, [](Config& c) -> double& { return c.train.leaf_prior; }));
  s.push_back(int_key<int>("train.cv_folds", "--cv-folds",
                           "patient-grouped cross-validation folds (0 = none)", T | R,
                           [](Config& c) -> int& { return c.train.cv_folds; }));
  s.push_back(int_key<std::uint64_t>("train.seed", "--seed", "random seed", T | R,
                                     [](Config& c) -> std::uint64_t& { return c.train.seed; }));
  s.push_back(dbl_key("train.label_threshold", "--label-threshold",
                      "window seizure fraction at or above which a window is positive", T | R,
                      [](Config& c) -> double& { return c.train.label_threshold; }));
  s.push_back(dbl_key("train.decision_threshold", "--decision-threshold",
                      "predicted probability at or above which a window is called seizure", T | R | P,
                      [](Config& c) -> double& { return c.train.decision_threshold; }));
  s.push_back(int_key<int>("train.max_bins", "--max-bins", "quantile bins per feature (2..256)", T | R,
                           [](Config& c) -> int& { return c.train.max_bins; }));
  s.push_back(dbl_key("train.min_sqi", "--min-sqi",
                      "skip training windows whose 'sqi' feature column is below this (0 = keep all)", T | R,
                      [](Config& c) -> double& { return c.train.min_sqi; }));
  s.push_back(bool_key("train.tune", "--tune",
                       "choose max_depth, min_samples_leaf, max_features and leaf_prior from a small grid by "
                       "the ROC AUC of a patient-grouped cross-validation (about 3.3 forests of work)",
                       T | R, [](Config& c) -> bool& { return c.train.tune; }));
  s.push_back(bool_key("train.skip_oob", "--skip-oob", "skip the out-of-bag estimate and permutation importances",
                       T | R, [](Config& c) -> bool& { return c.train.skip_oob; }));
  s.push_back(str_key("train.exclude_features", "--exclude-features",
                      "comma-separated feature columns the forest does not use (default sqi; \"\" = none)", T | R,
                      [](Config& c) -> std::string& { return c.train.exclude_features; }));
  s.push_back(str_key("train.cv_predictions", "--cv-predictions",
                      "write the cross-validation's out-of-fold window probabilities, events (at the chosen operating "
                      "point) and reference seizures to this HDF5 file (predictions.h5 layout; default: not written)",
                      T | R, [](Config& c) -> std::string& { return c.train.cv_predictions; }));
  s.push_back(choice_key<Smoothing>("postprocess.smoothing", "--smoothing", "window probability smoothing: none, mean or median (causal)",
                      T | R | P, [](Config& c) -> Smoothing& { return c.postprocess.smoothing; }));
  s.push_back(int_key<int>("postprocess.smoothing_windows", "--smoothing-windows",
                           "smooth over this many windows (current and previous ones; 1 = off)", T | R | P,
                           [](Config& c) -> int& { return c.postprocess.smoothing_windows; }));
  s.push_back(dbl_key("postprocess.threshold", "--threshold",
                      "smoothed probability at or above which a window is part of a seizure event", T | R | P,
                      [](Config& c) -> double& { return c.postprocess.threshold; }));
  s.push_back(dbl_key("postprocess.min_duration_s", "--min-duration-s", "drop events shorter than this (seconds)",
                      T | R | P, [](Config& c) -> double& { return c.postprocess.min_duration_s; }));
  s.push_back(dbl_key("postprocess.merge_gap_s", "--merge-gap-s", "merge events closer than this (seconds)",
                      T | R | P, [](Config& c) -> double& { return c.postprocess.merge_gap_s; }));
  s.push_back(dbl_key("postprocess.min_sqi", "--min-event-sqi",
                      "windows whose signal quality (feature column sqi, 0..1) is below this neither start nor extend "
                      "a seizure event, and are marked low_quality in extract's --rr-csv tables (0 = off)",
                      E | T | R | P, [](Config& c) -> double& { return c.postprocess.min_sqi; }));
  s.push_back(dbl_key("postprocess.fa_budget_per_24h", "--fa-budget",
                      "false alarms per 24 h allowed when choosing the best operating point", T | R | P,
                      [](Config& c) -> double& { return c.postprocess.fa_budget_per_24h; }));
  s.push_back(dbl_key("postprocess.max_alarm_latency_s", "--max-alarm-latency",
                      "seconds: train's CV choice of the operating point prefers, within the FA budget, settings "
                      "whose median alarm latency (onset to the alarm, once the event has lasted its minimum "
                      "duration) is at most this, even at a lower sensitivity (0 = no limit)",
                      T | R, [](Config& c) -> double& { return c.postprocess.max_alarm_latency_s; }));
  s.push_back(dbl_key("postprocess.alarm_within_s", "--alarm-within",
                      "seconds: train's CV choice of the operating point ranks the settings within the FA budget by "
                      "the number of seizures they alarm within this many seconds of onset, before OVLP sensitivity "
                      "(0 = off: by sensitivity)",
                      T | R, [](Config& c) -> double& { return c.postprocess.alarm_within_s; }));
  s.push_back(choice_key<PostprocessSelect>("postprocess.select", "--postprocess-select",
                      "cv: train picks the post-processing keys you did not set by patient-grouped CV within the FA "
                      "budget and predict uses the model's choice; fixed: use the configured values",
                      T | R | P, [](Config& c) -> PostprocessSelect& { return c.postprocess.select; }));
  s.push_back(dbl_key("postprocess.tailor_hours", "--tailor-hours",
                      "predict: tailor each patient's threshold on the first H hours of its recordings (seizure-free "
                      "baseline, not scored); 0 = patient-independent only",
                      P, [](Config& c) -> double& { return c.postprocess.tailor_hours; }));
  s.push_back(list_key("postprocess.tailor_baseline", "--tailor-baseline",
                       "predict: seizure-free baseline recordings (paths as for --input) on which each patient's "
                       "threshold is tailored; they are not scored, every hour of --input is",
                       P, [](Config& c) -> std::vector<std::string>& { return c.tailor_baseline; }));
  s.push_back(str_key("postprocess.tailor_retrain", "--tailor-retrain",
                      "predict: the features file the model was trained on (run's DIR/features.h5); each patient's "
                      "baseline windows (its --tailor-baseline recordings, or its first --tailor-hours, seizures and "
                      "5 min around them left out) join it --tailor-copies times and a model is trained for that patient "
                      "with the model's settings, its operating point chosen by its own CV (instead of a tailored "
                      "threshold); \"\" = off",
                      P, [](Config& c) -> std::string& { return c.tailor_retrain; }));
  s.push_back(int_key<int>("postprocess.tailor_copies", "--tailor-copies",
                           "predict --tailor-retrain: times each baseline recording joins the training windows (1..64)", P,
                           [](Config& c) -> int& { return c.tailor_copies; }));
  s.push_back(dbl_key("postprocess.tailor_margin", "--tailor-margin",
                      "tailored threshold = lowest threshold quiet on the baseline x this", P,
                      [](Config& c) -> double& { return c.postprocess.tailor_margin; }));
  s.push_back(choice_key<Scorer>("score.scorer", "--scorer", "scorers to run: nedc, szcore or all", S,
                      [](Config& c) -> Scorer& { return c.score.scorer; }));
  s.push_back(choice_key<TaesOverlap>("score.taes_overlap", "--taes-overlap",
                      "NEDC TAES overlap test: nedc (NEDC v6.0.0's whole-second test) or exact", S,
                      [](Config& c) -> TaesOverlap& { return c.score.taes_overlap; }));
  s.push_back(dbl_key("score.epoch_s", "--epoch-s", "NEDC epoch length in seconds (NEDC: 0.25)", S,
                      [](Config& c) -> double& { return c.score.epoch_s; }));
  s.push_back(dbl_key("score.szcore_tolerance_start_s", "--szcore-tolerance-start-s",
                      "SzCORE: seconds before a seizure onset in which a detection counts (SzCORE: 30)", S,
                      [](Config& c) -> double& { return c.score.szcore_tolerance_start_s; }));
  s.push_back(dbl_key("score.szcore_tolerance_end_s", "--szcore-tolerance-end-s",
                      "SzCORE: seconds after a seizure offset in which a detection counts (SzCORE: 60)", S,
                      [](Config& c) -> double& { return c.score.szcore_tolerance_end_s; }));
  s.push_back(dbl_key("score.szcore_min_overlap", "--szcore-min-overlap",
                      "SzCORE: relative overlap with the tolerance window a detection needs (SzCORE: 0 = any)", S,
                      [](Config& c) -> double& { return c.score.szcore_min_overlap; }));
  s.push_back(dbl_key("score.szcore_max_event_duration_s", "--szcore-max-event-duration-s",
                      "SzCORE: events longer than this are split into pieces (SzCORE: 300)", S,
                      [](Config& c) -> double& { return c.score.szcore_max_event_duration_s; }));
  s.push_back(dbl_key("score.szcore_min_event_gap_s", "--szcore-min-event-gap-s",
                      "SzCORE: events closer than this are merged (SzCORE: 90)", S,
                      [](Config& c) -> double& { return c.score.szcore_min_event_gap_s; }));
  return s;
}

std::string valid_keys_sentence() {
  std::string out;
  for (const auto& k : config_schema()) out += (out.empty() ? "" : ", ") + k.key;
  return out;
}

}  // namespace

const std::vector<ConfigKey>& config_schema() {
  static const std::vector<ConfigKey> schema = build_schema();
  return schema;
}

namespace {

bool type_fits(ValueKind kind, toml_reader::ValueType t) {
  using toml_reader::ValueType;
  switch (kind) {
    case ValueKind::text: return t == ValueType::string;
    case ValueKind::integer: return t == ValueType::integer;
    case ValueKind::unsigned_integer: return t == ValueType::integer || t == ValueType::string;
    case ValueKind::number: return t == ValueType::integer || t == ValueType::floating;
    case ValueKind::boolean: return t == ValueType::boolean;
  }
  return false;
}

const char* kind_phrase(ValueKind kind) {
  switch (kind) {
    case ValueKind::text: return "a string (in quotes)";
    case ValueKind::integer: return "an integer";
    case ValueKind::unsigned_integer: return "a non-negative integer";
    case ValueKind::number: return "a number";
    case ValueKind::boolean: return "true or false";
  }
  return "a value";
}

bool is_section(const std::string& name) {
  for (const auto& k : config_schema()) {
    if (k.key.size() > name.size() && k.key.compare(0, name.size(), name) == 0 && k.key[name.size()] == '.') return true;
  }
  return false;
}

}  // namespace

void apply_config_text(Config& config, const std::string& text, const std::string& origin) {
  const auto items = toml_reader::parse(text, origin);
  std::map<std::string, const ConfigKey*> by_key;
  for (const auto& k : config_schema()) by_key[k.key] = &k;
  for (const auto& item : items) {
    const std::string where =
        origin + " line " + std::to_string(item.line) + ", column " + std::to_string(item.column);
    if (item.is_table && is_section(item.key)) continue;  // an empty [train] table
    auto it = by_key.find(item.key);
    if (it == by_key.end()) {
      throw ConfigError("The configuration file " + origin + " has an unknown key '" + item.key + "' (line " +
                        std::to_string(item.line) + ", column " + std::to_string(item.column) +
                        "); valid keys are: " + valid_keys_sentence() + ".");
    }
    const ConfigKey& key = *it->second;
    if (item.is_table || item.is_array != key.is_list) {
      throw ConfigError("In " + where + ": '" + item.key + "' " +
                        (key.is_list ? "must be an array, e.g. [\"a\", \"b\"]." : "must be a single value, not " +
                         std::string(item.is_table ? "a table." : "an array.")));
    }
    for (std::size_t i = 0; i < item.types.size(); ++i) {
      if (!type_fits(key.kind, item.types[i])) {
        throw ConfigError("In " + where + ": '" + item.key + "' " + (key.is_list ? "takes elements that are " : "must be ") +
                          kind_phrase(key.kind) + ", not " + toml_reader::type_phrase(item.types[i]) +
                          (item.types[i] == toml_reader::ValueType::other ? "" : " ('" + item.values[i] + "')") + ".");
      }
    }
    try {
      key.set(config, item.values);
      config.explicit_keys.insert(item.key);
      config.key_origins[item.key] = where;
    } catch (const ConfigError& e) {
      throw ConfigError("In " + where + ": " + e.what());
    }
  }
}

void apply_config_file(Config& config, const std::filesystem::path& file) {
  if (auto why = regular_file_problem(file, kMaxConfigBytes); !why.empty()) {
    throw ConfigError("Cannot read the configuration file " + file.string() + ": it " + why + ".");
  }
  std::ifstream in(file);
  if (!in) {
    throw ConfigError("Cannot read the configuration file " + file.string() +
                      "; check the path and its permissions.");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  apply_config_text(config, ss.str(), file.string());
}

std::string to_toml(const Config& config) {
  std::string out = "# effective ecgforest configuration\n";
  std::string section;
  for (const auto& k : config_schema()) {
    const auto dot = k.key.find('.');
    const std::string sec = dot == std::string::npos ? "" : k.key.substr(0, dot);
    const std::string name = dot == std::string::npos ? k.key : k.key.substr(dot + 1);
    if (sec != section) {
      out += "\n[" + sec + "]\n";
      section = sec;
    }
    out += name + " = " + k.to_toml(config) + "\n";
  }
  return out;
}

static void validate_boosting(const TrainSettings& t) {
  auto fail = [](const std::string& s) { throw ConfigError(s); };
  if (t.boost_rounds < 1 || t.boost_rounds > kMaxTrees)
    fail("train.boost_rounds (--boost-rounds) must be in 1..100000, got " + std::to_string(t.boost_rounds) + ".");
  if (t.boost_depth < 1 || t.boost_depth > 16)
    fail("train.boost_depth (--boost-depth) must be in 1..16, got " + std::to_string(t.boost_depth) + ".");
  for (const auto& [name, v] : {std::pair<const char*, double>{"train.boost_learning_rate (--boost-learning-rate)", t.boost_learning_rate},
                                {"train.boost_subsample (--boost-subsample)", t.boost_subsample},
                                {"train.boost_colsample (--boost-colsample)", t.boost_colsample}}) {
    if (!(v > 0 && v <= 1)) fail(std::string(name) + " must be in (0, 1], got " + number_text(v) + ".");
  }
  if (t.learner == Learner::boosted && t.tune)
    fail("train.tune (--tune) searches forest settings; it cannot be used with train.learner = \"boosted\". "
         "Drop one of them.");
}

// extract.*: windows and tolerances.
// The aura profiles compute AURA's fixed windows (10, 60 and 150 s, one row per second): other
// window settings would be stored in features.h5 (and used for the labels and events) but not
// computed, so they are refused.
static void validate_aura_windows(const ExtractSettings& x) {
  if (x.hrv_profile == HrvProfile::default_) return;
  const ExtractSettings d;
  for (const auto& [name, v, want] : {std::tuple<const char*, double, double>{"extract.window_s (--window-s)", x.window_s, d.window_s},
                                      {"extract.step_s (--step-s)", x.step_s, d.step_s},
                                      {"extract.hrv_nonlinear_window_s (--hrv-nonlinear-window-s)", x.hrv_nonlinear_window_s,
                                       d.hrv_nonlinear_window_s},
                                      {"extract.hrv_frequency_window_s (--hrv-frequency-window-s)", x.hrv_frequency_window_s,
                                       d.hrv_frequency_window_s}}) {
    if (v != want) {
      throw ConfigError(std::string(name) + " is " + number_text(v) + ", but extract.hrv_profile " +
                        choice_name(x.hrv_profile) +
                        " computes AURA's fixed windows (10, 60 and 150 s, one row per second): remove the setting, "
                        "or use hrv_profile \"default\" for other windows.");
    }
  }
}

static void validate_extract(const ExtractSettings& x) {
  auto fail = [](const std::string& s) { throw ConfigError(s); };
  if (!(x.window_s > 0)) fail("extract.window_s (--window-s) must be > 0 seconds.");
  if (!(x.step_s > 0)) fail("extract.step_s (--step-s) must be > 0 seconds.");
  if (!(x.hrv_nonlinear_window_s > 0)) fail("extract.hrv_nonlinear_window_s (--hrv-nonlinear-window-s) must be > 0 seconds.");
  if (!(x.hrv_frequency_window_s > 0)) fail("extract.hrv_frequency_window_s (--hrv-frequency-window-s) must be > 0 seconds.");
  if (x.annotation_tolerance_s < 0) fail("extract.annotation_tolerance_s must be >= 0 seconds.");
  // Upper (and step's lower) bounds: beyond them a value is a typo, and the work it implies
  // (windows per second of ECG, trees) would exhaust memory before any output.
  if (x.step_s < 0.01) fail("extract.step_s (--step-s) must be at least 0.01 s, got " + number_text(x.step_s) + ".");
  for (const auto& [name, v] : {std::pair<const char*, double>{"extract.window_s (--window-s)", x.window_s},
                                {"extract.step_s (--step-s)", x.step_s},
                                {"extract.hrv_nonlinear_window_s (--hrv-nonlinear-window-s)", x.hrv_nonlinear_window_s},
                                {"extract.hrv_frequency_window_s (--hrv-frequency-window-s)", x.hrv_frequency_window_s},
                                {"extract.annotation_tolerance_s (--annotation-tolerance-s)", x.annotation_tolerance_s}}) {
    if (v > kMaxSeconds) fail(std::string(name) + " must be at most 1e6 s (11.6 days), got " + number_text(v) + ".");
  }
  validate_aura_windows(x);
}

// train.*: the forest, boosting, binning, folds and labels.
static void validate_train(const TrainSettings& t) {
  auto fail = [](const std::string& s) { throw ConfigError(s); };
  if (t.trees > kMaxTrees) fail("train.trees (--trees) must be at most 100000, got " + std::to_string(t.trees) + ".");
  if (t.trees < 1) fail("train.trees (--trees) must be at least 1, got " + std::to_string(t.trees) + ".");
  if (t.max_features < 0) fail("train.max_features (--max-features) must be >= 0 (0 = sqrt of the feature count).");
  if (t.max_depth < 0) fail("train.max_depth (--max-depth) must be >= 0 (0 = unlimited).");
  if (t.min_samples_leaf < 1) fail("train.min_samples_leaf (--min-samples-leaf) must be at least 1.");
  if (!(t.min_sqi >= 0 && t.min_sqi <= 1))
    fail("train.min_sqi (--min-sqi) must be in [0, 1] (sqi is 0..1; 0 = keep every window), got " + number_text(t.min_sqi) + ".");
  if (!(t.sample_fraction >= 0 && t.sample_fraction <= 1))
    fail("train.sample_fraction (--sample-fraction) must be in (0, 1], or 0 for the default.");
  if (!(t.leaf_prior >= 0 && t.leaf_prior <= 1e9))
    fail("train.leaf_prior (--leaf-prior) must be between 0 and 1e9 pseudo-rows.");
  validate_boosting(t);
  if (t.max_bins < 2 || t.max_bins > 256)
    fail("train.max_bins (--max-bins) must be in 2..256, got " + std::to_string(t.max_bins) + ".");
  if (t.cv_folds < 0 || t.cv_folds == 1)
    fail("train.cv_folds (--cv-folds) must be 0 (no cross-validation) or at least 2, got " +
         std::to_string(t.cv_folds) + ".");
  if (!t.cv_predictions.empty() && t.cv_folds == 0)
    fail("train.cv_predictions (--cv-predictions) writes the cross-validation's out-of-fold predictions, but "
         "train.cv_folds (--cv-folds) is 0: set at least 2 folds or drop --cv-predictions.");
  if (!(t.label_threshold > 0 && t.label_threshold <= 1))
    fail("train.label_threshold (--label-threshold) must be in (0, 1].");
  if (!(t.decision_threshold >= 0 && t.decision_threshold <= 1))
    fail("train.decision_threshold (--decision-threshold) must be in [0, 1].");
}

// postprocess.*: smoothing, threshold, durations, the budget and the tailoring settings.
static void validate_postprocess(const PostprocessSettings& pp) {
  auto fail = [](const std::string& s) { throw ConfigError(s); };
  if (pp.smoothing_windows > kMaxTrees)
    fail("postprocess.smoothing_windows (--smoothing-windows) must be at most 100000, got " +
         std::to_string(pp.smoothing_windows) + ".");
  if (pp.smoothing_windows < 1)
    fail("postprocess.smoothing_windows (--smoothing-windows) must be at least 1, got " +
         std::to_string(pp.smoothing_windows) + ".");
  if (!(pp.threshold >= 0 && pp.threshold <= 1)) fail("postprocess.threshold (--threshold) must be in [0, 1].");
  if (!(pp.min_duration_s >= 0)) fail("postprocess.min_duration_s (--min-duration-s) must be >= 0 seconds.");
  if (!(pp.merge_gap_s >= 0)) fail("postprocess.merge_gap_s (--merge-gap-s) must be >= 0 seconds.");
  if (!(pp.min_sqi >= 0 && pp.min_sqi <= 1))
    fail("postprocess.min_sqi (--min-event-sqi) must be in [0, 1] (0 = no quality gate), got " + number_text(pp.min_sqi) + ".");
  if (!(pp.fa_budget_per_24h >= 0)) fail("postprocess.fa_budget_per_24h (--fa-budget) must be >= 0.");
  for (const auto& [name, value] : {std::pair<const char*, double>{"max_alarm_latency_s (--max-alarm-latency)", pp.max_alarm_latency_s},
                                     {"alarm_within_s (--alarm-within)", pp.alarm_within_s}}) {
    if (!(value >= 0 && value <= 3600))
      fail(std::string("postprocess.") + name + " must be between 0 (off) and 3600 seconds, got " + number_text(value) + ".");
  }
  if (!(pp.tailor_hours >= 0 && pp.tailor_hours <= 1e6))
    fail("postprocess.tailor_hours (--tailor-hours) must be between 0 (off) and 1e6 hours.");
  if (!(pp.tailor_margin >= 1 && pp.tailor_margin <= 10))
    fail("postprocess.tailor_margin (--tailor-margin) must be between 1 and 10.");
}

// Tailoring: the baseline given one way, and retraining's conditions.
static void validate_tailoring(const Config& c) {
  auto fail = [](const std::string& s) { throw ConfigError(s); };
  const auto& pp = c.postprocess;
  if (!c.tailor_baseline.empty() && pp.tailor_hours > 0)
    fail("postprocess.tailor_baseline (--tailor-baseline) and postprocess.tailor_hours (--tailor-hours) are two ways "
         "to give the baseline: set one of them.");
  if (!c.tailor_retrain.empty() && c.tailor_baseline.empty() && !(pp.tailor_hours > 0))
    fail("postprocess.tailor_retrain (--tailor-retrain) retrains the model on each patient's seizure-free baseline: "
         "give it as recordings (--tailor-baseline) or as the first hours of the inputs (--tailor-hours).");
  if (!c.tailor_retrain.empty() && !c.extract.pseudonymise.empty())
    fail("postprocess.tailor_retrain (--tailor-retrain) names its per-patient folders and models by patient id, which "
         "extract.pseudonymise (--pseudonymise) would reveal: retrain without pseudonymisation, or use threshold "
         "tailoring (--tailor-baseline alone).");
  if (!(c.tailor_copies >= 1 && c.tailor_copies <= 64))
    fail("postprocess.tailor_copies (--tailor-copies) must be between 1 and 64, got " + std::to_string(c.tailor_copies) + ".");
}

// score.*: the scorers' parameters.
static void validate_score(const ScoreSettings& sc) {
  auto fail = [](const std::string& s) { throw ConfigError(s); };
  if (!(sc.epoch_s > 0)) fail("score.epoch_s: --epoch-s must be > 0 seconds.");
  if (!(sc.epoch_s >= 0.001 && sc.epoch_s <= 3600)) fail("score.epoch_s: --epoch-s must be between 0.001 and 3600 seconds.");
  if (!(sc.szcore_tolerance_start_s >= 0) || !(sc.szcore_tolerance_end_s >= 0))
    fail("score.szcore_tolerance_start_s and score.szcore_tolerance_end_s must be >= 0 seconds.");
  if (!(sc.szcore_min_overlap >= 0 && sc.szcore_min_overlap < 1))
    fail("score.szcore_min_overlap (--szcore-min-overlap) must be in [0, 1).");
  if (!(sc.szcore_max_event_duration_s > 0)) fail("score.szcore_max_event_duration_s must be > 0 seconds.");
  if (!(sc.szcore_min_event_gap_s >= 0)) fail("score.szcore_min_event_gap_s must be >= 0 seconds.");
}

// A validation message with the place a configuration file set its key ("extract.window_s
// (--window-s) must be ..." → "In FILE line 4, column 1: extract.window_s ..."), when it did.
static std::string with_origin(const Config& c, const std::string& message) {
  std::string key = message.substr(0, message.find(' '));
  if (!key.empty() && key.back() == ':') key.pop_back();
  const auto it = c.key_origins.find(key);
  return it == c.key_origins.end() ? message : "In " + it->second + ": " + message;
}

void validate(const Config& c) {
  try {
    validate_extract(c.extract);
    validate_train(c.train);
    validate_postprocess(c.postprocess);
    validate_tailoring(c);
    validate_score(c.score);
  } catch (const ConfigError& e) {
    throw ConfigError(with_origin(c, e.what()));
  }
}

}  // namespace ecgforest

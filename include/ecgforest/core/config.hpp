#pragma once
// The run configuration: one schema shared by the TOML config file, the command-line flags and
// the effective-configuration text stored in every output file.
//
// Precedence: built-in defaults < --config FILE.toml < command-line flags.
// Unknown keys in the file are an error that lists the valid keys.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "ecgforest/core/choices.hpp"
#include "ecgforest/core/postprocess_settings.hpp"

namespace ecgforest {

struct ExtractSettings {
  std::string ecg_channel;  ///< EDF label of the ECG channel; empty = auto-detect by label
  /// Regex applied to the EDF basename (then to the whole path); the first non-empty capture
  /// group (or the whole match) is the patient id. No match → the recording NAME (file stem, or
  /// a beat file's name without _rr.csv[.gz] / _beats.csv[.gz]) is the patient.
  std::string patient_regex = R"(^([0-9]{8}|[a-z]{8})_s[0-9]+_t[0-9]+|(PAT_[0-9]+))";
  std::string annotation_map;  ///< optional CSV "edf,annotation" pairing files explicitly
  Detector detector = Detector::default_;  ///< R-peak detector (names: ChoiceNames<Detector>)
  /// Directory for the old workflow's RR tables (<edf stem>_rr.csv: timestamp,frame,rr_interval);
  /// empty = not written.
  std::string rr_csv;
  double window_s = 10.0;  ///< feature window length, seconds
  double step_s = 1.0;     ///< hop between window ends, seconds
  /// HRV profile: "default" (recording clock, corrected), "aura2021" or "head" (old workflow).
  HrvProfile hrv_profile = HrvProfile::default_;
  double hrv_nonlinear_window_s = 60.0;   ///< window of sampen/Poincaré/CSI features, seconds
  double hrv_frequency_window_s = 150.0;  ///< window of vlf/lf/hf/lf_hf_ratio, seconds
  /// Comma-separated HRV feature columns (in this order); empty = all of the profile.
  std::string hrv_features;
  /// Annotation events may end at most this many seconds after the recording end.
  double annotation_tolerance_s = 2.0;
  bool strict = false;  ///< exit non-zero when any recording fails
  // Privacy (README "What the outputs hold about a patient").
  bool absolute_paths = false;  ///< store absolute recording paths; default: relative to input_root
  /// Directory stored paths are relative to; empty = the deepest directory holding every
  /// recording. Stored in outputs relative to the output file's directory.
  std::string input_root;
  /// Secret key file: recording names and patient ids become keyed pseudonyms (HMAC-SHA256) in
  /// every output; empty = off. Neither the file name nor the key is ever stored.
  std::string pseudonymise;
  std::string pseudonym_key;  ///< the key read from `pseudonymise` when parsed (no schema key)
  bool drop_dates = false;    ///< no wall-clock start date or time of day in any output
};

struct TrainSettings {
  /// forest (trees, max_depth, ... below) or boosted (the boost_* keys; forest/boost.hpp).
  Learner learner = Learner::forest;
  int boost_rounds = 300;             ///< boosting rounds (one tree each)
  int boost_depth = 4;                ///< depth of each boosted tree, 1..16
  double boost_learning_rate = 0.05;  ///< shrinkage of each round's leaf values, (0, 1]
  double boost_subsample = 0.8;       ///< each row's chance to take part in a round, (0, 1]
  double boost_colsample = 0.8;       ///< share of the features each round's tree may use, (0, 1]
  int trees = 100;
  int max_features = 0;  ///< 0 = floor(sqrt(F))
  // Defaults from benchmarks/forest_compare.py (README "Random forest"): shallow-ish trees on
  // subsamples with shrunk leaves generalise better here than trees grown to purity.
  int max_depth = 10;    ///< 0 = unlimited
  int min_samples_leaf = 20;
  ClassWeight class_weight = ClassWeight::balanced;
  Bootstrap bootstrap = Bootstrap::subsample;  ///< standard, balanced (class-balanced), subsample or none
  double sample_fraction = 0;  ///< draws per tree / training rows, (0, 1]; 0 = 1 (0.632 for subsample)
  double leaf_prior = 200;     ///< leaf shrinkage: pseudo-rows at the root's class ratio per node
  bool tune = false;           ///< pick max_depth/min_samples_leaf/max_features/leaf_prior by OOB AUC
  int cv_folds = 3;  ///< patient-grouped folds; 0 = no cross-validation
  std::uint64_t seed = 42;
  double label_threshold = 0.5;     ///< window seizure fraction >= this → positive class
  double decision_threshold = 0.5;  ///< predicted probability >= this → seizure
  int max_bins = 256;               ///< quantile bins per feature, 2..256 (one code is NaN)
  double min_sqi = 0.0;             ///< skip windows whose `sqi` column is < this (0 = keep all)
  bool skip_oob = false;            ///< skip the out-of-bag estimate and permutation importances
  /// Comma-separated feature columns the forest does not use. Default "sqi": signal quality
  /// describes the recording system, not the heart (a model that uses it learns a cohort's
  /// artefact habits, and heart-beat recordings have none); "" = use every column.
  std::string exclude_features = "sqi";
  /// Path of a predictions.h5-layout file of the cross-validation's out-of-fold probabilities,
  /// events and reference seizures ("" = not written; needs cv_folds >= 2).
  std::string cv_predictions;
};

/// `score`: which scorers run and their parameters ([score] table; SzCORE defaults from
/// Dan et al. 2024 / timescoring v0.0.7, NEDC defaults from NEDC EEG Eval v6.0.0).
struct ScoreSettings {
  Scorer scorer = Scorer::all;
  TaesOverlap taes_overlap = TaesOverlap::whole_seconds;  ///< "nedc" (NEDC's whole-second test) or "exact"
  double epoch_s = 0.25;                ///< NEDC epoch length, seconds
  double szcore_tolerance_start_s = 30;  ///< SzCORE: a hypothesis this long before onset detects
  double szcore_tolerance_end_s = 60;    ///< SzCORE: ... and this long after offset
  double szcore_min_overlap = 0;         ///< SzCORE: relative overlap with the window needed (> this)
  double szcore_max_event_duration_s = 300;  ///< SzCORE: longer events are split
  double szcore_min_event_gap_s = 90;        ///< SzCORE: events closer than this are merged
};

struct Config {
  std::vector<std::string> input;  ///< EDF files, directories (recursive), globs or list files
  std::string output;              ///< extract: features file; run: output directory
  std::string features;            ///< train/predict: features file
  std::string model;               ///< train: model file to write; predict: model to read
  /// predict: seizure-free baseline recordings (as `input`) that tailor each patient's threshold
  /// and are not scored ([postprocess] tailor_baseline); empty = none.
  std::vector<std::string> tailor_baseline;
  /// predict: the features file the model was trained on ([postprocess] tailor_retrain); when set,
  /// each patient's tailor_baseline windows join it tailor_copies times and the model is retrained
  /// for that patient (tailoring by retraining) instead of tailoring its threshold. Empty = off.
  std::string tailor_retrain;
  int tailor_copies = 4;
  ExtractSettings extract;
  TrainSettings train;
  PostprocessSettings postprocess;
  /// Keys ("postprocess.threshold", ...) set by a config file or a flag rather than left at their
  /// defaults: train and predict only fill the post-processing keys the user did not set.
  std::set<std::string> explicit_keys;
  /// Where a configuration file set a key ("configs/x.toml line 4, column 1"); a flag that
  /// overrides the key removes it. validate names it in its messages.
  std::map<std::string, std::string> key_origins;
  ScoreSettings score;
};

/// Subcommands; a schema key may apply to several.
enum class Command : unsigned { extract = 1, train = 2, run = 4, predict = 8, inspect = 16, score = 32 };

/// The TOML type a key takes in a configuration file (a wrong type is a ConfigError naming the
/// key, file, line and column). Command-line values are text and converted by `set`.
/// unsigned_integer also takes a string of digits: TOML integers are signed 64-bit, so to_toml
/// writes a seed above 2^63 - 1 as a string.
enum class ValueKind { text, integer, unsigned_integer, number, boolean };

/// One configuration key: its TOML name ("train.trees"), its command-line flag ("--trees"),
/// help text, and how to set/print it.
struct ConfigKey {
  std::string key;
  std::string flag;
  std::string help;
  unsigned commands;  ///< bitmask of Command
  bool is_list = false;
  bool is_flag = false;  ///< boolean switch on the command line (no value)
  std::function<void(Config&, const std::vector<std::string>&)> set;  ///< throws ConfigError
  std::function<std::string(const Config&)> to_toml;                  ///< TOML value text
  ValueKind kind = ValueKind::text;  ///< TOML type in a file (of each element, for lists)
};

/// The whole schema, in the order keys are printed.
const std::vector<ConfigKey>& config_schema();

/// Applies a TOML file on top of `config`. Throws ConfigError naming the file for unreadable
/// files, syntax errors, unknown keys (listing the valid ones) and bad values.
void apply_config_file(Config& config, const std::filesystem::path& file);

/// Applies a TOML text (same rules; `origin` names it in error messages).
void apply_config_text(Config& config, const std::string& text, const std::string& origin);

/// The effective configuration as TOML text (every key, including defaults).
std::string to_toml(const Config& config);

/// Checks value ranges (window > 0, trees >= 1, ...). Throws ConfigError.
void validate(const Config& config);

}  // namespace ecgforest

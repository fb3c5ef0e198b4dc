#pragma once
// The model file (serial HDF5, written by one rank).
//
// Layout:
//   /trees/offsets   uint64 [T+1]  nodes of tree t are rows [offsets[t], offsets[t+1])
//   /trees/feature   int32  [nodes] split feature (-1 at leaves)
//   /trees/threshold float32[nodes] go left when x <= threshold (original feature units)
//   /trees/nan_left  uint8  [nodes] go left when x is NaN
//   /trees/left, /trees/right int32 [nodes] child node index within the tree (-1 at leaves)
//   /trees/value     float32[nodes] P(seizure) at leaves (training class fraction)
//   /trees/bin       uint8  [nodes] the same split on the codes of /binning (left when code <= bin
//                    or code is 255 = NaN and nan_left); optional
//   /binning/edges   float32 [sum of bins], /binning/offsets uint64 [F+1] (quantile bin upper edges)
//   root attributes: feature_names, config (TOML, provenance only), metrics (JSON), version,
//                    created, format ("ecgforest-model/1"), n_trees; the features' extraction
//                    settings, typed: window_s, step_s (float64), detector, hrv_profile (strings),
//                    hrv_nonlinear_window_s, hrv_frequency_window_s (float64; optional);
//                    optional: summary, and the post-processing chosen by train's
//                    cross-validation, typed: postprocess_smoothing (string),
//                    postprocess_smoothing_windows (int64), postprocess_threshold,
//                    postprocess_min_duration_s, postprocess_merge_gap_s (float64);
//                    for gradient-boosted models only: learner ("boosted") and
//                    boost_base_margin (float64); /trees/value then holds leaf margins and
//                    P(seizure) = 1 / (1 + exp(-(boost_base_margin + sum of leaf values)))
// Written as <name>.partial and renamed when complete.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ecgforest/core/postprocess_settings.hpp"
#include "ecgforest/io/stored_settings.hpp"

namespace ecgforest::io {

/// Sorted fingerprints of the recordings and patients a model was trained on (datasets
/// /training/recordings and /training/patients; pipeline/training_overlap.hpp makes them).
struct TrainingData {
  std::vector<std::uint64_t> recordings;
  std::vector<std::uint64_t> patients;
};

struct ModelMeta {
  std::string config_toml;
  std::string metrics_json;
  /// Human summary `train` printed (evaluation table, top features, notes); attribute "summary",
  /// absent (empty here) in files written before it existed.
  std::string summary;
  /// The post-processing `train` chose by cross-validation (typed attributes postprocess_*);
  /// nullopt when none was chosen (select = "fixed", no CV).
  std::optional<PostprocessSettings> postprocess;
  /// The extraction settings of the features the model was trained on (typed attributes
  /// window_s, step_s, detector, hrv_profile, and the HRV windows); nullopt in models written
  /// before they existed.
  std::optional<StoredExtract> extract;
  /// What the model was trained on (group /training); nullopt in models written before 7
  /// December 2026, which do not list it.
  std::optional<TrainingData> training;
  std::string version;
  std::string created;
  std::vector<std::vector<float>> bin_edges;  ///< per feature
};

/// The trees as the file stores them (plain arrays: io knows the layout, not the forest code;
/// pipeline/model.hpp converts to and from forest::Forest). Tree t is the node rows
/// [offsets[t], offsets[t+1]); child indices are within the tree.
struct ModelArrays {
  std::vector<std::uint64_t> offsets{0};
  std::vector<std::int32_t> feature;
  std::vector<float> threshold;
  std::vector<std::uint8_t> nan_left;
  std::vector<std::int32_t> left;
  std::vector<std::int32_t> right;
  std::vector<float> value;
  std::vector<std::uint8_t> bin;  ///< empty when the model has no bin codes
  std::vector<std::string> feature_names;
  /// Set for gradient-boosted models (attribute boost_base_margin); unset for forests.
  std::optional<double> boosted_base_margin;

  std::size_t n_trees() const { return offsets.empty() ? 0 : offsets.size() - 1; }
};

/// Writes `trees` and `meta`; throws ecgforest::Error naming the file when the node arrays do not
/// all have offsets.back() elements (bin: that many or none) or a tree is empty.
void write_model_file(const std::filesystem::path& file, const ModelArrays& trees, const ModelMeta& meta);

/// Reads a model; throws ecgforest::Error naming the file when it is missing, not a model, or
/// damaged (inconsistent lengths, empty trees, a child index that does not point forward inside
/// its tree, an unknown feature, a NaN threshold, a forest leaf value outside [0, 1] or a non-finite
/// boosted leaf margin).
ModelArrays read_model_file(const std::filesystem::path& file, ModelMeta* meta = nullptr);

}  // namespace ecgforest::io

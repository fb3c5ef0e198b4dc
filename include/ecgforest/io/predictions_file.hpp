#pragma once
// The files `predict` writes (serial HDF5, rank 0, written as <name>.partial and renamed):
//
// predict --features: the probabilities file ("ecgforest-probabilities/1")
//   /windows/probability float32 [W], /windows/record uint32 [W], /windows/time_s float64 [W]
//   attributes: format, config (TOML), version, created, model, features (paths)
//
// predict --input: OUT_DIR/predictions.h5 ("ecgforest-predictions/1")
//   /windows/{probability, smoothed, label, mean_hr} float32 [W], /windows/low_quality uint8 [W]
//   (1 = below the quality gate: neither starts nor extends an event), /windows/record uint32 [W],
//   /windows/time_s float64 [W] (window end, seconds from recording start)
//   /records/{path, patient, status, message, annotation} strings [R], /records/duration_s float64,
//   /records/first_window, /records/n_windows uint64 [R]
//   /events/record uint32, /events/{start_s, stop_s, probability} float64 (detected seizures)
//   /reference/record uint32, /reference/{start_s, stop_s} float64 (annotated seizures)
//   attributes: format, config, version, created, model, window_s, step_s (text)
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ecgforest::io {

/// What every output file says about where it came from (attributes "config", "version",
/// "created" besides "format"): the effective configuration as TOML.
struct Provenance {
  std::string config_toml;
};

struct ProbabilitiesTable {
  std::vector<float> probability;
  std::vector<std::uint32_t> record;
  std::vector<double> time_s;
  std::string model;     ///< path of the model file used
  std::string features;  ///< path of the features file scored
};

void write_probabilities_file(const std::filesystem::path& file, const ProbabilitiesTable& t, const Provenance& p);

struct PredictionsTable {
  std::vector<float> probability, smoothed, label, mean_hr;
  std::vector<std::uint8_t> low_quality;  ///< 1 = below the quality gate (postprocess.min_sqi)
  std::vector<std::uint32_t> record;
  std::vector<double> time_s;
  std::vector<std::string> path, patient, status, message, annotation;
  std::vector<double> duration_s;
  std::vector<std::uint64_t> first_window, n_windows;
  std::vector<std::uint32_t> event_record;
  std::vector<double> event_start_s, event_stop_s, event_probability;
  std::vector<double> event_alarm_s;  ///< eval::Event::alarm_s: when an online detector raised the alarm
  std::vector<std::uint32_t> reference_record;
  std::vector<double> reference_start_s, reference_stop_s;
  std::string model;     ///< path of the model file used
  std::string window_s;  ///< window length and hop as text ("10.000000")
  std::string step_s;
};

void write_predictions_file(const std::filesystem::path& file, const PredictionsTable& t, const Provenance& p);

}  // namespace ecgforest::io

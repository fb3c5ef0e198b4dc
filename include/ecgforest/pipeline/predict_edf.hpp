#pragma once
// `ecgforest predict --model M --input ... --output DIR`: seizure detection on new EDF
// recordings. Every recording goes through pipeline::process_recording (the same journey as
// extract), the model scores its windows, post-processing ([postprocess] settings, with the
// quality gate postprocess.min_sqi on the `sqi` column) turns the probabilities into events,
// and per recording DIR/NAME.tse_bi and DIR/NAME.csv_bi are written (NAME = EDF file stem).
// Rank 0 then writes DIR/predictions.h5 with the per-window probabilities of all recordings
// and, when reference annotations were found next to the EDF files, DIR/score.json (NEDC OVLP/TAES/EPOCH scores, latency, threshold sweep, best operating
// point under postprocess.fa_budget_per_24h).
//
// DIR/predictions.h5 layout (format "ecgforest-predictions/1"):
//   /windows/probability  float32 [N]  raw forest P(seizure) per window
//   /windows/smoothed     float32 [N]  after postprocess smoothing
//   /windows/label        float32 [N]  reference seizure fraction (NaN without annotations)
//   /windows/mean_hr      float32 [N]  mean heart rate of the window, bpm (for the report)
//   /windows/low_quality  uint8 [N]    1 = sqi below postprocess.min_sqi: the window can neither
//                                      start nor extend an event (eval/quality_gate.hpp)
//   /windows/record uint32 [N], /windows/time_s float64 [N] (window end, s from recording start)
//   /records/{path,patient,status,message,annotation} strings [R]; /records/duration_s float64,
//   /records/first_window, /records/n_windows uint64 [R]  (rows in input order, sorted by path)
//   /events/{record uint32, start_s, stop_s, probability float64}      detected seizures
//   /reference/{record uint32, start_s, stop_s float64}                annotated seizures
//   attributes: format, config, version, created, model, window_s, step_s
#include <mpi.h>

#include <filesystem>
#include <optional>
#include <ostream>
#include <vector>

#include "ecgforest/core/config.hpp"
#include "ecgforest/core/json.hpp"
#include "ecgforest/eval/events.hpp"
#include "ecgforest/eval/operating_point.hpp"
#include "ecgforest/io/features_file.hpp"
#include "ecgforest/io/predictions_file.hpp"

namespace ecgforest::pipeline {

struct PredictEdfSummary {
  std::size_t n_records = 0, n_ok = 0, n_failed = 0, n_scored = 0;  ///< scored: with reference annotations
  std::size_t n_events = 0;
  double hours = 0;
  double seconds = 0;
  bool scored = false;  ///< score.json was written
  eval::ScoreSummary score;
};

/// COLLECTIVE over `comm`. The window length, hop and R-peak detector are taken from the
/// model's stored configuration (so the features match the training ones). Throws
/// CollectiveError on every rank for an unreadable model, bad inputs, or when no recording is
/// usable; failed recordings are listed (status and reason) and skipped.
PredictEdfSummary run_predict_edf(MPI_Comm comm, const Config& config, const std::filesystem::path& model,
                                  const std::filesystem::path& output_dir, std::ostream* log);

/// One recording's windows, detections and reference seizures, as predictions.h5 stores them
/// (predict's recordings, and train's out-of-fold ones with train.cv_predictions).
struct RecordingPredictions {
  io::RecordRow row;
  std::vector<double> time_s;
  std::vector<float> prob, smoothed, label, mean_hr;
  std::vector<std::uint8_t> usable;  ///< quality gate per window (postprocess.min_sqi); empty = all usable
  std::vector<eval::Event> hyp, ref;
};

/// Appends recording r's windows, events, reference and /records row to the predictions table.
void append_record(io::PredictionsTable& t, const RecordingPredictions& p, std::uint32_t r);

/// The post-processing keys the user set explicitly (config.explicit_keys) are fixed in the search.
eval::FixedPostprocess fixed_postprocess(const Config& config);

/// The post-processing of `config` with every key the user did not set explicitly taken from
/// `model_pp` (the model's CV choice).
PostprocessSettings effective_postprocess(const Config& config, const PostprocessSettings& model_pp);

}  // namespace ecgforest::pipeline

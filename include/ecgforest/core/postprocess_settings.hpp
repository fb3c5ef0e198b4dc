#pragma once
// The post-processing settings ([postprocess] table): a value type of its own so that eval,
// which turns probabilities into events with them, does not see the configuration schema.
#include <string>

#include "ecgforest/core/choices.hpp"

namespace ecgforest {

/// Turning window probabilities into seizure events (predict --input, event scoring in train).
struct PostprocessSettings {
  Smoothing smoothing = Smoothing::mean;  ///< none, mean (moving average) or median, causal
  int smoothing_windows = 5;       ///< k: the current window and the k-1 previous ones
  double threshold = 0.5;          ///< smoothed probability >= this → seizure window
  double min_duration_s = 5.0;     ///< drop events shorter than this, seconds (after merging)
  double merge_gap_s = 10.0;       ///< merge events separated by less than this, seconds
  /// Quality gate: windows whose `sqi` feature is below this (or NaN) neither start nor extend an
  /// event (eval/quality_gate.hpp); 0 = off. Default from benchmarks/sqi_gate (README).
  double min_sqi = 0.85;
  double fa_budget_per_24h = 1.0;  ///< false alarms per 24 h allowed when choosing the operating point
  /// When choosing the operating point: the settings within the FA budget whose CV median alarm
  /// latency (eval::Event::alarm_s minus onset) is at most this many seconds rank above the other
  /// settings within the budget (chosen only when none meets it); 0 = no limit.
  double max_alarm_latency_s = 0.0;
  /// When choosing the operating point: the settings within the FA budget (and the latency limit,
  /// if any) rank by how many CV seizures they alarm within this many seconds of onset, before
  /// OVLP sensitivity; 0 = off (rank by sensitivity).
  double alarm_within_s = 0.0;
  /// "cv": train chooses the keys above that the user did not set (smoothing, threshold, minimum
  /// duration, merge gap) by its patient-grouped CV within fa_budget_per_24h and stores them in
  /// the model, which predict uses unless overridden; "fixed": the configured values as they are.
  PostprocessSelect select = PostprocessSelect::cv;
  /// predict: hours at the start of each patient's recordings (in path order) used as that
  /// patient's seizure-free baseline to tailor its threshold; those hours are not scored. 0 = off.
  double tailor_hours = 0.0;
  double tailor_margin = 1.05;  ///< tailored threshold = lowest quiet threshold x this (105 % rule)
};

}  // namespace ecgforest

#pragma once
// The single-file subcommands `beats`, `hrv` and `score` as functions: the cli parses their
// options into these requests and runs them on rank 0 (cli::run_on_rank0). Each throws
// ConfigError for bad usage (exit 2) and Error for anything else (exit 1), naming the file.
#include <string>
#include <vector>

#include "ecgforest/core/config.hpp"
#include "ecgforest/eval/events.hpp"
#include "ecgforest/eval/szcore.hpp"
#include "ecgforest/io/annotations.hpp"

namespace ecgforest::pipeline {

/// `beats`: R-peaks of one EDF recording -> CSV "sample,time_s" (and optionally the old
/// workflow's RR table DIR/<edf stem>_rr.csv); prints one summary line to stdout.
struct BeatsRequest {
  std::string input;
  std::string channel;
  std::string detector = "default";
  std::string output;
  std::string rr_csv_dir;
  /// Beats (and RR rows) in stretches whose signal quality is below this get low_quality = 1
  /// (10 s windows every 1 s, as extract); 0 = no low_quality column.
  double min_sqi = PostprocessSettings{}.min_sqi;
};
void run_beats(const BeatsRequest& request);

/// `hrv`: HRV features of one RR-interval CSV (whole series or the windowed table) per profile,
/// written as CSV or JSON (by the output's extension); the old library's printed lines to stderr.
struct HrvRequest {
  std::string rr;
  std::string profile = "aura2021";
  bool windowed = false;
  std::string output;
};
void run_hrv(const HrvRequest& request);

/// `score`: hypothesis annotation files scored against reference ones, paired by recording name,
/// with the scorers and parameters of `settings`; tables to stdout, optionally JSON to `json`.
struct ScoreRequest {
  std::string ref;
  std::string hyp;
  std::string json;
  ScoreSettings settings;
};
void run_score(const ScoreRequest& request);

/// The [score] szcore_* keys as SzCORE event-scoring parameters.
eval::szcore::Params szcore_params(const ScoreSettings& settings);

/// The seizure events of an annotation file (labels for which is_seizure_label holds).
std::vector<eval::Event> seizure_events(const io::Annotations& annotations);

}  // namespace ecgforest::pipeline

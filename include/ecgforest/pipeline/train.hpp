#pragma once
// `ecgforest train`: features file in, model file and metrics JSON out.
#include <mpi.h>

#include <filesystem>
#include <ostream>
#include <string>

#include "ecgforest/core/config.hpp"
#include "ecgforest/eval/metrics.hpp"

namespace ecgforest::pipeline {

struct TrainSummary {
  std::size_t n_rows = 0, n_positive = 0, n_patients = 0;
  int folds_used = 0;
  eval::BinaryMetrics pooled;  ///< pooled out-of-fold metrics (when folds_used >= 2)
  std::string metrics_json;
  double seconds = 0;
};

/// COLLECTIVE over `comm`. Reads `features` on every rank, builds the training rows (labelled
/// windows; positive when label >= train.label_threshold), runs patient-grouped k-fold
/// cross-validation with trees split across ranks, then grows the final forest on all rows,
/// gathers it on rank 0, writes `model` and `metrics_json_path` (rank 0). Prints a table to
/// `log` on rank 0. Throws CollectiveError on every rank for unusable data.
TrainSummary run_train(MPI_Comm comm, const Config& config, const std::filesystem::path& features,
                       const std::filesystem::path& model, const std::filesystem::path& metrics_json_path,
                       std::ostream* log);

/// "model.h5" → "model.metrics.json" (same directory).
std::filesystem::path metrics_path_for(const std::filesystem::path& model);

}  // namespace ecgforest::pipeline

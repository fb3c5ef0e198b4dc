#pragma once
// HRV features on sliding windows of one recording. Pure numeric code: no MPI, no HDF5.
// (OpenMP over windows is allowed inside compute_window_features; results must not depend on
// the thread count.)
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "ecgforest/signal/rpeaks.hpp"

namespace ecgforest::hrv {

/// Row-major float matrix: one row per window, one column per feature.
using FeatureRows = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct WindowSpec {
  double window_s = 10.0;  ///< window length in seconds (time-domain features)
  double step_s = 1.0;     ///< hop between consecutive window ends, seconds
};

struct WindowFeatures {
  std::vector<std::string> columns;  ///< feature names, size F (same for every recording)
  FeatureRows values;                ///< [n_windows, F]; NaN where a feature is undefined
  std::vector<double> window_end_s;  ///< [n_windows] window end, seconds from recording start
};

/// Feature column names produced by compute_window_features for this spec (stable order).
std::vector<std::string> feature_columns(const WindowSpec& spec);

/// Computes features on windows ending at t = window_s, window_s + step_s, ... <= duration_s
/// (recording clock, seconds from the first sample). `peak_sample` are R-peak sample indices at
/// `fs_hz`; RR interval i (ms) is the time between peak i and i+1 and is timed at peak i+1.
/// RR intervals overlapping a bad segment are not used.
WindowFeatures compute_window_features(const std::vector<std::int64_t>& peak_sample, double fs_hz,
                                       double duration_s,
                                       const std::vector<signal::BadSegment>& bad,
                                       const WindowSpec& spec);

}  // namespace ecgforest::hrv

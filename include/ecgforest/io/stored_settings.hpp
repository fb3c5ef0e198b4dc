#pragma once
// Settings an output file stores as typed attributes for the stages that read it later.
#include "ecgforest/core/choices.hpp"

namespace ecgforest::io {

/// The extraction settings of a features file or model: what predict needs to compute the same
/// features and train's CV scoring needs to post-process windows.
struct StoredExtract {
  double window_s = 0, step_s = 0;
  Detector detector = Detector::default_;  ///< stored by name (core/choices.hpp)
  HrvProfile hrv_profile = HrvProfile::default_;
  /// Windows of the non-linear and frequency HRV features (attributes since 7 December 2026).
  /// Files written before them read them from their stored effective configuration (a model's
  /// is its training run's: right for `run`, the train command's for `train --features`), and
  /// as the defaults when it lacks the keys (written before the options existed).
  double hrv_nonlinear_window_s = 60.0, hrv_frequency_window_s = 150.0;

  bool operator==(const StoredExtract&) const = default;
};

}  // namespace ecgforest::io

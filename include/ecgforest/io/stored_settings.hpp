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
};

}  // namespace ecgforest::io

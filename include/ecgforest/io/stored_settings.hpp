#pragma once
// Settings an output file stores as typed attributes for the stages that read it later.
#include <string>

namespace ecgforest::io {

/// The extraction settings of a features file or model: what predict needs to compute the same
/// features and train's CV scoring needs to post-process windows.
struct StoredExtract {
  double window_s = 0, step_s = 0;
  std::string detector, hrv_profile;
};

}  // namespace ecgforest::io

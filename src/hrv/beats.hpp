#pragma once
// Accepted NN intervals of one recording (default HRV profile), shared by features.cpp and
// cardiac.cpp. Internal header: not part of the public include/ tree.
#include <vector>

namespace ecgforest::hrv::detail {

// Accepted NN intervals of a recording, in beat order.
struct Beats {
  std::vector<double> t_s;    // time of the later R peak, seconds on the recording clock
  std::vector<double> rr_ms;
  std::vector<char> follows;  // 1 when the previous accepted NN is the immediately preceding RR
  std::vector<char> bridge;   // 1 when the 4 Hz series may interpolate from the previous NN
};

}  // namespace ecgforest::hrv::detail

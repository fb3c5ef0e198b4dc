#pragma once
// Monotonic wall clock for phase timings and progress lines.
#include <chrono>

namespace ecgforest {

/// Seconds on the steady (monotonic) clock since an unspecified epoch: only differences mean
/// anything. Unaffected by system clock changes.
inline double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace ecgforest

#include "ecgforest/eval/quality_gate.hpp"

#include <string>

#include "ecgforest/core/error.hpp"

namespace ecgforest::eval {

std::vector<std::uint8_t> quality_mask(const std::vector<float>& sqi, double min_sqi) {
  std::vector<std::uint8_t> usable(sqi.size(), 1);
  if (!(min_sqi > 0.0)) return usable;
  for (std::size_t i = 0; i < sqi.size(); ++i) usable[i] = static_cast<double>(sqi[i]) >= min_sqi ? 1 : 0;  // NaN → 0
  return usable;
}

std::vector<Event> quality_gated_events(const std::vector<double>& window_end_s, const std::vector<float>& smoothed,
                                        const std::vector<std::uint8_t>& usable, double step_s, double threshold,
                                        double min_duration_s, double merge_gap_s) {
  if (usable.size() != window_end_s.size() || smoothed.size() != window_end_s.size()) {
    throw Error("quality_gated_events: " + std::to_string(window_end_s.size()) + " window times, " +
                std::to_string(smoothed.size()) + " probabilities and " + std::to_string(usable.size()) +
                " quality flags; pass one of each per window.");
  }
  std::vector<Event> out;
  for (std::size_t i = 0; i < usable.size();) {
    if (!usable[i]) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < usable.size() && usable[j]) ++j;
    const std::vector<double> t(window_end_s.begin() + static_cast<std::ptrdiff_t>(i),
                                window_end_s.begin() + static_cast<std::ptrdiff_t>(j));
    const std::vector<float> p(smoothed.begin() + static_cast<std::ptrdiff_t>(i),
                               smoothed.begin() + static_cast<std::ptrdiff_t>(j));
    for (const Event& e : windows_to_events(t, p, step_s, threshold, min_duration_s, merge_gap_s)) out.push_back(e);
    i = j;
  }
  return out;
}

}  // namespace ecgforest::eval

#include "ecgforest/eval/quality_gate.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "ecgforest/core/error.hpp"

namespace ecgforest::eval {

std::vector<std::uint8_t> quality_mask(const std::vector<float>& sqi, double min_sqi) {
  std::vector<std::uint8_t> usable(sqi.size(), 1);
  if (!(min_sqi > 0.0)) return usable;
  for (std::size_t i = 0; i < sqi.size(); ++i) usable[i] = static_cast<double>(sqi[i]) >= min_sqi ? 1 : 0;  // NaN → 0
  return usable;
}

std::vector<std::uint8_t> quality_flags(const std::vector<float>& sqi, double min_sqi, std::size_t min_run) {
  const auto good = quality_mask(sqi, min_sqi);
  // Widen every bad window by half a run on each side: an artefact's quality wavers around the gate.
  const std::size_t half = min_run / 2;
  std::vector<std::uint8_t> usable(good.size(), 1);
  for (std::size_t i = 0; i < good.size(); ++i) {
    if (good[i]) continue;
    const std::size_t from = i >= half ? i - half : 0, to = std::min(good.size(), i + half + 1);
    std::fill(usable.begin() + static_cast<std::ptrdiff_t>(from), usable.begin() + static_cast<std::ptrdiff_t>(to), 0);
  }
  for (std::size_t i = 0; i < usable.size();) {
    std::size_t j = i;
    while (j < usable.size() && usable[j] == usable[i]) ++j;
    const bool enclosed = i > 0 && j < usable.size();  // bad windows on both sides
    if (usable[i] && enclosed && j - i < min_run) {
      std::fill(usable.begin() + static_cast<std::ptrdiff_t>(i), usable.begin() + static_cast<std::ptrdiff_t>(j), 0);
    }
    i = j;
  }
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

std::vector<float> gated_smoothing(const std::vector<float>& p, const std::vector<std::uint8_t>& usable,
                                   Smoothing method, int k) {
  if (usable.empty()) return smooth_probabilities(p, method, k);
  if (usable.size() != p.size()) {
    throw Error("gated_smoothing: " + std::to_string(p.size()) + " probabilities but " + std::to_string(usable.size()) +
                " quality flags; pass one flag per window.");
  }
  std::vector<float> out(p.size());
  for (const std::uint8_t flag : {std::uint8_t{0}, std::uint8_t{1}}) {
    std::vector<std::size_t> at;
    std::vector<float> series;
    for (std::size_t i = 0; i < p.size(); ++i) {
      if ((usable[i] != 0) != (flag != 0)) continue;
      at.push_back(i);
      series.push_back(p[i]);
    }
    const auto smoothed = smooth_probabilities(series, method, k);
    for (std::size_t j = 0; j < at.size(); ++j) out[at[j]] = smoothed[j];
  }
  return out;
}

std::vector<Event> gated_events(const std::vector<double>& window_end_s, const std::vector<float>& smoothed,
                                const std::vector<std::uint8_t>& usable, double step_s, double threshold,
                                double min_duration_s, double merge_gap_s) {
  if (usable.empty()) return windows_to_events(window_end_s, smoothed, step_s, threshold, min_duration_s, merge_gap_s);
  return quality_gated_events(window_end_s, smoothed, usable, step_s, threshold, min_duration_s, merge_gap_s);
}

std::vector<Event> gated_postprocess(const std::vector<double>& window_end_s, const std::vector<float>& prob,
                                     const std::vector<std::uint8_t>& usable, double step_s,
                                     const PostprocessSettings& s) {
  return gated_events(window_end_s, gated_smoothing(prob, usable, s.smoothing, s.smoothing_windows), usable, step_s,
                      s.threshold, s.min_duration_s, s.merge_gap_s);
}

std::size_t gate_min_run(double window_s, double step_s) {
  return static_cast<std::size_t>(std::max(1.0, std::round(window_s / step_s)));
}

}  // namespace ecgforest::eval

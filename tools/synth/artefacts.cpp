#include "artefacts.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace ecgforest::synth {
namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;
constexpr double kClipUv = 4500.0;

bool fits(const ArtefactEpisode& e, const std::vector<ArtefactEpisode>& taken, const std::vector<SeizureEvent>& seizures) {
  for (const auto& s : seizures)
    if (e.start_s < s.stop_s + 180.0 && e.stop_s > s.start_s - 180.0) return false;
  for (const auto& t : taken)
    if (e.start_s < t.stop_s + 30.0 && e.stop_s > t.start_s - 30.0) return false;
  return true;
}

// A step of amplitude `a` at sample `at`: rises with time constant `edge_s`, relaxes with `relax_s`.
void add_step(std::vector<double>& x, std::size_t at, std::size_t end, double fs, double a, double edge_s, double relax_s) {
  const std::size_t last = std::min(end, at + static_cast<std::size_t>(5.0 * relax_s * fs));
  for (std::size_t i = at; i < last; ++i) {
    const double t = static_cast<double>(i - at) / fs;
    x[i] += a * (1.0 - std::exp(-t / edge_s)) * std::exp(-t / relax_s);
  }
}

// A burst of `dur_s` seconds in the band f_lo..f_hi Hz and peak amplitude about `a` (six random
// sinusoids, Hann envelope).
void add_burst(std::vector<double>& x, std::size_t at, std::size_t end, double fs, double a, double dur_s, double f_lo,
               double f_hi, Rng& rng) {
  double f[6], ph[6];
  for (int k = 0; k < 6; ++k) {
    f[k] = rng.uniform(f_lo, f_hi);
    ph[k] = rng.uniform(0.0, kTwoPi);
  }
  const std::size_t last = std::min(end, at + static_cast<std::size_t>(dur_s * fs));
  for (std::size_t i = at; i < last; ++i) {
    const double t = static_cast<double>(i - at) / fs;
    double v = 0.0;
    for (int k = 0; k < 6; ++k) v += std::sin(kTwoPi * f[k] * t + ph[k]);
    x[i] += a / 2.5 * v * 0.5 * (1.0 - std::cos(kTwoPi * t / dur_s));
  }
}

}  // namespace

std::vector<ArtefactEpisode> draw_artefacts(Rng& rng, int duration_s, double rate_per_h,
                                            const std::vector<SeizureEvent>& seizures) {
  std::vector<ArtefactEpisode> out;
  const int n = rng.poisson(rate_per_h * duration_s / 3600.0);
  for (int k = 0; k < n; ++k) {
    const double len = rng.uniform(20.0, 120.0);
    if (duration_s < 60.0 + len) continue;
    for (int attempt = 0; attempt < 20; ++attempt) {
      const double start = std::round(rng.uniform(30.0, duration_s - 30.0 - len) * 10.0) / 10.0;
      const ArtefactEpisode e{start, start + std::round(len * 10.0) / 10.0};
      if (fits(e, out, seizures)) {
        out.push_back(e);
        break;
      }
    }
  }
  sort_by_start(out);
  return out;
}

void sort_by_start(std::vector<ArtefactEpisode>& episodes) {
  std::sort(episodes.begin(), episodes.end(),
            [](const ArtefactEpisode& a, const ArtefactEpisode& b) { return a.start_s < b.start_s; });
}

std::vector<ArtefactEpisode> draw_ictal_artefacts(Rng& rng, int duration_s, double share,
                                                  const std::vector<SeizureEvent>& seizures) {
  std::vector<ArtefactEpisode> out;
  if (!(share > 0.0)) return out;
  for (const auto& s : seizures) {
    if (!rng.bernoulli(share)) continue;
    const double start = s.start_s + rng.uniform(0.0, 0.5) * (s.stop_s - s.start_s);
    const double stop = std::min(s.stop_s + rng.uniform(0.0, 30.0), static_cast<double>(duration_s) - 5.0);
    if (stop > start) out.push_back({std::round(start * 10.0) / 10.0, std::round(stop * 10.0) / 10.0, true});
  }
  return out;
}

void add_artefacts(std::vector<double>& ecg, int fs_hz, double r_amplitude_uv,
                   const std::vector<ArtefactEpisode>& episodes, Rng& rng) {
  const double fs = fs_hz;
  for (const auto& e : episodes) {
    const auto end = std::min(ecg.size(), static_cast<std::size_t>((e.stop_s + 5.0) * fs));
    if (rng.bernoulli(0.5)) {  // rhythmic: chewing, tremor, repetitive movement
      const double period = 1.0 / rng.uniform(1.3, 2.5);
      const double a = r_amplitude_uv * rng.uniform(0.6, 1.5);
      for (double t = e.start_s; t < e.stop_s; t += period * rng.uniform(0.95, 1.05)) {
        const auto at = static_cast<std::size_t>(t * fs);
        if (at >= end) break;
        add_burst(ecg, at, end, fs, a * rng.uniform(0.8, 1.2), rng.uniform(0.15, 0.3), 5.0, 15.0, rng);
        add_step(ecg, at, end, fs, (rng.bernoulli(0.5) ? 0.3 : -0.3) * a, 0.05, rng.uniform(0.3, 1.0));
      }
      const auto first = std::min(ecg.size(), static_cast<std::size_t>(e.start_s * fs));
      for (std::size_t i = first; i < end; ++i) ecg[i] = std::clamp(ecg[i], -kClipUv, kClipUv);
      continue;
    }
    for (double t = e.start_s; t < e.stop_s; t += rng.uniform(0.3, 1.5)) {
      const auto at = static_cast<std::size_t>(t * fs);
      if (at >= end) break;
      const double sign = rng.bernoulli(0.5) ? 1.0 : -1.0;
      add_step(ecg, at, end, fs, sign * r_amplitude_uv * rng.uniform(0.3, 2.0), rng.uniform(0.05, 0.3) / 3.0,
               rng.uniform(1.0, 4.0));
      add_burst(ecg, at, end, fs, r_amplitude_uv * rng.uniform(0.5, 2.0), rng.uniform(0.3, 2.0), 1.0, 15.0, rng);
      if (rng.bernoulli(0.5)) {
        const auto pop = static_cast<std::size_t>((t + rng.uniform(0.0, 1.0)) * fs);
        if (pop < end)
          add_step(ecg, pop, end, fs, (rng.bernoulli(0.5) ? 1.0 : -1.0) * r_amplitude_uv * rng.uniform(1.0, 2.5),
                   rng.uniform(0.005, 0.02) / 3.0, rng.uniform(0.05, 0.3));
      }
    }
    const auto first = std::min(ecg.size(), static_cast<std::size_t>(e.start_s * fs));
    for (std::size_t i = first; i < end; ++i) ecg[i] = std::clamp(ecg[i], -kClipUv, kClipUv);
  }
}

}  // namespace ecgforest::synth

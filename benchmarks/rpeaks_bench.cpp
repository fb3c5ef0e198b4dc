// R-peak detection throughput on a long generated recording (samples per second per core).
// Run: build/<dir>/benchmarks/rpeaks_bench --benchmark_min_time=2
// The figure the README quotes is items_per_second of BM_DetectRpeaks (1 thread), next to
// BM_DetectRpeaksPlain (elgendi-plain: without the template, band choice, rhythm and crowding
// checks).
#include <benchmark/benchmark.h>

#include <cmath>
#include <numbers>
#include <random>
#include <vector>

#include "ecgforest/signal/rpeaks.hpp"
#include "ecgforest/signal/sqi.hpp"

namespace {

// `hours` of mV ECG at fs: beats with RR 0.6-1.1 s, white noise, baseline wander, a few PVCs.
Eigen::VectorXd long_ecg(double fs, double hours) {
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0.0, 0.03);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const auto n = static_cast<Eigen::Index>(hours * 3600.0 * fs);
  Eigen::VectorXd x(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / fs;
    x[i] = 0.3 * std::sin(2.0 * std::numbers::pi * 0.25 * t) + noise(rng);
  }
  double rr = 0.8;
  for (double c = 0.5; c < hours * 3600.0 - 1.0; c += rr) {
    rr = std::clamp(rr + 0.03 * (u(rng) - 0.5), 0.6, 1.1);
    const bool pvc = u(rng) < 0.02;
    const auto lo = static_cast<Eigen::Index>((c - 0.3) * fs), hi = static_cast<Eigen::Index>((c + 0.5) * fs);
    for (Eigen::Index i = std::max<Eigen::Index>(0, lo); i < std::min(n, hi); ++i) {
      const double t = static_cast<double>(i) / fs;
      auto g = [&](double mu, double s) { return std::exp(-0.5 * (t - mu) * (t - mu) / (s * s)); };
      x[i] += pvc ? 1.5 * g(c, 0.025) - 0.5 * g(c + 0.3, 0.06)
                  : 0.15 * g(c - 0.16, 0.025) + g(c, 0.009) - 0.25 * g(c + 0.03, 0.009) + 0.3 * g(c + 0.25, 0.04);
    }
  }
  return x;
}

const Eigen::VectorXd& recording() {
  static const Eigen::VectorXd x = long_ecg(256.0, 2.0);  // 2 h at 256 Hz: 1.84 M samples
  return x;
}

void run_detector(benchmark::State& state, const char* name) {
  const Eigen::VectorXd& x = recording();
  ecgforest::signal::DetectorOptions options;
  options.detector = ecgforest::parse_choice<ecgforest::Detector>(name).value();
  std::size_t beats = 0;
  for (auto _ : state) {
    auto r = ecgforest::signal::detect_rpeaks(x, 256.0, options);
    beats = r.sample.size();
    benchmark::DoNotOptimize(r.sample.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * x.size());
  state.counters["beats"] = static_cast<double>(beats);
}

// The default detector (with the beat-template stage) ...
void BM_DetectRpeaks(benchmark::State& state) { run_detector(state, "default"); }
BENCHMARK(BM_DetectRpeaks)->Unit(benchmark::kMillisecond);
// ... and the previous default without it, side by side in one run (the machine is shared).
void BM_DetectRpeaksPlain(benchmark::State& state) { run_detector(state, "elgendi-plain"); }
BENCHMARK(BM_DetectRpeaksPlain)->Unit(benchmark::kMillisecond);

void BM_BeatQuality(benchmark::State& state) {
  const Eigen::VectorXd& x = recording();
  const auto r = ecgforest::signal::detect_rpeaks(x, 256.0);
  for (auto _ : state) {
    auto q = ecgforest::signal::beat_quality(x, 256.0, r);
    benchmark::DoNotOptimize(q.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * x.size());
}
BENCHMARK(BM_BeatQuality)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

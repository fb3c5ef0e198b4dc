// HRV windows per second per core (OMP_NUM_THREADS is forced to 1): all features of each
// profile on a synthetic 1-hour RR series (~72 bpm with LF and HF modulation and noise).
// Run: build/<dir>/benchmarks/hrv_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <omp.h>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "ecgforest/hrv/aura2021.hpp"
#include "ecgforest/hrv/features.hpp"

namespace {

std::vector<double> synthetic_rr(double seconds) {
  std::vector<double> rr;
  double t = 0.0;
  std::uint64_t state = 12345;
  while (t < seconds) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double noise = static_cast<double>(state >> 11) / 9007199254740992.0 - 0.5;
    const double v = 830.0 + 30.0 * std::sin(2 * std::numbers::pi * 0.1 * t) +
                     20.0 * std::sin(2 * std::numbers::pi * 0.25 * t) + 20.0 * noise;
    const double q = std::round(v / 3.90625) * 3.90625;  // 256 Hz quantisation
    rr.push_back(q);
    t += q / 1000.0;
  }
  return rr;
}

void BM_HrvDefaultProfile(benchmark::State& state) {
  omp_set_num_threads(1);
  const auto rr = synthetic_rr(3600.0);
  std::vector<std::int64_t> peaks = {100};
  for (double r : rr) peaks.push_back(peaks.back() + static_cast<std::int64_t>(std::lround(r / 3.90625)));
  const double duration = static_cast<double>(peaks.back()) / 256.0 + 1.0;
  std::int64_t windows = 0;
  for (auto _ : state) {
    const auto f = ecgforest::hrv::compute_window_features(peaks, 256.0, duration, {}, {});
    windows += f.values.rows();
    benchmark::DoNotOptimize(f.values.data());
  }
  state.counters["windows_per_s"] = benchmark::Counter(static_cast<double>(windows), benchmark::Counter::kIsRate);
}

void BM_HrvAura2021Profile(benchmark::State& state) {
  omp_set_num_threads(1);
  const auto rr = synthetic_rr(900.0);  // 15 min: ~900 rows, each with all three windows
  std::int64_t windows = 0;
  for (auto _ : state) {
    const auto t = ecgforest::hrv::aura_windowed_table(rr, ecgforest::hrv::AuraProfile::aura2021);
    windows += t.values.rows();
    benchmark::DoNotOptimize(t.values.data());
  }
  state.counters["windows_per_s"] = benchmark::Counter(static_cast<double>(windows), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_HrvDefaultProfile)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HrvAura2021Profile)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();

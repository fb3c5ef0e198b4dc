// Reading the ECG channel out of a TUH-shaped EDF (31 signals at 256 Hz, 1 h, 1 s records,
// ~57 MB, in the page cache): io::EdfFile::read_channel (block reads, one channel decoded) against
// EDFlib's edfread_physical_samples (read_channel_edflib, one fgetc per byte).
// Run: build/<dir>/benchmarks/edf_read_bench
// Figures: bytes_per_second is the EDF file size over the time to get the ECG channel; the
// README quotes both benchmarks' ECG hours per second (ecg_h_per_s).
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "ecgforest/io/edf_reader.hpp"
#include "ecgforest/io/edf_writer.hpp"

namespace {

namespace fs = std::filesystem;

const fs::path& fixture() {
  static const fs::path file = [] {
    const fs::path f = fs::temp_directory_path() / ("ecgforest_edf_read_bench_" + std::to_string(::getpid()) + ".edf");
    ecgforest::io::EdfWriteSpec spec;
    spec.start = {2020, 1, 1, 10, 0, 0, 0.0};
    const int fs_hz = 256, seconds = 3600;
    std::vector<std::vector<double>> data;
    for (int s = 0; s < 31; ++s) {
      spec.signals.push_back({s == 30 ? "EEG EKG1-REF" : "EEG CH" + std::to_string(s) + "-REF", fs_hz, "uV", -5000, 5000,
                              -32768, 32767});
      std::vector<double> v(static_cast<std::size_t>(fs_hz * seconds));
      for (std::size_t i = 0; i < v.size(); ++i) v[i] = 1000.0 * std::sin(0.001 * static_cast<double>(i * (s + 1)));
      data.push_back(std::move(v));
    }
    ecgforest::io::write_edf(f, spec, data);
    return f;
  }();
  return file;
}

void run(benchmark::State& state, bool edflib) {
  const fs::path& f = fixture();
  const auto bytes = static_cast<std::int64_t>(fs::file_size(f));
  double hours = 0;
  for (auto _ : state) {
    ecgforest::io::EdfFile edf(f);
    const int ch = static_cast<int>(ecgforest::io::find_ecg_channel(edf.info(), ""));
    const Eigen::VectorXd x = edflib ? edf.read_channel_edflib(ch) : edf.read_channel(ch);
    benchmark::DoNotOptimize(x.data());
    hours = edf.info().duration_s / 3600.0;
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * bytes);
  state.counters["ecg_h_per_s"] = benchmark::Counter(hours * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_ReadEcgChannelBlocks(benchmark::State& state) { run(state, false); }
void BM_ReadEcgChannelEdflib(benchmark::State& state) { run(state, true); }
BENCHMARK(BM_ReadEcgChannelBlocks)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ReadEcgChannelEdflib)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::error_code ec;
  fs::remove(fixture(), ec);
  return 0;
}

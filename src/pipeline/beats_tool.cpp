// `ecgforest beats`: R-peaks of one EDF recording as CSV (and optionally the old workflow's RR
// table). The cli parses the options and runs this on rank 0.
#include <cstdio>
#include <filesystem>
#include <string>

#include "ecgforest/core/choices.hpp"
#include "ecgforest/core/config.hpp"
#include "ecgforest/core/error.hpp"
#include "ecgforest/io/edf_reader.hpp"
#include "ecgforest/io/text_file.hpp"
#include "ecgforest/pipeline/tools.hpp"
#include "ecgforest/signal/beat_tables.hpp"
#include "ecgforest/signal/rpeaks.hpp"
#include "ecgforest/signal/sqi.hpp"

namespace ecgforest::pipeline {
namespace {

// Per beat: in a stretch whose SQI (windows of the default extract length and hop) is below
// o.min_sqi; empty when the marking is off.
std::vector<std::uint8_t> beat_flags(const BeatsRequest& o, const Eigen::VectorXd& ecg, double fs_hz,
                                     const signal::RPeaks& peaks) {
  if (!(o.min_sqi > 0)) return {};
  const ExtractSettings ex;
  std::vector<double> ends;
  const double duration_s = static_cast<double>(ecg.size()) / fs_hz;
  for (double t = ex.window_s; t <= duration_s + 1e-9; t += ex.step_s) ends.push_back(t);
  const auto sqi = signal::window_sqi(signal::beat_quality(ecg, fs_hz, peaks), peaks, fs_hz, ends, ex.window_s);
  return signal::low_quality_beats(peaks.sample, fs_hz, ends, sqi, o.min_sqi);
}

}  // namespace

void run_beats(const BeatsRequest& o) {
  if (o.input.empty()) throw ConfigError("Missing --input: give the EDF recording to read.");
  if (o.output.empty()) throw ConfigError("Missing --output: give the CSV file to write (header sample,time_s).");
  const auto detector = parse_choice<Detector>(o.detector);
  if (!detector) throw ConfigError("Unknown --detector '" + o.detector + "'; use one of: " + choice_list<Detector>() + ".");
  io::EdfFile edf(o.input);
  const auto& info = edf.info();
  const auto& ch = info.channels[io::find_ecg_channel(info, o.channel)];
  const Eigen::VectorXd ecg = edf.read_channel(ch.index);
  signal::DetectorOptions dopt;
  dopt.detector = *detector;
  const signal::RPeaks peaks = signal::detect_rpeaks(ecg, ch.fs_hz, dopt);
  if (!(o.min_sqi >= 0 && o.min_sqi <= 1)) throw ConfigError("--min-sqi must be in [0, 1] (0 = no marking).");
  const auto flags = beat_flags(o, ecg, ch.fs_hz, peaks);
  io::write_text_file_atomic(o.output, signal::beats_csv_text(peaks.sample, ch.fs_hz, flags));
  std::string rr_path;
  if (!o.rr_csv_dir.empty()) {
    std::filesystem::create_directories(o.rr_csv_dir);
    rr_path = (std::filesystem::path(o.rr_csv_dir) / (std::filesystem::path(o.input).stem().string() + "_rr.csv")).string();
    io::write_text_file_atomic(rr_path, signal::rr_csv_text(peaks.sample, ch.fs_hz, info.start, peaks.bad, flags));
  }
  double bad_s = 0;
  for (const auto& b : peaks.bad) bad_s += static_cast<double>(b.end_sample - b.begin_sample) / ch.fs_hz;
  std::printf("beats: %s channel '%s' (%g Hz, %.1f s): %zu R-peaks%s, %zu bad stretch(es) covering %.1f s -> %s%s%s\n",
              o.input.c_str(), ch.label.c_str(), ch.fs_hz, static_cast<double>(ch.n_samples) / ch.fs_hz,
              peaks.sample.size(), peaks.inverted ? " (polarity inverted and corrected)" : "", peaks.bad.size(),
              bad_s, o.output.c_str(), rr_path.empty() ? "" : ", ", rr_path.c_str());
  std::fflush(stdout);
}

}  // namespace ecgforest::pipeline

// `ecgforest beats`: R-peaks of one EDF recording as CSV (and optionally the old workflow's RR
// table). The cli parses the options and runs this on rank 0.
#include <cstdio>
#include <filesystem>
#include <string>

#include "ecgforest/core/error.hpp"
#include "ecgforest/io/edf_reader.hpp"
#include "ecgforest/io/text_file.hpp"
#include "ecgforest/pipeline/tools.hpp"
#include "ecgforest/signal/beat_tables.hpp"
#include "ecgforest/signal/rpeaks.hpp"

namespace ecgforest::pipeline {

void run_beats(const BeatsRequest& o) {
  if (o.input.empty()) throw ConfigError("Missing --input: give the EDF recording to read.");
  if (o.output.empty()) throw ConfigError("Missing --output: give the CSV file to write (header sample,time_s).");
  bool known = false;
  for (const auto& n : signal::detector_names()) known = known || n == o.detector;
  if (!known) {
    std::string names;
    for (const auto& n : signal::detector_names()) names += (names.empty() ? "" : ", ") + n;
    throw ConfigError("Unknown --detector '" + o.detector + "'; use one of: " + names + ".");
  }
  io::EdfFile edf(o.input);
  const auto& info = edf.info();
  const auto& ch = info.channels[io::find_ecg_channel(info, o.channel)];
  const Eigen::VectorXd ecg = edf.read_channel(ch.index);
  signal::DetectorOptions dopt;
  dopt.name = o.detector;
  const signal::RPeaks peaks = signal::detect_rpeaks(ecg, ch.fs_hz, dopt);
  io::write_text_file_atomic(o.output, signal::beats_csv_text(peaks.sample, ch.fs_hz));
  std::string rr_path;
  if (!o.rr_csv_dir.empty()) {
    std::filesystem::create_directories(o.rr_csv_dir);
    rr_path = (std::filesystem::path(o.rr_csv_dir) / (std::filesystem::path(o.input).stem().string() + "_rr.csv")).string();
    io::write_text_file_atomic(rr_path, signal::rr_csv_text(peaks.sample, ch.fs_hz, info.start, peaks.bad));
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

// `ecgforest beats`: R-peaks of one EDF recording as CSV (and optionally the old workflow's RR
// table). Runs on rank 0; other ranks (if any) only wait for the exit status.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "ecgforest/cli/beats_command.hpp"
#include "ecgforest/core/config.hpp"
#include "ecgforest/core/error.hpp"
#include "ecgforest/io/edf_reader.hpp"
#include "ecgforest/parallel/mpi.hpp"
#include "ecgforest/signal/beat_tables.hpp"
#include "ecgforest/signal/rpeaks.hpp"
#include "ecgforest/signal/sqi.hpp"

namespace ecgforest::cli {
namespace {

struct BeatsOptions {
  std::string input;
  std::string channel;
  std::string detector = "default";
  std::string output;
  std::string rr_csv_dir;
  double min_sqi = PostprocessSettings{}.min_sqi;
};

// Per beat: in a stretch whose SQI (windows of the default extract length and hop) is below
// o.min_sqi; empty when the marking is off.
std::vector<std::uint8_t> beat_flags(const BeatsOptions& o, const Eigen::VectorXd& ecg, double fs_hz,
                                     const signal::RPeaks& peaks) {
  if (!(o.min_sqi > 0)) return {};
  const ExtractSettings ex;
  std::vector<double> ends;
  const double duration_s = static_cast<double>(ecg.size()) / fs_hz;
  for (double t = ex.window_s; t <= duration_s + 1e-9; t += ex.step_s) ends.push_back(t);
  const auto sqi = signal::window_sqi(signal::beat_quality(ecg, fs_hz, peaks), peaks, fs_hz, ends, ex.window_s);
  return signal::low_quality_beats(peaks.sample, fs_hz, ends, sqi, o.min_sqi);
}

// Writes `text` to `path` through `path.partial` + rename, so a failed run leaves no
// finished-looking file.
void write_text_file(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path tmp = path.string() + ".partial";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("Cannot create " + tmp.string() + "; check that the directory exists and is writable.");
    out << text;
    out.flush();
    if (!out) throw Error("Writing " + tmp.string() + " failed (disk full?); nothing was written to " + path.string() + ".");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw Error("Cannot rename " + tmp.string() + " to " + path.string() + ": " + ec.message() + ".");
}

int run_beats(const BeatsOptions& o, MPI_Comm comm) {
  std::string err;
  int status = 1;  // exit status when something failed: 2 for bad usage (rank 0 decides)
  if (parallel::rank(comm) == 0) {
    try {
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
      if (!(o.min_sqi >= 0 && o.min_sqi <= 1)) throw ConfigError("--min-sqi must be in [0, 1] (0 = no marking).");
      const auto flags = beat_flags(o, ecg, ch.fs_hz, peaks);
      write_text_file(o.output, signal::beats_csv_text(peaks.sample, ch.fs_hz, flags));
      std::string rr_path;
      if (!o.rr_csv_dir.empty()) {
        std::filesystem::create_directories(o.rr_csv_dir);
        rr_path = (std::filesystem::path(o.rr_csv_dir) / (std::filesystem::path(o.input).stem().string() + "_rr.csv")).string();
        write_text_file(rr_path, signal::rr_csv_text(peaks.sample, ch.fs_hz, info.start, peaks.bad, flags));
      }
      double bad_s = 0;
      for (const auto& b : peaks.bad) bad_s += static_cast<double>(b.end_sample - b.begin_sample) / ch.fs_hz;
      std::printf("beats: %s channel '%s' (%g Hz, %.1f s): %zu R-peaks%s, %zu bad stretch(es) covering %.1f s -> %s%s%s\n",
                  o.input.c_str(), ch.label.c_str(), ch.fs_hz, static_cast<double>(ch.n_samples) / ch.fs_hz,
                  peaks.sample.size(), peaks.inverted ? " (polarity inverted and corrected)" : "", peaks.bad.size(),
                  bad_s, o.output.c_str(), rr_path.empty() ? "" : ", ", rr_path.c_str());
      std::fflush(stdout);
    } catch (const ConfigError& e) {
      err = e.what();
      status = 2;
    } catch (const std::exception& e) {
      err = e.what();
    }
  }
  if (auto e = parallel::agree_on_error(comm, err); !e.empty()) {
    if (parallel::rank(comm) == 0) std::fprintf(stderr, "ecgforest: error: %s\n", e.c_str());
    return status;
  }
  return 0;
}

}  // namespace

ToolCommand beats_command() {
  auto o = std::make_shared<BeatsOptions>();
  ToolCommand t;
  t.name = "beats";
  t.help = "R-peaks of one EDF recording -> CSV 'sample,time_s' (optionally the old RR table with --rr-csv DIR)";
  t.add_options = [o](CLI::App& sub) {
    sub.add_option("--input", o->input, "EDF recording")->required();
    sub.add_option("--channel", o->channel, "EDF label of the ECG channel (default: the first ECG/EKG label)");
    sub.add_option("--detector", o->detector, "R-peak detector (default = the most accurate one)");
    sub.add_option("--output", o->output, "CSV file to write: one row per R-peak, header sample,time_s")->required();
    sub.add_option("--rr-csv", o->rr_csv_dir,
                   "also write DIR/<edf stem>_rr.csv in the old workflow format timestamp,frame,rr_interval (ms)");
    sub.add_option("--min-sqi", o->min_sqi,
                   "mark beats (and RR rows) in stretches whose signal quality is below this with a column "
                   "low_quality = 1 (10 s windows every 1 s, as extract; 0 = no column)")
        ->capture_default_str();
  };
  t.run = [o](MPI_Comm comm) { return run_beats(*o, comm); };
  return t;
}

}  // namespace ecgforest::cli

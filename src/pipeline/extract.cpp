#include "ecgforest/pipeline/extract.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

#include <omp.h>

#include "ecgforest/core/clock.hpp"
#include "ecgforest/core/progress.hpp"
#include "ecgforest/core/error.hpp"
#include "ecgforest/core/events.hpp"
#include "ecgforest/eval/events.hpp"
#include "ecgforest/hrv/features.hpp"
#include "ecgforest/hrv/labels.hpp"
#include "ecgforest/io/annotations.hpp"
#include "ecgforest/io/beat_file.hpp"
#include "ecgforest/io/bids.hpp"
#include "ecgforest/io/edf_reader.hpp"
#include "ecgforest/comm/mpi.hpp"
#include "ecgforest/parallel/work_queue.hpp"
#include "ecgforest/pipeline/privacy.hpp"
#include "ecgforest/pipeline/stage.hpp"
#include "ecgforest/pipeline/tools.hpp"
#include "ecgforest/signal/beat_tables.hpp"
#include "ecgforest/signal/rpeaks.hpp"
#include "ecgforest/signal/sqi.hpp"
#include "ecgforest/core/bytes.hpp"
#include "ecgforest/io/text_file.hpp"
#include "ecgforest/core/text.hpp"

namespace ecgforest::pipeline {
namespace {

constexpr double kMinFs = 128.0, kMaxFs = 1000.0;

hrv::WindowSpec window_spec(const Config& c) {
  hrv::WindowSpec spec;
  spec.window_s = c.extract.window_s;
  spec.step_s = c.extract.step_s;
  spec.nonlinear_window_s = c.extract.hrv_nonlinear_window_s;
  spec.frequency_window_s = c.extract.hrv_frequency_window_s;
  spec.profile = c.extract.hrv_profile;
  std::string item;
  for (char ch : c.extract.hrv_features + ",") {  // comma-separated; "sqi" is appended below
    if (ch != ',') {
      if (ch != ' ') item += ch;
    } else if (!item.empty()) {
      if (item != "sqi") spec.features.push_back(item);
      item.clear();
    }
  }
  return spec;
}

}  // namespace

io::StoredExtract stored_extract(const ExtractSettings& x) {
  return {x.window_s, x.step_s, x.detector, x.hrv_profile, x.hrv_nonlinear_window_s, x.hrv_frequency_window_s};
}

std::vector<std::string> feature_columns(const Config& config) {
  auto cols = hrv::feature_columns(window_spec(config));
  cols.push_back("sqi");  // signal quality 0..1 (signal/sqi.hpp), last column
  return cols;
}

namespace {

// The annotations of `rec` (its annotation_map entry, or NAME.csv_bi/.tse_bi/.csv/.tse next to
// it), read before the expensive work so that a malformed file fails first; nullopt without one.
std::optional<io::Annotations> read_recording_annotations(const InputRecording& rec,
                                                          const std::optional<StartDateTime>& start,
                                                          io::RecordRow& row) {
  std::filesystem::path ann = rec.annotation;
  if (ann.empty()) {
    if (auto found = io::find_annotation_for(rec.edf)) ann = *found;
  }
  if (ann.empty()) return std::nullopt;
  row.annotation = ann.string();
  return io::read_annotations(ann, start);
}

// Window labels from the annotations (NaN without them) and the closing status.
// A note when an annotation file has events but none of them is a seizure, and some carry labels
// other than TUH's background: a seizure label the reader does not know would otherwise make a
// silently seizure-free recording.
std::string unknown_labels_note(const io::Annotations& a) {
  std::set<std::string> other;
  for (const auto& e : a.events) {
    if (is_seizure_label(e.label)) return "";
    if (e.label != "bckg" && e.label != "n/a") other.insert(e.label);
  }
  if (other.empty()) return "";
  std::string names;
  for (const auto& l : other) names += (names.empty() ? "'" : ", '") + escape_text(l) + "'";
  return "The annotation file has no seizure event; its other labels are " + names +
         " (seizure labels: seiz, the TUH seizure types such as fnsz, or an events.tsv eventType starting with "
         "'sz' or 'seiz'). Rename the labels if they mark seizures.";
}

void label_windows(const std::optional<io::Annotations>& annotations, const Config& config, io::RecordResult& out) {
  if (annotations) {
    if (auto note = unknown_labels_note(*annotations); !note.empty())
      out.row.message += std::string(out.row.message.empty() ? "" : " ") + note;
    out.label = hrv::seizure_fraction(annotations->events, out.time_s, config.extract.window_s);
    out.reference.annotated = true;  // the reference events train's CV scoring reads back
    for (const auto& e : eval::merge_overlapping(seizure_events(*annotations))) out.reference.seizures.push_back({e.start_s, e.stop_s});
  } else {
    out.label.assign(out.time_s.size(), std::numeric_limits<float>::quiet_NaN());
    out.row.message = "No annotation file found next to the recording; window labels are NaN (unlabelled).";
  }
}

// Appends `column` (one value per window) as the last feature column.
void append_column(io::FeatureRows& features, const std::vector<float>& column) {
  features.conservativeResize(features.rows(), features.cols() + 1);
  for (std::size_t w = 0; w < column.size(); ++w) features(static_cast<Eigen::Index>(w), features.cols() - 1) = column[w];
}

void too_short(const InputRecording& rec, double duration_s, const Config& config) {
  throw RecordError("too_short", rec.edf.string() + " lasts " + fixed_text(duration_s, 1) + " s, shorter than one feature window (" +
                                     fixed_text(config.extract.window_s, -1) + " s); it yields no windows.");
}

// The ECG channel: --ecg-channel, else the one the recording's BIDS *_channels.tsv types ECG,
// else the first ECG-like label (io::find_ecg_channel).
std::size_t ecg_channel_of(const InputRecording& rec, const io::EdfInfo& info, const Config& config) {
  if (!config.extract.ecg_channel.empty() || rec.channels.empty()) return io::find_ecg_channel(info, config.extract.ecg_channel);
  const std::string label = io::ecg_channel_from_channels_tsv(rec.channels);
  try {
    return io::find_ecg_channel(info, label);
  } catch (const RecordError&) {
    if (label.empty()) throw;
    throw RecordError("bad_channels", rec.channels.string() + " types the channel '" + label + "' as ECG, but " +
                                          rec.edf.string() + " has no channel of that label; fix the channels file or "
                                          "name the ECG channel with --ecg-channel.");
  }
}

// The recording's ECG channel, its rate checked; fills the row's channel, rate and duration.
const io::EdfChannel& checked_ecg_channel(const InputRecording& rec, const io::EdfInfo& info, const Config& config,
                                          io::RecordRow& row) {
  const auto& channel = info.channels[ecg_channel_of(rec, info, config)];
  row.ecg_channel = channel.label;
  row.fs = channel.fs_hz;
  row.duration_s = static_cast<double>(channel.n_samples) / channel.fs_hz;
  if (channel.fs_hz < kMinFs || channel.fs_hz > kMaxFs) {
    throw RecordError("unsupported_rate", rec.edf.string() + ": the ECG channel '" + channel.label + "' is sampled at " +
                                              fixed_text(channel.fs_hz, -1) + " Hz; ecgforest supports 128 to 1000 Hz.");
  }
  if (row.duration_s < config.extract.window_s) too_short(rec, row.duration_s, config);
  return channel;
}

// An annotation event ending after the recording (beyond the tolerance) means the file is not this EDF's.
void check_annotation_extent(const std::optional<io::Annotations>& annotations, const io::RecordRow& row,
                             const Config& config) {
  if (!annotations) return;
  for (const auto& e : annotations->events) {
    if (e.stop_s > row.duration_s + config.extract.annotation_tolerance_s) {
      throw RecordError("bad_annotation", row.annotation + " has an event " + fixed_text(e.start_s, 3) + "-" +
                                              fixed_text(e.stop_s, 3) + " s that ends after the recording (" +
                                              fixed_text(row.duration_s, 3) + " s); check that the annotation belongs to this EDF.");
    }
  }
}

// R peaks of the ECG; a channel with fewer than 2 beats or over 95 % unusable fails the recording.
signal::RPeaks usable_rpeaks(const Eigen::VectorXd& ecg, const io::EdfChannel& channel, const InputRecording& rec,
                             const Config& config, double duration_s) {
  signal::DetectorOptions dopt;
  dopt.detector = config.extract.detector;
  signal::RPeaks peaks = signal::detect_rpeaks(ecg, channel.fs_hz, dopt);
  double bad_s = 0;
  for (const auto& b : peaks.bad) bad_s += static_cast<double>(b.end_sample - b.begin_sample) / channel.fs_hz;
  if (peaks.sample.size() < 2 || bad_s > 0.95 * duration_s) {
    throw RecordError("flat_ecg", rec.edf.string() + ": the ECG channel '" + channel.label +
                                      "' has no usable heartbeat (" + std::to_string(peaks.sample.size()) +
                                      " beats found, " + fixed_text(100.0 * bad_s / duration_s, 0) +
                                      " % flat, saturated or noisy); check the channel or pick another with --ecg-channel.");
  }
  return peaks;
}

// The old workflow's RR table of the recording: DIR/<edf stem>_rr.csv (extract.rr_csv = DIR).
void write_rr_csv(const InputRecording& rec, const Config& config, const io::EdfInfo& info, const signal::RPeaks& peaks,
                  double fs_hz, const std::vector<double>& time_s, const std::vector<float>& sqi) {
  const std::filesystem::path dir = config.extract.rr_csv;
  std::filesystem::create_directories(dir);
  const auto path = dir / (PublicNames(config).name(rec.edf) + "_rr.csv");
  io::write_text_file_atomic(path, signal::rr_csv_text(peaks.sample, fs_hz, public_start(config.extract, info.start), peaks.bad,
                                                       signal::low_quality_beats(peaks.sample, fs_hz, time_s, sqi,
                                                                                 config.postprocess.min_sqi)));
}

void process_edf(const InputRecording& rec, const Config& config, io::RecordResult& out) {
  // 1. Header and ECG channel (only that channel is decoded, at its native rate).
  io::EdfFile edf(rec.edf);
  const auto& info = edf.info();
  const auto& channel = checked_ecg_channel(rec, info, config, out.row);
  // 2. Annotations first (cheap), so a malformed file fails before the expensive work.
  const auto annotations = read_recording_annotations(rec, info.start, out.row);
  check_annotation_extent(annotations, out.row, config);
  // 3. Signal → R-peaks.
  const Eigen::VectorXd ecg = edf.read_channel(channel.index);
  const signal::RPeaks peaks = usable_rpeaks(ecg, channel, rec, config, out.row.duration_s);
  out.row.n_beats = peaks.sample.size();
  // 4. HRV features on windows of the recording clock, and signal quality as the last column `sqi`
  //    (0..1, higher = better).
  auto wf = hrv::compute_window_features(peaks.sample, channel.fs_hz, out.row.duration_s, peaks.bad, window_spec(config));
  out.features = std::move(wf.values);
  out.time_s = std::move(wf.window_end_s);
  const auto sqi = signal::window_sqi(signal::beat_quality(ecg, channel.fs_hz, peaks), peaks, channel.fs_hz, out.time_s,
                                      config.extract.window_s);
  append_column(out.features, sqi);
  if (!config.extract.rr_csv.empty()) write_rr_csv(rec, config, info, peaks, channel.fs_hz, out.time_s, sqi);
  // 5. Labels.
  label_windows(annotations, config, out);
  if (peaks.inverted) {
    out.row.message += std::string(out.row.message.empty() ? "" : " ") + "ECG polarity was inverted and corrected.";
  }
}

// `sqi` of a beat file's windows: signal::window_sqi with every beat of quality 1 on a 1 ms grid,
// i.e. the fraction of the window outside the bad spans (holes, non-normal beats, noise marks),
// and 0 when the window holds fewer than 3 beats.
std::vector<float> beat_file_sqi(const io::BeatSeries& beats, const std::vector<double>& window_end_s, double window_s) {
  constexpr double kGridHz = 1000.0;
  signal::RPeaks grid;
  for (const double t : beats.beat_s) grid.sample.push_back(std::llround(t * kGridHz));
  for (const auto& [a, b] : beats.bad_s) grid.bad.push_back({std::llround(a * kGridHz), std::llround(b * kGridHz), "beats"});
  return signal::window_sqi(std::vector<float>(grid.sample.size(), 1.0f), grid, kGridHz, window_end_s, window_s);
}

// A heart-beat recording (NAME_rr.csv / NAME_beats.csv, optionally .gz): beat times straight into
// the HRV windows; holes and non-normal beats are bad spans no RR interval crosses.
void process_beats(const InputRecording& rec, const Config& config, io::RecordResult& out) {
  const io::BeatSeries beats = io::read_beat_file(rec.edf);
  out.row.n_beats = beats.beat_s.size();
  if (beats.beat_s.size() < 2) {
    throw RecordError("bad_beats", rec.edf.string() + " holds " + std::to_string(beats.beat_s.size()) +
                                       " usable beat(s); HRV features need at least 2.");
  }
  const auto annotations = read_recording_annotations(rec, beats.start, out.row);
  // No header tells a beat file's length: it lasts until its last beat, or until the end of the
  // annotations (last event, or their "# duration") when that is later.
  out.row.duration_s = beats.beat_s.back();
  if (annotations) {
    for (const auto& e : annotations->events) out.row.duration_s = std::max(out.row.duration_s, e.stop_s);
    out.row.duration_s = std::max(out.row.duration_s, annotations->duration_s.value_or(0.0));
  }
  if (out.row.duration_s < config.extract.window_s) too_short(rec, out.row.duration_s, config);
  auto wf = hrv::compute_window_features_s(beats.beat_s, out.row.duration_s, beats.bad_s, window_spec(config));
  out.features = std::move(wf.values);
  out.time_s = std::move(wf.window_end_s);
  append_column(out.features, beat_file_sqi(beats, out.time_s, config.extract.window_s));
  label_windows(annotations, config, out);
  double bad_s = 0;
  for (const auto& [a, b] : beats.bad_s) bad_s += b - a;
  out.row.message += std::string(out.row.message.empty() ? "" : " ") + "Beat file: " + std::to_string(beats.n_rows) +
                     " rows, " + count_text(beats.bad_s.size(), "stretch", "stretches") + " (" + fixed_text(bad_s, 1) +
                     " s) without NN intervals (holes, non-normal beats, noise).";
}

}  // namespace

io::RecordResult process_recording(const InputRecording& rec, std::size_t index, const Config& config) {
  io::RecordResult out;
  out.index = index;
  out.row.path = rec.edf.string();
  out.row.patient = rec.patient;
  const io::RecordingKind kind = io::recording_kind(rec.edf);
  out.row.kind = io::kind_name(kind);
  const auto n_cols = static_cast<Eigen::Index>(feature_columns(config).size());
  out.features.resize(0, n_cols);
  try {
    if (kind == io::RecordingKind::edf) {
      process_edf(rec, config, out);
    } else {
      process_beats(rec, config, out);
    }
    out.row.status = "ok";
  } catch (const RecordError& e) {
    out.row.status = e.kind();
    out.row.message = e.what();
    out.features.resize(0, n_cols);
    out.label.clear();
    out.time_s.clear();
  } catch (const std::exception& e) {
    out.row.status = "error";
    out.row.message = rec.edf.string() + ": unexpected error while processing: " + e.what();
    out.features.resize(0, n_cols);
    out.label.clear();
    out.time_s.clear();
  }
  if (!rec.note.empty()) out.row.message += std::string(out.row.message.empty() ? "" : " ") + rec.note;
  return out;
}

namespace {

// Memory bound: once a recording's windows are safely staged on disk they are dropped here and
// read back by the writer one round at a time, so a rank's memory does not grow with the number
// of recordings it processes.
void spill(io::RecordResult& r) {
  if (r.features.rows() == 0) return;
  r.spilled_windows = static_cast<std::uint64_t>(r.features.rows());
  r.features = io::FeatureRows(0, r.features.cols());
  std::vector<float>().swap(r.label);
  std::vector<double>().swap(r.time_s);
}

// This rank's results of the recording queue.
struct LocalResults {
  std::vector<io::RecordResult> results;
  std::uint64_t n_resumed = 0;
  parallel::QueueReport queue;
};

// COLLECTIVE: recording-level threads: each OpenMP thread of this rank takes whole recordings
// from the queue (the per-recording OpenMP loops then run single-threaded inside), which scales
// with threads far better than splitting one recording's work (EDF read, filters are serial).
// Resume: recordings staged by an earlier, killed run with the same output, settings and input
// files are loaded instead of processed (pipeline/stage.hpp).
LocalResults process_queue(MPI_Comm comm, const Config& config, const std::vector<InputRecording>& recs,
                           const RecordStage& stage, bool show_progress, double t0) {
  const std::vector<std::size_t> order = largest_first(recs);  // the queue hands out positions in this order
  auto bar = Progress::to_stderr(show_progress, "extract", "recordings", order.size(), t0);
  bar.set_extra([](double ecg_s, double t) {
    char buf[64];
    std::snprintf(buf, sizeof buf, ", %.2f ECG h, %.1f ECG h/s", ecg_s / 3600.0, t > 0 ? ecg_s / 3600.0 / t : 0.0);
    return std::string(buf);
  });
  auto progress = [&](std::size_t done, std::size_t total, double ecg_s) {
    if (done == total) bar.finish(ecg_s); else bar.update(done, ecg_s);
  };
  LocalResults out;
  std::mutex mutex;  // guards out (recordings run on several threads)
  auto keep = [&](io::RecordResult r, bool resumed) {
    const double d = r.row.duration_s;
    std::lock_guard<std::mutex> lock(mutex);
    out.results.push_back(std::move(r));
    out.n_resumed += resumed ? 1 : 0;
    return d;
  };
  comm::collective_try(comm, "Extraction failed: ", [&] {
    out.queue = parallel::run_dynamic(comm, order.size(), [&](std::size_t pos) {
      const std::size_t idx = order[pos];
      if (auto staged = stage.load(recs[idx], idx)) {
        spill(*staged);
        return keep(std::move(*staged), true);
      }
      io::RecordResult r = process_recording(recs[idx], idx, config);
      if (stage.store(recs[idx], r)) spill(r);
      const double d = keep(std::move(r), false);
      test_exit_hook_after_recording();
      return d;
    }, progress, omp_get_max_threads());
  });
  return out;
}

// COLLECTIVE: the counts of every rank's results (reduced to every rank) and the failure list
// (gathered to rank 0, sorted).
void summarize(MPI_Comm comm, const std::vector<io::RecordResult>& local, ExtractSummary& s) {
  double local_counts[5] = {0, 0, 0, 0, 0};  // ok, failed, unlabelled, ecg seconds, windows
  ByteWriter fw;
  for (const auto& r : local) {
    if (r.row.status == "ok") {
      local_counts[0] += 1;
      local_counts[3] += r.row.duration_s;
      if (r.row.annotation.empty()) local_counts[2] += 1;
    } else {
      local_counts[1] += 1;
      fw.str(r.row.status);
      fw.str(r.row.path + ": " + r.row.status + ": " + r.row.message);
    }
    local_counts[4] += static_cast<double>(static_cast<std::uint64_t>(r.features.rows()) + r.spilled_windows);
  }
  double tot[5];
  comm::check_mpi(MPI_Allreduce(local_counts, tot, 5, MPI_DOUBLE, MPI_SUM, comm), "MPI_Allreduce (summary)");
  s.n_ok = static_cast<std::size_t>(tot[0]);
  s.n_failed = static_cast<std::size_t>(tot[1]);
  s.n_unlabelled = static_cast<std::size_t>(tot[2]);
  s.ecg_hours = tot[3] / 3600.0;
  s.n_windows = static_cast<std::uint64_t>(tot[4]);
  const auto fails = comm::gather_bytes(comm, fw.bytes(), 0);
  if (comm::rank(comm) != 0) return;
  ByteReader rd(fails.data(), fails.size());
  while (!rd.done()) {
    ++s.failures_by_kind[rd.str()];
    s.failure_lines.push_back(rd.str());
  }
  std::sort(s.failure_lines.begin(), s.failure_lines.end());
}

// "busy seconds per rank: ... (imbalance max/mean ...)" (benchmarks/corpus reads this line).
std::string balance_text(const std::vector<double>& busy) {
  double sum = 0, mx = 0;
  std::string out = "extract: busy seconds per rank:";
  for (const double b : busy) {
    out += " " + fixed_text(b, 3);
    sum += b;
    mx = std::max(mx, b);
  }
  const double mean = sum / static_cast<double>(busy.size());
  return out + " (imbalance max/mean " + (mean > 0 ? fixed_text(mx / mean, 3) : std::string("n/a")) + ")\n";
}

std::string summary_text(const ExtractSummary& s, int n_ranks, const std::filesystem::path& stage_dir,
                         const std::filesystem::path& output) {
  std::ostringstream os;
  os << "extract: " << s.n_records << " recordings: " << s.n_ok << " ok";
  if (s.n_unlabelled) os << " (" << s.n_unlabelled << " without annotations, labels NaN)";
  os << ", " << s.n_failed << " skipped; " << fixed_text(s.ecg_hours, 2) << " ECG hours, " << s.n_windows
     << " windows in " << fixed_text(s.seconds, 1) << " s on " << n_ranks << " rank(s)\n";
  // Phase times (benchmarks/corpus reads this line): where the serial parts are.
  os << "extract: phases (s): inputs " << fixed_text(s.inputs_s, 3) << ", recordings " << fixed_text(s.queue_s, 3) << ", write "
     << fixed_text(s.write_s, 3) << ", summary " << fixed_text(s.summary_s, 3) << "\n";
  if (!s.dynamic_queue) {
    os << "extract: note: the MPI library does not provide MPI_THREAD_MULTIPLE, so recordings were dealt to ranks in a "
          "fixed largest-first order instead of the dynamic queue (balance may suffer).\n";
  }
  if (s.busy_s_per_rank.size() > 1) os << balance_text(s.busy_s_per_rank);
  if (!s.failure_lines.empty()) {
    os << "extract: skipped recordings (status in /records):\n";
    for (const auto& l : s.failure_lines) os << "  " << l << "\n";
  }
  if (s.n_resumed) {
    os << "extract: resumed " << s.n_resumed << " of " << s.n_records << " recordings from " << stage_dir.string()
       << " (processed " << s.n_records - s.n_resumed << ")\n";
  }
  if (!s.write.collective) os << "extract: warning: HDF5 writes were " << s.write.not_collective_reason << "\n";
  os << "extract: features written to " << output.string() << "\n";
  return os.str();
}

}  // namespace

std::optional<io::OutputLock> lock_output(MPI_Comm comm, const std::filesystem::path& output, std::ostream* log) {
  std::optional<io::OutputLock> lock;
  comm::collective_try(comm, "", [&] {
    if (comm::rank(comm) == 0) lock.emplace(output);
  });
  if (lock && lock->unsupported() && log) {
    *log << "extract: note: the file system of " << output.string() << " has no flock; no lock against another run "
         << "writing the same output was taken\n";
  }
  return lock;
}

ExtractSummary run_extract(MPI_Comm comm, const Config& config, const std::filesystem::path& output, std::ostream* log) {
  const int me = comm::rank(comm);
  const double t0 = now_s();
  // Inputs are expanded once (rank 0) and broadcast, so every rank sees the same list.
  std::vector<InputRecording> recs;
  comm::collective_try(comm, "", [&] {
    if (me == 0) recs = expand_inputs(config.input, config.extract);
  });
  broadcast_recordings(comm, recs);
  const double t_inputs = now_s();

  const RecordStage stage(output, config);
  LocalResults local = process_queue(comm, config, recs, stage, log != nullptr, t0);
  const double t_queue = now_s();
  const PublicNames names(config);  // rows as outputs show them (paths, pseudonyms)
  for (auto& r : local.results) names.apply(recs[r.index], r.row);

  io::FeaturesMeta meta;
  meta.columns = feature_columns(config);
  meta.config_toml = stored_config_toml(config, output);
  meta.extract = stored_extract(config.extract);
  auto reload = [&](const io::RecordResult& r) -> io::RecordResult {
    auto back = stage.load(recs[r.index], r.index);
    if (!back) {
      throw Error("The staged windows of " + r.row.path + " in " + stage.dir().string() +
                  " could not be read back (the stage directory was changed or removed during the run); run extract again.");
    }
    return std::move(*back);
  };
  ExtractSummary s;
  s.write = io::write_features_file(comm, output, recs.size(), local.results, meta, reload);
  if (me == 0) stage.remove();  // the final file is in place: staged results are no longer needed
  const double t_write = now_s();
  comm::check_mpi(MPI_Allreduce(&local.n_resumed, &s.n_resumed, 1, MPI_UINT64_T, MPI_SUM, comm),
                  "MPI_Allreduce (resumed count)");
  s.n_records = recs.size();
  s.busy_s_per_rank = local.queue.busy_s_per_rank;
  s.dynamic_queue = local.queue.dynamic;
  summarize(comm, local.results, s);
  s.seconds = now_s() - t0;
  s.inputs_s = t_inputs - t0;
  s.queue_s = t_queue - t_inputs;
  s.write_s = t_write - t_queue;
  s.summary_s = s.seconds - (t_write - t0);
  if (log && me == 0) *log << summary_text(s, comm::size(comm), stage.dir(), output) << std::flush;
  return s;
}

}  // namespace ecgforest::pipeline

#include "ecgforest/pipeline/inspect.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/text.hpp"
#include "ecgforest/io/annotations.hpp"
#include "ecgforest/io/beat_file.hpp"
#include "ecgforest/io/bids.hpp"
#include "ecgforest/io/edf_reader.hpp"
#include "ecgforest/io/features_file.hpp"
#include "ecgforest/io/model_file.hpp"
#include "ecgforest/pipeline/inputs.hpp"
#include "ecgforest/pipeline/model.hpp"

namespace ecgforest::pipeline {
namespace {

std::string f2(double v, int decimals = 2) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", decimals, v);
  return b;
}

void inspect_edf(const std::filesystem::path& file, std::ostream& out) {
  io::EdfFile edf(file);
  const auto& i = edf.info();
  char start[64];
  std::snprintf(start, sizeof start, "%04d-%02d-%02d %02d:%02d:%02d", i.start.year, i.start.month, i.start.day,
                i.start.hour, i.start.minute, i.start.second);
  out << file.string() << ": " << i.type << ", " << i.channels.size() << " signals, " << f2(i.duration_s, 1)
      << " s (" << i.n_records << " records of " << f2(i.record_duration_s, 3) << " s), start " << start << "\n";
  // As extract sees the file: a BIDS recording's ECG from its _channels.tsv, its annotations
  // from its _events.tsv (also in the session's eeg/ folder); else label guessing and NAME.tse_bi, ...
  InputRecording rec;
  rec.edf = file;
  try {
    rec = expand_inputs({file.string()}, ExtractSettings{}).front();
  } catch (const std::exception&) {
    // a broken dataset around the file: inspect the file alone
  }
  const std::string listed = rec.channels.empty() ? "" : io::ecg_channel_from_channels_tsv(rec.channels);
  std::string ecg;
  try {
    ecg = i.channels[io::find_ecg_channel(i, listed)].label +
          (listed.empty() ? " (auto-detected)" : " (from " + rec.channels.filename().string() + ")");
  } catch (const RecordError& e) {
    ecg = std::string("none (") + e.what() + ")";
  }
  out << "  ECG channel: " << ecg << "\n";
  const auto ann = rec.annotation.empty() ? io::find_annotation_for(file) : std::optional<std::filesystem::path>(rec.annotation);
  out << "  annotations: " << (ann ? ann->string() : std::string("none found next to the file")) << "\n";
  out << "  #   label              rate Hz    samples  unit\n";
  for (const auto& c : i.channels) {
    char line[160];
    std::snprintf(line, sizeof line, "  %-3d %-16s %9.3f %10lld  %s%s\n", c.index, c.label.c_str(), c.fs_hz,
                  static_cast<long long>(c.n_samples), c.unit.c_str(), io::is_ecg_label(c.label) ? "  <- ECG" : "");
    out << line;
  }
}

void inspect_beats(const std::filesystem::path& file, std::ostream& out) {
  const auto b = io::read_beat_file(file);
  const bool rr = io::recording_kind(file) == io::RecordingKind::rr_csv;
  double bad = 0;
  for (const auto& [begin, end] : b.bad_s) bad += end - begin;
  out << file.string() << ": " << (rr ? "RR table" : "beats file") << " of recording " << io::recording_name(file) << ", "
      << b.n_rows << " rows, " << b.beat_s.size() << " beats used, first " << f2(b.beat_s.empty() ? 0 : b.beat_s.front(), 3)
      << " s, last " << f2(b.beat_s.empty() ? 0 : b.beat_s.back(), 3) << " s\n";
  if (b.start) {
    char start[64];
    std::snprintf(start, sizeof start, "%04d-%02d-%02d %02d:%02d:%02d", b.start->year, b.start->month, b.start->day,
                  b.start->hour, b.start->minute, b.start->second);
    out << "  second 0 at " << start << "\n";
  }
  out << "  " << count_text(b.bad_s.size(), "stretch", "stretches") << " without NN intervals (" << f2(bad, 1) << " s: holes"
      << (rr ? "" : ", non-normal beats, noise") << ")";
  if (!rr) out << "; " << b.n_non_normal << " non-normal beats or marks";
  auto ann = io::find_annotation_for(file);
  out << "\n  annotations: " << (ann ? ann->string() : std::string("none found next to the file")) << "\n";
}

void inspect_features(const std::filesystem::path& file, std::ostream& out) {
  const auto d = io::read_features_summary(file);
  std::map<std::string, std::size_t> status, kinds;
  double hours = 0;
  std::size_t pos = 0, labelled = 0;
  for (const auto& r : d.records) {
    ++status[r.status];
    ++kinds[r.kind];
    if (r.status == "ok") hours += r.duration_s / 3600.0;
  }
  for (float l : d.label) {
    if (std::isfinite(l)) {
      ++labelled;
      pos += l >= 0.5f;
    }
  }
  out << file.string() << ": ecgforest features file (version " << d.version << ", created " << d.created << " by "
      << d.n_ranks << " rank(s))\n";
  out << "  windows: " << d.label.size() << " (" << labelled << " labelled, " << pos << " with seizure fraction >= 0.5)\n";
  out << "  features (" << d.columns.size() << "):";
  for (const auto& c : d.columns) out << " " << c;
  out << "\n  recordings: " << d.records.size() << " (" << f2(hours) << " ECG hours ok);";
  for (const auto& [k, v] : status) out << " " << k << "=" << v;
  out << "; kinds:";
  for (const auto& [k, v] : kinds) out << " " << k << "=" << v;
  out << "\n";
  for (const auto& r : d.records) {
    if (r.status != "ok") out << "    " << r.path << ": " << r.status << ": " << r.message << "\n";
  }
  out << "  configuration:\n";
  std::size_t b = 0;
  while (b < d.config_toml.size()) {
    auto e = d.config_toml.find('\n', b);
    if (e == std::string::npos) e = d.config_toml.size();
    out << "    " << d.config_toml.substr(b, e - b) << "\n";
    b = e + 1;
  }
}

void inspect_model(const std::filesystem::path& file, std::ostream& out) {
  io::ModelMeta meta;
  const auto m = read_model(file, &meta);
  std::size_t nodes = 0, leaves = 0;
  for (const auto& t : m.trees) {
    nodes += t.n_nodes();
    for (auto l : t.left) leaves += l < 0;
  }
  out << file.string() << ": ecgforest model (version " << meta.version << ", created " << meta.created << ")\n";
  out << "  trees: " << m.trees.size() << ", nodes: " << nodes << ", leaves: " << leaves;
  if (m.boosted_base_margin) out << " (gradient-boosted, base margin " << *m.boosted_base_margin << ")";
  out << "\n";
  out << "  training recordings listed: "
      << (meta.training ? std::to_string(meta.training->recordings.size()) + " recordings of " +
                              std::to_string(meta.training->patients.size()) + " patients (predict warns when it scores them)"
                        : std::string("none (a model written before 7 December 2026; predict cannot check)"))
      << "\n";
  out << "  features (" << m.feature_names.size() << "):";
  for (const auto& c : m.feature_names) out << " " << c;
  out << "\n";
  if (!meta.summary.empty()) {  // what train printed: evaluation table, top features, notes
    std::istringstream lines(meta.summary);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("train: ", 0) == 0) line = line.substr(7);
      out << "  " << line << "\n";
    }
    out << "  (all metrics as JSON: the model's 'metrics' attribute, also written next to it: MODEL.metrics.json by train, metrics.json by run)\n";
  } else {  // files written before the summary attribute existed
    out << "  metrics: " << meta.metrics_json << "\n";
  }
}

}  // namespace

void inspect_file(const std::filesystem::path& file, std::ostream& out) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw Error("Cannot inspect " + file.string() + ": it does not exist or is not a regular file.");
  }
  if (const auto hdf5 = io::hdf5_format(file)) {
    const std::string& format = *hdf5;
    if (format == "ecgforest-features/1") return inspect_features(file, out);
    if (format == "ecgforest-model/1") return inspect_model(file, out);
    if (format == "ecgforest-probabilities/1") {
      throw Error(file.string() + " is a window-probabilities file of 'ecgforest predict --features' (format '" + format +
                  "'); inspect reads features and model files only. It holds /windows/probability, /windows/record and "
                  "/windows/time_s, one row per window of the features file; read it with h5py or h5dump.");
    }
    if (format == "ecgforest-predictions/1") {
      throw Error(file.string() + " is a predictions file (format '" + format + "') of 'ecgforest predict --input' (its scores "
                  "are in score.json beside it) or of train's cv_predictions (scores in the metrics); inspect reads features "
                  "and model files only. Its layout is in the README (Predict on EDF recordings); read it with h5py or h5dump.");
    }
    throw Error(file.string() + " is an HDF5 file but neither an ecgforest features file nor a model (format '" + format + "').");
  }
  std::string ext = file.extension().string();
  for (auto& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (io::recording_kind(file) == io::RecordingKind::edf && ext != ".edf") {
    throw Error("Cannot inspect " + file.string() + ": inspect reads EDF recordings (.edf), features and model files "
                "(.h5), and heart-beat files named NAME_rr.csv or NAME_beats.csv (optionally .gz). An RR or beats "
                "table under another name is read once renamed so (e.g. " + io::recording_name(file) + "_rr.csv).");
  }
  try {
    if (io::recording_kind(file) != io::RecordingKind::edf) return inspect_beats(file, out);
    inspect_edf(file, out);
  } catch (const RecordError& e) {
    throw Error(std::string("Cannot inspect ") + file.string() + ": " + e.what());
  }
}

}  // namespace ecgforest::pipeline

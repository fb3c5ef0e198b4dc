#include "bids_layout.hpp"

#include <cstdio>
#include <fstream>
#include <map>

#include "ecgforest/core/error.hpp"
#include "ecgforest/io/annotation_writer.hpp"

namespace ecgforest::synth {
namespace fs = std::filesystem;
namespace {

std::string datatype_of(int p) { return p % 2 == 1 ? "eeg" : "ecg"; }

void write(const fs::path& file, const std::string& text) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw Error("ecgforest-synth: cannot write '" + file.string() + "'; choose a writable --out.");
}

}  // namespace

std::string bids_subject(int p) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d", p);
  return buf;
}

fs::path bids_recording_stem(const fs::path& out_dir, int id, int p, int k) {
  const std::string sub = "sub-" + bids_subject(id), dt = datatype_of(p);
  char run[16];
  std::snprintf(run, sizeof run, "%02d", k);
  const fs::path dir = out_dir / sub / "ses-01" / dt;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error("ecgforest-synth: cannot create '" + dir.string() + "' (" + ec.message() + ").");
  return dir / (sub + "_ses-01_task-szMonitoring_run-" + run + "_" + dt);
}

void write_bids_sidecars(const fs::path& stem, const RecordingSummary& rs) {
  const std::string name = stem.filename().string();
  const std::string prefix = name.substr(0, name.rfind('_'));
  std::string ch = "name\ttype\tunits\tsampling_frequency\n";
  for (std::size_t i = 0; i < rs.channel_labels.size(); ++i) {
    const bool ecg = static_cast<int>(i) == rs.ecg_channel;
    ch += rs.channel_labels[i] + (ecg ? "\tECG" : "\tEEG") + "\tuV\t" + std::to_string(rs.fs_hz) + "\n";
  }
  write(stem.parent_path() / (prefix + "_channels.tsv"), ch);
  std::vector<AnnotationEvent> sz;
  for (const auto& s : rs.seizures) sz.push_back({s.start_s, s.stop_s, "seiz", 1.0, ""});
  // SeizeIT2 keeps every recording's events in eeg/.
  const fs::path events = stem.parent_path().parent_path() / "eeg" / (prefix + "_events.tsv");
  write(events, io::events_tsv_text(sz, rs.duration_s));
}

void write_bids_root(const fs::path& out_dir, const CohortSummary& cohort) {
  write(out_dir / "dataset_description.json",
        "{\n  \"Name\": \"ecgforest synthetic cohort\",\n  \"BIDSVersion\": \"1.8.0\",\n  \"HEDVersion\": \"score_1.1.0\",\n"
        "  \"DatasetType\": \"raw\",\n  \"GeneratedBy\": [{\"Name\": \"ecgforest-synth\"}]\n}\n");
  std::map<std::string, double> age;  // participant_id -> age (sorted)
  for (const auto& r : cohort.recordings) age["sub-" + r.patient] = r.age_years;
  std::string t = "participant_id\tage\n";
  for (const auto& [id, a] : age) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "\t%.0f\n", a);
    t += id + buf;
  }
  write(out_dir / "participants.tsv", t);
}

}  // namespace ecgforest::synth

#include "ecgforest/pipeline/training_overlap.hpp"

#include <algorithm>
#include <cstring>
#include <set>
#include <sstream>

#include "ecgforest/core/hash.hpp"
#include "ecgforest/io/beat_file.hpp"

namespace ecgforest::pipeline {
namespace {

void sort_unique(std::vector<std::uint64_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

bool seen(const std::vector<std::uint64_t>& sorted, std::uint64_t f) { return std::binary_search(sorted.begin(), sorted.end(), f); }

/// Whether fingerprint `a` or `b` is in the model's list (`member` picks it) or the extra one.
bool in_training(const std::optional<io::TrainingData>& model, const io::TrainingData* extra,
                 std::vector<std::uint64_t> io::TrainingData::*member, std::uint64_t a, std::uint64_t b) {
  for (const auto f : {a, b}) {
    if ((model && seen((*model).*member, f)) || (extra && seen(extra->*member, f))) return true;
  }
  return false;
}

/// "a, b, c, d, e, ... (K more)": up to five names.
std::string first_names(const std::vector<std::string>& names) {
  std::string out;
  const std::size_t shown = std::min<std::size_t>(names.size(), 5);
  for (std::size_t i = 0; i < shown; ++i) out += (i ? ", " : "") + names[i];
  if (shown < names.size()) out += ", ... (" + std::to_string(names.size() - shown) + " more)";
  return out;
}

}  // namespace

std::uint64_t recording_fingerprint(const io::RecordRow& row) {
  std::uint64_t duration_bits = 0;
  static_assert(sizeof(duration_bits) == sizeof(row.duration_s));
  std::memcpy(&duration_bits, &row.duration_s, sizeof(duration_bits));
  return Hasher().text("ecgforest-recording/1").text(io::recording_name(row.path)).u64(duration_bits).u64(row.n_beats).value();
}

std::uint64_t patient_fingerprint(const std::string& patient) {
  return Hasher().text("ecgforest-patient/1").text(patient).value();
}

ScoredFingerprint scored_fingerprint(const io::RecordRow& own, const io::RecordRow& shown) {
  return {io::recording_name(shown.path), shown.patient,          recording_fingerprint(own),
          patient_fingerprint(own.patient),   recording_fingerprint(shown), patient_fingerprint(shown.patient)};
}

bool gave_windows(const io::RecordRow& row) { return row.status == "ok" && row.n_windows > 0; }

io::TrainingData training_data(const std::vector<io::RecordRow>& records) {
  io::TrainingData out;
  for (const auto& r : records) {
    if (!gave_windows(r)) continue;
    out.recordings.push_back(recording_fingerprint(r));
    out.patients.push_back(patient_fingerprint(r.patient));
  }
  sort_unique(out.recordings);
  sort_unique(out.patients);
  return out;
}

TrainingOverlap training_overlap(const std::vector<ScoredFingerprint>& predicted, const std::optional<io::TrainingData>& model) {
  TrainingOverlap o;
  o.checked = model.has_value();
  std::set<std::string> patients;
  for (const auto& s : predicted) {
    if (in_training(model, s.extra, &io::TrainingData::recordings, s.fingerprint, s.public_fingerprint)) {
      o.in_training.push_back(s.name);
    }
    const bool trained_patient =
        in_training(model, s.extra, &io::TrainingData::patients, s.patient_fingerprint, s.public_patient_fingerprint);
    if (trained_patient && patients.insert(s.patient).second) o.patients.push_back(s.patient);
  }
  return o;
}

std::string training_overlap_text(const TrainingOverlap& o, std::size_t n_recordings, std::size_t n_patients,
                                  bool in_score_json) {
  std::ostringstream os;
  const std::string listed = in_score_json ? "; score.json lists them under training_overlap" : "";
  if (!o.in_training.empty()) {
    os << "predict: warning: " << o.in_training.size() << " of the " << n_recordings
       << " recordings predicted were among the model's training data (" << first_names(o.in_training)
       << "): their " << (in_score_json ? "scores" : "results") << " are not held-out figures" << listed << "\n";
  }
  if (!o.patients.empty()) {
    os << "predict: warning: " << o.patients.size() << " of the " << n_patients
       << " patients predicted have the ids of patients the model was trained on (" << first_names(o.patients)
       << "): their " << (in_score_json ? "scores" : "results")
       << " are not patient-independent, unless these are other people with the same ids" << listed
       << "\n";
  }
  if (!o.checked) {
    os << "predict: the model does not list its training recordings (written before 7 December 2026, "
          "or by another version): whether any recording predicted here trained it was not checked\n";
  }
  return os.str();
}

std::size_t count_patients(const std::vector<ScoredFingerprint>& predicted) {
  std::set<std::string> ids;
  for (const auto& s : predicted) ids.insert(s.patient);
  return ids.size();
}

}  // namespace ecgforest::pipeline

#include "ecgforest/eval/szcore_recordings.hpp"

#include <cmath>
#include <string>

namespace ecgforest::eval::szcore {

DatasetScores score_recordings(const std::vector<ScoredRecording>& recs, const Params& p) {
  std::vector<FileScores> files;
  std::vector<std::string> subjects;
  for (const auto& r : recs) {
    // No hypothesis file: an empty hypothesis of the reference's duration (szcore-evaluation).
    const double hyp_duration = std::isnan(r.hyp_duration_s) ? r.duration_s : r.hyp_duration_s;
    files.push_back(score_file(r.ref, r.duration_s, r.hyp, hyp_duration, p));
    subjects.push_back(r.patient.empty() ? r.name : r.patient);
  }
  return score_dataset(files, subjects);
}

void write_szcore_keys(JsonWriter& j, const DatasetScores& d, const Params& p) {
  j.key("szcore");
  write_file_scores_json(j, d.pooled);
  j.key("szcore_dataset");
  write_dataset_json(j, d, p);
}

}  // namespace ecgforest::eval::szcore

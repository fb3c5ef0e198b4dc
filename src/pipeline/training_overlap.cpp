#include "ecgforest/pipeline/training_overlap.hpp"

#include <algorithm>
#include <cstring>
#include <sstream>

#include "ecgforest/core/hash.hpp"
#include "ecgforest/io/beat_file.hpp"

namespace ecgforest::pipeline {

std::uint64_t recording_fingerprint(const io::RecordRow& row) {
  std::uint64_t duration_bits = 0;
  static_assert(sizeof(duration_bits) == sizeof(row.duration_s));
  std::memcpy(&duration_bits, &row.duration_s, sizeof(duration_bits));
  return Hasher().text("ecgforest-recording/1").text(io::recording_name(row.path)).u64(duration_bits).u64(row.n_beats).value();
}

std::vector<std::uint64_t> training_fingerprints(const std::vector<io::RecordRow>& records) {
  std::vector<std::uint64_t> out;
  for (const auto& r : records) {
    if (r.status == "ok" && r.n_windows > 0) out.push_back(recording_fingerprint(r));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

TrainingOverlap training_overlap(const std::vector<ScoredFingerprint>& scored,
                                 const std::optional<std::vector<std::uint64_t>>& model,
                                 const std::vector<std::uint64_t>& extra) {
  TrainingOverlap o;
  o.checked = model.has_value();
  auto seen = [](const std::vector<std::uint64_t>& sorted, std::uint64_t f) {
    return std::binary_search(sorted.begin(), sorted.end(), f);
  };
  for (const auto& s : scored) {
    if ((model && seen(*model, s.fingerprint)) || seen(extra, s.fingerprint)) o.in_training.push_back(s.name);
  }
  return o;
}

std::string training_overlap_text(const TrainingOverlap& o, std::size_t n_scored, bool in_score_json) {
  std::ostringstream os;
  if (!o.in_training.empty()) {
    os << "predict: warning: " << o.in_training.size() << " of the " << n_scored
       << " recordings predicted were among the model's training data (";
    const std::size_t shown = std::min<std::size_t>(o.in_training.size(), 5);
    for (std::size_t i = 0; i < shown; ++i) os << (i ? ", " : "") << o.in_training[i];
    if (shown < o.in_training.size()) os << ", ... (" << o.in_training.size() - shown << " more)";
    os << "): their scores are not held-out figures" << (in_score_json ? "; score.json lists them under training_overlap" : "")
       << "\n";
  } else if (!o.checked) {
    os << "predict: the model does not list its training recordings (written before 7 December 2026, "
          "or by another version): whether any recording predicted here trained it was not checked\n";
  }
  return os.str();
}

}  // namespace ecgforest::pipeline

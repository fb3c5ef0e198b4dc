#pragma once
// Scores on recordings a model was trained on are not held-out figures. `train` stores in
// model.h5 a fingerprint of every recording whose windows it read; `predict` fingerprints the
// recordings it scores the same way and names those the model (or, with --tailor-retrain, the
// FEATURES file the patients' models are trained on) has seen.
//
// A fingerprint is a 64-bit hash of the recording's NAME (io::recording_name of its path), its
// duration (seconds, exact bits) and its beat count. The same recording extracted with the same
// settings gives the same fingerprint wherever its file lies; a renamed copy, or one written
// under --pseudonymise names, does not match. The hash stores no name: a model file says how
// many recordings trained it, not which.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ecgforest/io/features_file.hpp"

namespace ecgforest::pipeline {

/// The fingerprint of a recording with this /records row (its path's NAME, duration, beats).
std::uint64_t recording_fingerprint(const io::RecordRow& row);

/// Sorted, unique fingerprints of the rows that gave windows (status ok, at least one window):
/// the recordings a model trained on these rows has seen.
std::vector<std::uint64_t> training_fingerprints(const std::vector<io::RecordRow>& records);

/// One scored recording: its public name (what score.json calls it) and fingerprint.
struct ScoredFingerprint {
  std::string name;
  std::uint64_t fingerprint = 0;
};

/// What predict says about the recordings it scored and the training data.
struct TrainingOverlap {
  bool checked = false;               ///< false: the model lists no training recordings (older file)
  std::vector<std::string> in_training;  ///< scored recordings found among them, in input order
};

/// Compares the scored recordings with the sorted training fingerprints (`model`: the model's
/// list, absent for models written before the list; `extra`: further training data, e.g.
/// --tailor-retrain's FEATURES, empty when none).
TrainingOverlap training_overlap(const std::vector<ScoredFingerprint>& scored,
                                 const std::optional<std::vector<std::uint64_t>>& model,
                                 const std::vector<std::uint64_t>& extra);

/// predict's line about the overlap ("" when it was checked and is empty); `in_score_json`: the
/// line says that score.json lists the recordings (predict --input writes one).
std::string training_overlap_text(const TrainingOverlap& o, std::size_t n_scored, bool in_score_json);

}  // namespace ecgforest::pipeline

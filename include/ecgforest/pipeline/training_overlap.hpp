#pragma once
// Scores on recordings a model was trained on are not held-out figures, and scores on other
// recordings of its training patients are not patient-independent ones. `train` stores in
// model.h5 a fingerprint of every recording whose windows it read and of every patient they
// belong to; `predict` fingerprints the recordings it scores the same way and names those the
// model (or, with --tailor-retrain, the patient's own model, trained on FEATURES and the
// patient's baseline) has seen, and the patients it was trained on. Under --pseudonymise both
// the real and the pseudonymised names are compared, so a model trained on features
// pseudonymised with the same key is checked too.
//
// A recording's fingerprint is a 64-bit hash of its NAME (io::recording_name of its path), its
// duration (seconds, exact bits) and its beat count: the same recording extracted with the same
// settings gives the same fingerprint wherever its file lies; a renamed copy does not match.
// A patient's is a hash of its id. The hashes are not keyed: ids from a small space (8-digit
// numbers, sub-NN) can be recovered by trying them all, as model.h5's metrics already list the
// cross-validation's patients; train under --pseudonymise to keep them out of a shared model.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ecgforest/io/features_file.hpp"
#include "ecgforest/io/model_file.hpp"

namespace ecgforest::pipeline {

/// The fingerprint of a recording with this /records row (its path's NAME, duration, beats).
std::uint64_t recording_fingerprint(const io::RecordRow& row);

/// The fingerprint of a patient id.
std::uint64_t patient_fingerprint(const std::string& patient);

/// Whether a /records row gave windows (status ok, at least one window).
bool gave_windows(const io::RecordRow& row);

/// Sorted, unique fingerprints of the rows that gave windows and of their patients: what a
/// model trained on these rows has seen.
io::TrainingData training_data(const std::vector<io::RecordRow>& records);

/// One predicted recording: its public name and patient id (what score.json calls them), the
/// fingerprints of its own row, and those of its row as the outputs show it (under
/// --pseudonymise: pseudonyms, which match a model trained on features extracted with the same
/// key; without it the same as its own).
struct ScoredFingerprint {
  std::string name;
  std::string patient;
  std::uint64_t fingerprint = 0;
  std::uint64_t patient_fingerprint = 0;
  std::uint64_t public_fingerprint = 0;
  std::uint64_t public_patient_fingerprint = 0;
  /// Further training data of the model that detected this recording besides the given one
  /// (--tailor-retrain: its patient's own model's lists); nullptr when none.
  const io::TrainingData* extra = nullptr;
};

/// The ScoredFingerprint of a recording: `own` its row as extracted, `shown` as the outputs show
/// it (after --pseudonymise, if given).
ScoredFingerprint scored_fingerprint(const io::RecordRow& own, const io::RecordRow& shown);

/// What predict says about the recordings it scored and the training data.
struct TrainingOverlap {
  bool checked = false;                  ///< false: the model lists no training data (older file)
  std::vector<std::string> in_training;  ///< predicted recordings among the training recordings, in input order
  std::vector<std::string> patients;     ///< predicted patients among the training patients, first seen first
};

/// Compares the predicted recordings with the training data: `model` the given model's lists
/// (absent for models written before them), and each recording's `extra` lists.
TrainingOverlap training_overlap(const std::vector<ScoredFingerprint>& predicted, const std::optional<io::TrainingData>& model);

/// predict's lines about the overlap ("" when it was checked and is empty); `n_recordings` and
/// `n_patients` predicted; `in_score_json`: the lines say that score.json lists the names
/// (predict --input writes one).
std::string training_overlap_text(const TrainingOverlap& o, std::size_t n_recordings, std::size_t n_patients,
                                  bool in_score_json);

/// The number of distinct patients of `predicted`.
std::size_t count_patients(const std::vector<ScoredFingerprint>& predicted);

}  // namespace ecgforest::pipeline

#pragma once
// ecgforest-synth --layout bids: the cohort as a small BIDS dataset (see io/bids.hpp):
//   OUT/dataset_description.json, OUT/participants.tsv (participant_id, age),
//   OUT/sub-PP/ses-01/<dt>/sub-PP_ses-01_task-szMonitoring_run-KK_<dt>.edf and _channels.tsv,
//   OUT/sub-PP/ses-01/eeg/sub-PP_ses-01_task-szMonitoring_run-KK_events.tsv (SzCORE columns).
// Odd patients use the eeg datatype (ECG inside the EEG file, as BIDS has it); even patients the
// ecg datatype with the events in eeg/ (as SeizeIT2 has it). The ECG channel is labelled
// kBidsEcgLabel, which label guessing does not find: only the channels file's type ECG names it.
#include <filesystem>
#include <string>
#include <vector>

#include "synth.hpp"

namespace ecgforest::synth {

inline constexpr const char* kBidsEcgLabel = "Lead II";

/// The sub- label of patient p (1-based): two digits, more when needed ("01", "123").
std::string bids_subject(int p);

/// OUT/sub-PP/ses-01/<dt>/sub-PP_ses-01_task-szMonitoring_run-KK_<dt> (no extension) of the
/// p-th patient (1-based; odd: eeg, even: ecg), numbered `id` (PP); creates the folder.
std::filesystem::path bids_recording_stem(const std::filesystem::path& out_dir, int id, int p, int k);

/// The recording's _channels.tsv (from the EDF labels, ECG at rs.ecg_channel) and _events.tsv.
void write_bids_sidecars(const std::filesystem::path& stem, const RecordingSummary& rs);

/// dataset_description.json and participants.tsv of the cohort.
void write_bids_root(const std::filesystem::path& out_dir, const CohortSummary& cohort);

}  // namespace ecgforest::synth

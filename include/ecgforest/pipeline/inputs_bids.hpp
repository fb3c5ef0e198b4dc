#pragma once
// The BIDS steps of expand_inputs (pipeline/inputs.hpp); the layout itself is io/bids.hpp.
#include <filesystem>
#include <set>

#include "ecgforest/pipeline/inputs.hpp"

namespace ecgforest::pipeline {

/// A directory search does not enter derivatives/, sourcedata/ and code/ of a BIDS root.
bool bids_skip_dir(const std::filesystem::path& dir);

/// A directory search skips BIDS recordings of datatypes without ECG (emg, mov, ...).
bool bids_skip_file(const std::filesystem::path& file);

/// Of one BIDS recording found in several datatypes (SeizeIT2: ecg/ and eeg/), keeps the
/// preferred one (io::datatype_preference).
void drop_bids_duplicates(std::set<std::filesystem::path>& paths);

/// Reads the participants.tsv of every BIDS root among `paths` (ConfigError when malformed).
void check_participants(const std::set<std::filesystem::path>& paths);

/// For a recording in a BIDS layout: patient = the sub- label; annotation = its *_events.tsv
/// unless the annotation map set one; channels = its *_channels.tsv. Others are left as they are.
void apply_bids(InputRecording& rec);

/// Where predict writes the SzCORE events.tsv of `recording`, relative to its output folder:
/// for a BIDS recording, the path SzCORE's evaluator derives from the reference
/// (io::bids_events_relative_path, e.g. sub-01/ses-01/eeg/sub-01_ses-01_task-x_run-00_events.tsv);
/// otherwise io::events_tsv_name of its NAME, in the folder itself.
std::filesystem::path hypothesis_events_path(const std::filesystem::path& recording);

}  // namespace ecgforest::pipeline

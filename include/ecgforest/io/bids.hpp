#pragma once
// BIDS datasets (https://bids.neuroimaging.io; SzCORE and SeizeIT2 conventions, see
// ../shared/design/bids-seizure-datasets.md): where a recording sits, its sidecar files, the ECG
// channel its *_channels.tsv names, and participants.tsv. Only file layouts; no MPI, no HDF5.
//
//   ROOT/dataset_description.json, ROOT/participants.tsv
//   ROOT/sub-<label>/[ses-<label>/]<datatype>/sub-<label>[_ses-<label>]_<entities>_<suffix>.edf
//   ... next to it <prefix>_channels.tsv and <prefix>_events.tsv, prefix = the name without
//   "_<suffix>.edf" (SeizeIT2 keeps the events of its ecg/ recordings in the eeg/ folder).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ecgforest::io {

/// A recording file's place in a BIDS dataset, read from its path alone.
struct BidsPath {
  std::filesystem::path root;  ///< the dataset root: the folder holding sub-<label>
  std::string subject;         ///< the sub- label, without "sub-" ("01")
  std::string session;         ///< the ses- label without "ses-"; empty without a session folder
  std::string datatype;        ///< the folder of the file: eeg, ecg, ieeg, emg, mov, ...
  std::string prefix;          ///< the file name without "_<suffix>.<ext>" ("sub-01_ses-01_task-x_run-00")
  std::string suffix;          ///< "eeg", "ecg", ...
};

/// The BIDS place of `file`, or nullopt when its path does not have the BIDS shape: a file name
/// "sub-<label>[_ses-<label>]_..._<suffix>.<ext>" in ROOT/sub-<label>/[ses-<label>/]<datatype>/
/// with the same labels in the folders and the name.
std::optional<BidsPath> bids_path(const std::filesystem::path& file);

/// Datatypes whose recordings may hold an ECG and are read from a BIDS folder: ecg (SeizeIT2),
/// eeg, ieeg. Others (emg, mov, meg, anat, ...) are skipped when a directory is searched.
bool is_ecg_datatype(const std::string& datatype);

/// Of one recording stored as several datatypes (SeizeIT2: eeg/ and ecg/), the one to read:
/// ecg before eeg before ieeg. Lower is preferred.
int datatype_preference(const std::string& datatype);

/// True for the folders of a BIDS root that hold no raw recordings (derivatives, sourcedata,
/// code), i.e. `dir` has one of those names and its parent holds dataset_description.json.
bool is_bids_non_raw_dir(const std::filesystem::path& dir);

/// Why a file named like a BIDS recording (sub-<label>_...) is not read as one although it lies
/// in a sub-/ses- folder: the folder's label and the name's disagree (a sentence); "" otherwise.
std::string bids_path_mismatch(const std::filesystem::path& file);

/// <folder>/<prefix>_channels.tsv when it exists.
std::optional<std::filesystem::path> bids_channels_file(const std::filesystem::path& file, const BidsPath& b);

/// <folder>/<prefix>_events.tsv when it exists, else the same name in another datatype folder of
/// the same subject/session (sorted by name; SeizeIT2's eeg/ events for its ecg/ recordings).
std::optional<std::filesystem::path> bids_events_file(const std::filesystem::path& file, const BidsPath& b);

/// Where SzCORE's evaluator looks for the hypothesis of this recording, relative to a hypothesis
/// folder: the path of its events.tsv relative to the dataset root (when it has one), else
/// sub-<label>/[ses-<label>/]<datatype>/<prefix>_events.tsv.
std::filesystem::path bids_events_relative_path(const std::filesystem::path& file, const BidsPath& b);

/// The ECG channel a *_channels.tsv names: the `name` of its first row whose `type` is ECG or
/// EKG (any letter case); empty when no row is. Throws RecordError (kind "bad_channels") with a
/// sentence naming the file and line for an unreadable file, a header without `name` and `type`,
/// or a row with another number of tab-separated fields than the header.
std::string ecg_channel_from_channels_tsv(const std::filesystem::path& tsv);

/// participants.tsv: the header and the participant ids (with "sub-"), in file order.
struct Participants {
  std::vector<std::string> columns;
  std::vector<std::string> ids;
};

/// Reads ROOT/participants.tsv. Throws ConfigError naming the file and line for a header
/// without participant_id, a row with another number of fields than the header, an id that
/// does not start with "sub-", or an id listed twice.
Participants read_participants_tsv(const std::filesystem::path& tsv);

}  // namespace ecgforest::io

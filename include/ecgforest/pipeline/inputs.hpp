#pragma once
// Turning --input arguments into the list of recordings to process.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ecgforest/core/config.hpp"
#include "ecgforest/core/events.hpp"

namespace ecgforest::pipeline {

struct InputRecording {
  /// The recording's file: an EDF, or a beat file (io::recording_kind tells which).
  std::filesystem::path edf;
  std::uint64_t size_bytes = 0;
  std::string patient;
  std::filesystem::path annotation;  ///< from extract.annotation_map, else a BIDS *_events.tsv; empty = pair by basename
  std::filesystem::path channels;    ///< BIDS *_channels.tsv of the recording; empty = none
  std::string note;                  ///< for its /records message (io::bids_path_mismatch); empty = none
};

/// Expands files, directories (recursive; *.edf and the beat files NAME_rr.csv[.gz] and
/// NAME_beats.csv[.gz], in any letter case), glob patterns and list files (*.txt, *.list, *.lst:
/// one path per line, '#' comments, relative to the list file) into recordings sorted by path
/// (this order is the row order of /records). Duplicates are removed. Throws ConfigError for an
/// input that does not exist, a glob that matches nothing, when no recording is found at all, or
/// when one directory holds an EDF and a beat file (or two beat files) of the same NAME.
/// Recordings in a BIDS layout (io/bids.hpp) take their patient from the sub- label, their
/// annotations from their *_events.tsv and their channels file; a directory search skips BIDS
/// datatypes without ECG and derivatives/sourcedata/code, and of one recording stored in several
/// datatypes keeps one (ecg, then eeg, then ieeg). A malformed participants.tsv at a BIDS root
/// is a ConfigError.
/// `flag` names the option the inputs came from in the error for an empty search.
std::vector<InputRecording> expand_inputs(const std::vector<std::string>& inputs, const ExtractSettings& settings,
                                          const char* flag = "--input");

/// The rows of extract.annotation_map (paths relative to the map's folder) that name no input
/// recording, as notes (a site's map may cover more recordings than one run reads). Throws
/// ConfigError when no row names an input, or a row names an input and an annotation file that
/// does not exist. Empty without a map.
std::vector<std::string> annotation_map_problems(const ExtractSettings& settings, const std::vector<InputRecording>& recs);

/// predict: the recordings of `tailor_baseline` (n_baseline of them), then those of `input`.
/// Throws ConfigError when a file is in both (a baseline is never scored), or when two inputs
/// share a NAME (their annotation files would overwrite each other).
std::vector<InputRecording> baseline_then_inputs(const Config& config, std::uint64_t& n_baseline);

/// Wall-clock start of a recording, which converts ISO timestamps in its annotations: the EDF
/// header's (header only), or an RR table's timestamps; a beats file has none. Throws when the
/// recording cannot be read.
std::optional<StartDateTime> recording_start(const std::filesystem::path& file);

/// The start of the recording an annotation file NAME.ext belongs to when it lies beside it
/// (NAME.edf, NAME_rr.csv or NAME_rr.csv.gz; `score` reads annotations without their
/// recordings); nullopt when there is none or it cannot be read.
std::optional<StartDateTime> annotation_start(const std::filesystem::path& annotation);

/// Patient id from a path with the regex of ExtractSettings::patient_regex (see there); without
/// a match, the recording's NAME (io::recording_name).
std::string patient_from_path(const std::filesystem::path& edf, const std::string& regex);

}  // namespace ecgforest::pipeline

#include <mpi.h>

namespace ecgforest::pipeline {

/// COLLECTIVE over `comm`: rank 0's `recs` replaces every other rank's (inputs are expanded once,
/// on rank 0, so all ranks see the same list even on a file system that lists lazily).
void broadcast_recordings(MPI_Comm comm, std::vector<InputRecording>& recs);

/// Positions into `recs` ordered by file size, largest first (ties keep input order): the order
/// in which the work queue hands recordings out.
std::vector<std::size_t> largest_first(const std::vector<InputRecording>& recs);

}  // namespace ecgforest::pipeline

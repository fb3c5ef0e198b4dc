#pragma once
// Several features files as one (predict --tailor-retrain: a training cohort's windows and a
// patient's baseline windows, the baseline repeated so that its hours weigh against the cohort's).
#include <mpi.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "ecgforest/io/features_file.hpp"

namespace ecgforest::io {

/// One input of merge_features_files.
struct FeaturesPart {
  std::filesystem::path file;
  int copies = 1;       ///< the part's records are written this many times, one after another
  std::string patient;  ///< non-empty: every record of the part gets this patient id
  /// The part is known to be seizure-free where not annotated: windows with an unknown (NaN)
  /// label get label 0, and unannotated records become annotated with no seizure.
  bool seizure_free = false;
  /// > 0: only the part's first `first_s` seconds, its records taken one after another in file
  /// order (a record's windows ending at most that far into it are kept, as predict's tailoring
  /// cuts a patient's first hours), minus the windows ending within `guard_s` of one of the
  /// record's reference seizures (clipped to the seconds taken). The records keep their rows with
  /// duration_s cut to the seconds taken (0 beyond the first_s), no reference seizure and unknown
  /// labels 0 (seizure-free).
  double first_s = 0;
  double guard_s = 300;
};

/// What merge_features_files took from one part (one copy): windows, and records with windows.
struct PartKept {
  std::uint64_t windows = 0, records = 0;
};

struct MergeReport {
  WriteReport write;
  std::vector<PartKept> parts;  ///< per part, in order (the same on every rank)
};

/// COLLECTIVE over `comm`: writes `out` (features.h5 layout, write_features_file) with the records,
/// windows and reference seizures of every part in order, each part `copies` times (copies of a
/// record keep its path; their message says which copy they are). The columns, window length,
/// hop, detector and HRV profile must be the same in every part; the stored config is the first
/// part's. Returns, on every rank, what was taken from each part. Throws Error naming both files when they differ, or when a part lacks the typed
/// extraction settings or /reference (written by an older ecgforest). Every rank reads every part
/// whole; rank 0 writes.
MergeReport merge_features_files(MPI_Comm comm, const std::filesystem::path& out, const std::vector<FeaturesPart>& parts);

}  // namespace ecgforest::io

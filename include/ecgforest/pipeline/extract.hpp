#pragma once
// `ecgforest extract`: EDF recordings in, one features HDF5 file out.
#include <mpi.h>

#include <filesystem>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "ecgforest/core/config.hpp"
#include "ecgforest/io/features_file.hpp"
#include "ecgforest/io/output_lock.hpp"
#include "ecgforest/pipeline/inputs.hpp"

namespace ecgforest::pipeline {

/// One recording's whole journey, read top to bottom: read EDF header → find the ECG channel →
/// decode it → detect R-peaks → HRV features on windows → labels from the annotations.
/// Never throws for problems of the recording itself: they become row.status / row.message and
/// zero windows. Serial (EDFlib is not thread-safe); feature computation inside may use OpenMP.
io::RecordResult process_recording(const InputRecording& rec, std::size_t index, const Config& config);

/// Feature column names for this configuration (same for every recording).
std::vector<std::string> feature_columns(const Config& config);

/// The settings a features file and a model store so that later stages compute the same
/// features (window, hop, detector, HRV profile and windows).
io::StoredExtract stored_extract(const ExtractSettings& x);

struct ExtractSummary {
  std::size_t n_records = 0, n_ok = 0, n_failed = 0, n_unlabelled = 0;
  std::uint64_t n_resumed = 0;  ///< recordings loaded from OUTPUT.stage instead of processed
  std::uint64_t n_windows = 0;
  double ecg_hours = 0;
  double seconds = 0;  ///< wall seconds of run_extract on rank 0 (MPI start-up not included)
  /// Wall seconds on rank 0 of the phases: input listing + broadcast, the recording queue (until
  /// every rank has finished), the collective features-file write, and the closing summary.
  double inputs_s = 0, queue_s = 0, write_s = 0, summary_s = 0;
  io::WriteReport write;
  std::map<std::string, std::size_t> failures_by_kind;
  std::vector<std::string> failure_lines;  ///< "path: status: message"
  std::vector<double> busy_s_per_rank;
  bool dynamic_queue = false;
};

/// COLLECTIVE over `comm`: expands the inputs (on rank 0, broadcast), processes recordings with
/// the dynamic largest-first queue, writes `output` collectively. Progress and the summary are
/// printed to `log` on rank 0 (pass nullptr for silence). Throws CollectiveError on every rank
/// for bad inputs. Resumable: each finished recording is staged in OUTPUT.stage/ (see
/// pipeline/stage.hpp); a rerun with the same output, settings and inputs loads staged recordings
/// instead of processing them, and the stage directory is removed after the final write.
ExtractSummary run_extract(MPI_Comm comm, const Config& config, const std::filesystem::path& output, std::ostream* log);

/// COLLECTIVE: rank 0 takes the lock on `output` (io::OutputLock) and holds it in the returned
/// value for as long as the caller writes (extract: the features file; run: features, model and
/// metrics); the other ranks get nullopt. Another run holding it is a CollectiveError on every
/// rank, before any work. A file system without flock gets a note on `log` and no lock.
std::optional<io::OutputLock> lock_output(MPI_Comm comm, const std::filesystem::path& output, std::ostream* log);

}  // namespace ecgforest::pipeline

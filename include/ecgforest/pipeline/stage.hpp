#pragma once
// Resumable extraction: every finished recording is staged as one small file next to the output,
// so that a job killed part-way (time limit, node failure) and resubmitted with the same output
// does not process those recordings again.
//
//   OUTPUT.stage/<index>.bin   one recording's io::RecordResult (index = row in /records)
//
// A stage file is written to <index>.bin.partial.<pid> and renamed into place, so a file with the
// final name is always complete; it also ends with an end marker that is checked on reading.
// It records a key made of the effective extraction configuration (every setting except the
// [train] table and the paths of outputs), the program version and build date, the feature
// columns, and the EDF's and annotation's path, size and mtime (ns). A stage file whose key does
// not match (settings or input changed) or that cannot be parsed is ignored and overwritten.
// The final features file is still assembled from all results with the collective write, and the
// stage directory is removed once that file has been renamed into place.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "ecgforest/core/config.hpp"
#include "ecgforest/io/features_file.hpp"
#include "ecgforest/pipeline/inputs.hpp"

namespace ecgforest::pipeline {

/// "path|size|mtime_ns" of a file; "path|missing" when it cannot be inspected.
std::string file_identity(const std::filesystem::path& p);

/// The files a recording is read from, as file_identity lines: the recording, its annotation file
/// (given or found next to it; "none"), its BIDS channels file, and its patient id.
std::string recording_identity(const InputRecording& rec);

/// "features.h5" → "features.h5.stage" (same directory).
std::filesystem::path stage_dir_for(const std::filesystem::path& output);

/// Text that identifies everything about `config` that changes extraction results (TOML of the
/// configuration with [train] reset and input/output/features/model cleared, the version, the
/// build date and the feature columns).
std::string extraction_fingerprint(const Config& config);

class RecordStage {
 public:
  /// `output` is the final features file; nothing is created until the first store().
  RecordStage(const std::filesystem::path& output, const Config& config);

  const std::filesystem::path& dir() const { return dir_; }

  /// The staged result of recording `index` when a complete stage file with the current key
  /// exists; std::nullopt when absent, stale or unreadable (never throws).
  std::optional<io::RecordResult> load(const InputRecording& rec, std::size_t index) const;

  /// Stages one result atomically (write .partial, then rename). Results whose status may be
  /// transient (`error`, `unreadable`) are not staged. Returns false when the file could not be
  /// written (the run goes on; that recording is just processed again after a restart).
  bool store(const InputRecording& rec, const io::RecordResult& result) const;

  /// Removes the stage directory (after the final file is in place). Never throws.
  void remove() const;

 private:
  std::string key_for(const InputRecording& rec) const;
  std::filesystem::path dir_;
  std::string fingerprint_;
  std::size_t n_columns_ = 0;
};

/// TEST HOOK: when the environment variable ECGFOREST_TEST_EXIT_AFTER is a number K > 0, the
/// process exits immediately (std::_Exit(86), no clean-up, like a kill) once this rank has
/// processed and staged K recordings. Used by tests/pipeline/e2e_resume.sh only.
void test_exit_hook_after_recording();

}  // namespace ecgforest::pipeline

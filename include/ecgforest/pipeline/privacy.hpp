#pragma once
// How recordings appear in outputs (README "What the outputs hold about a patient"): paths
// relative to the input root unless extract.absolute_paths, recording names and patient ids as
// keyed pseudonyms with extract.pseudonymise, no start date with extract.drop_dates.
#include <filesystem>
#include <string>

#include "ecgforest/core/config.hpp"
#include "ecgforest/core/events.hpp"
#include "ecgforest/io/features_file.hpp"
#include "ecgforest/pipeline/inputs.hpp"

namespace ecgforest::pipeline {

/// The directory stored paths are relative to (absolute): extract.input_root when set, else the
/// deepest directory holding every --input (a directory input counts as itself).
std::filesystem::path input_root(const Config& config);

/// The configuration text stored in an output file `output`: unless extract.absolute_paths,
/// inputs and the annotation map relative to the input root, the input root and the output,
/// features, model and rr_csv paths relative to the output file's directory; with
/// extract.pseudonymise no inputs and no input root (they may name patients).
std::string stored_config_toml(Config config, const std::filesystem::path& output);

/// Where a recording's start date may go: the real one, or with extract.drop_dates the EDF+
/// anonymous start (1985-01-01 00:00:00), so times are offsets from the recording start.
StartDateTime public_start(const ExtractSettings& settings, const StartDateTime& start);

/// Rewrites /records rows of recordings as outputs show them.
class PublicNames {
 public:
  explicit PublicNames(const Config& config);
  /// row.path, row.annotation, row.patient and paths/names in row.message of `rec` (the row as
  /// process_recording filled it, with the real annotation path).
  void apply(const InputRecording& rec, io::RecordRow& row) const;
  /// The recording NAME outputs use (file names NAME.tse_bi, ...): the pseudonym or the name.
  std::string name(const std::filesystem::path& recording) const;
  /// `text` with recording `rec`'s paths, name and patient replaced as apply does.
  std::string scrub(const InputRecording& rec, const std::string& annotation, std::string text) const;
  bool pseudonymised() const { return !key_.empty(); }

 private:
  std::string public_path(const std::filesystem::path& file, const std::filesystem::path& recording) const;
  std::filesystem::path root_;
  std::string key_;
  bool absolute_ = false;
};

}  // namespace ecgforest::pipeline

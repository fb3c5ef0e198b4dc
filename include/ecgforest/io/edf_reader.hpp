#pragma once
// Reading EDF / EDF+ recordings through EDFlib. Only the requested channel is decoded, at its
// native rate. EDFlib keeps a process-global handle table and is not thread-safe: open, read and
// close files from one thread at a time (the pipeline does this per MPI rank).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "ecgforest/io/annotations.hpp"

namespace ecgforest::io {

struct EdfChannel {
  int index = 0;             ///< EDFlib signal index (annotation channels excluded)
  std::string label;         ///< trimmed label as in the header (bytes kept as-is)
  double fs_hz = 0;          ///< samples per second
  std::int64_t n_samples = 0;
  std::string unit;          ///< physical dimension, e.g. "uV"
};

struct EdfInfo {
  std::filesystem::path path;
  std::string type;  ///< "EDF", "EDF+C", "BDF", "BDF+C"
  std::vector<EdfChannel> channels;
  double duration_s = 0;         ///< n_records * record duration
  double record_duration_s = 0;
  std::int64_t n_records = 0;
  StartDateTime start;
};

/// An open EDF file (RAII: closed in the destructor, which never throws).
/// Throws ecgforest::RecordError with kind "unreadable" (missing, permission, not EDF,
/// truncated, format errors) or "discontinuous" (EDF+D/BDF+D, rejected with a reason).
class EdfFile {
 public:
  explicit EdfFile(const std::filesystem::path& path);
  ~EdfFile();
  EdfFile(const EdfFile&) = delete;
  EdfFile& operator=(const EdfFile&) = delete;

  const EdfInfo& info() const { return info_; }
  /// Decodes one whole channel in physical units. Throws RecordError("unreadable") on read errors.
  Eigen::VectorXd read_channel(int index) const;

 private:
  int handle_ = -1;
  EdfInfo info_;
};

/// True when a channel label looks like an ECG lead (case-insensitive "ECG"/"EKG" as a word
/// start: "EEG EKG1-REF", "EKG", "ECG1-ECG2", "EKG-LE", "ECG ch0"...).
bool is_ecg_label(const std::string& label);

/// Index into info.channels of the ECG channel: the channel whose label equals `override_label`
/// (case-insensitive, trimmed) when it is non-empty, else the first channel is_ecg_label accepts.
/// Throws RecordError("no_ecg", "... no ECG channel; labels are: ...").
std::size_t find_ecg_channel(const EdfInfo& info, const std::string& override_label);

}  // namespace ecgforest::io

#pragma once
// Reading EDF / EDF+ recordings: EDFlib opens and validates the header (with our own stricter
// header check first); samples of the one requested channel are decoded by read_channel from
// large block reads, at the channel's native rate. EDFlib keeps a process-global handle table and
// is not thread-safe: open and close files from one thread at a time (the pipeline does this per
// MPI rank).
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
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
  /// Decodes one whole channel in physical units. Reads whole data records in ~4 MiB blocks with
  /// pread and decodes only this channel's samples (the other channels' bytes are read, never
  /// converted); values are bitwise those of EDFlib's edfread_physical_samples. Thread-safe for
  /// concurrent calls on one EdfFile (no shared file position). Throws RecordError("unreadable")
  /// on read errors.
  Eigen::VectorXd read_channel(int index) const;
  /// The same channel through EDFlib's edfread_physical_samples (one fgetc per byte): the
  /// reference read_channel is tested and benchmarked against. Not thread-safe.
  Eigen::VectorXd read_channel_edflib(int index) const;

 private:
  struct RawSignal {
    std::uint64_t offset_bytes = 0;  ///< byte offset of the signal inside one data record
    int samples_per_record = 0;
    double bitvalue = 0, phys_offset = 0;  ///< physical = bitvalue * (phys_offset + digital)
  };
  void build_raw_layout(const std::string& head, const void* edflib_hdr);
  void check_index(int index) const;

  int handle_ = -1;
  EdfInfo info_;
  std::vector<RawSignal> raw_;  ///< per EDFlib signal index; empty: read through EDFlib
  std::uint64_t raw_header_bytes_ = 0, raw_record_bytes_ = 0;
  int raw_bytes_per_sample_ = 2;
  /// EDF+/BDF+: byte offset and size of the first annotation signal in a data record (its first
  /// TAL holds the record's onset); size 0 when there is none.
  std::uint64_t raw_annot_offset_ = 0, raw_annot_bytes_ = 0;
  /// Throws RecordError("discontinuous") when the onset of data record `r` (the first TAL of the
  /// annotation signal at `tal`) is not the first record's onset + r record durations.
  void check_record_onset(const unsigned char* tal, std::int64_t r, double& first_onset) const;
};

/// Independent check of the EDF/BDF header (no EDFlib), so that a broken file is reported with
/// its exact problem instead of EDFlib's generic "format error". `head` is the start of the file
/// (at least the 256-byte fixed header plus 256 bytes per signal when the file has them; more is
/// ignored); `file_size` is the whole file's size in bytes. Returns "" when nothing is wrong that
/// this check knows about, else a phrase naming the problem, e.g. "the header says 4352 header
/// bytes but 26 signals need 6912", "the record duration is -1 s", "the data section holds 10.5
/// records but the header says 1800", "signal 3 'EKG' has digital min = max = 100", "the label
/// of signal 2 has non-ASCII bytes". Checks: size, version bytes, printable ASCII in every
/// header field, signal count (1..640), header byte count, start date/time format, record count
/// (>= 1), record duration (> 0), per signal: samples per record (>= 1), digital min < max within
/// the 16-bit (EDF) or 24-bit (BDF) range, physical min != max, all numbers parseable; and that
/// the data section holds exactly the declared number of records. Never throws; safe on any
/// bytes (fuzzed in tests/fuzz).
std::string edf_header_problem(std::string_view head, std::uint64_t file_size);

/// Reads the header of `path` and throws RecordError("unreadable", "<path>: ... <problem> ...")
/// when edf_header_problem finds one (or when the file cannot be opened/read). EdfFile's
/// constructor calls it before EDFlib sees the file.
void check_edf_header(const std::filesystem::path& path);

/// True when a channel label looks like an ECG lead (case-insensitive "ECG"/"EKG" as a word
/// start: "EEG EKG1-REF", "EKG", "ECG1-ECG2", "EKG-LE", "ECG ch0"...).
bool is_ecg_label(const std::string& label);

/// Index into info.channels of the ECG channel: the channel whose label equals `override_label`
/// (case-insensitive, trimmed) when it is non-empty, else the first channel is_ecg_label accepts.
/// Throws RecordError("no_ecg", "... no ECG channel; labels are: ...").
std::size_t find_ecg_channel(const EdfInfo& info, const std::string& override_label);

}  // namespace ecgforest::io

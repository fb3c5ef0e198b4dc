#pragma once
// The features file: ONE HDF5 file for the whole cohort, written collectively by all ranks.
//
// Layout (stable; other tools read it):
//   /windows/features  float32 [N, F]   attribute `columns` (F feature names)
//   /windows/label     float32 [N]      seizure fraction of the window, 0..1; NaN = unknown
//   /windows/record    uint32  [N]      row in /records
//   /windows/time_s    float64 [N]      window end, seconds from recording start
//   /records           compound, one row per input recording: path, patient, ecg_channel,
//                      status ("ok" or a short error kind), message, annotation (variable-length
//                      strings), duration_s, fs (float64), n_beats, n_windows, first_window
//                      (uint64), kind (variable-length string: "edf", "rr_csv" or "beats_csv",
//                      the recording's file type; files written before it existed read as
//                      "edf"). Windows of a recording are the contiguous rows
//                      [first_window, first_window + n_windows).
//   /reference/annotated  uint8 [records]  1 = the recording had an annotation file (its reference
//                      seizures are the rows below; none = seizure-free), 0 = unannotated
//   /reference/record, start_s, stop_s  uint32/float64 [events]: the reference seizure events
//                      (seizure labels only, overlapping ones merged; seconds from recording
//                      start), so training scores its CV events without reopening annotations
//   root attributes:   config (effective TOML), version, created (UTC ISO time), n_ranks,
//                      collective_writes ("verified" or the reason HDF5 gave for not doing it),
//                      format ("ecgforest-features/1"); the settings later stages need, typed:
//                      window_s, step_s (float64), detector, hrv_profile (strings),
//                      hrv_nonlinear_window_s, hrv_frequency_window_s (float64; optional)
// Files written before /reference and the typed settings existed read with those absent.
// Rows are in input order (records sorted by path), so the file is the same for any rank count.
// The file is written as <name>.partial and renamed when complete.
#include <mpi.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "ecgforest/core/bytes.hpp"
#include "ecgforest/io/stored_settings.hpp"

namespace ecgforest::io {

struct RecordRow {
  std::string path, patient, ecg_channel, status = "ok", message, annotation;
  std::string kind = "edf";  ///< recording file type: "edf", "rr_csv" or "beats_csv"
  double duration_s = 0;  ///< seconds
  double fs = 0;          ///< ECG sampling rate, Hz (0 for beat files: no ECG)
  std::uint64_t n_beats = 0, n_windows = 0, first_window = 0;
};

/// One reference seizure event of a recording, seconds from its start.
struct ReferenceSpan {
  double start_s = 0, stop_s = 0;
};

/// The reference seizures of a recording as extract read them from its annotation file.
struct RecordReference {
  bool annotated = false;              ///< an annotation file was read (no spans = seizure-free)
  std::vector<ReferenceSpan> seizures;  ///< seizure labels only, overlapping ones merged
};


/// The byte form of a /records row between ranks and in resume stage files: path, patient,
/// ecg_channel, status, message, annotation, kind, duration_s, fs, n_beats (not n_windows and
/// first_window, which the writer assigns).
void put_record_row(ByteWriter& w, const RecordRow& r);
RecordRow get_record_row(ByteReader& rd);

using FeatureRows = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// What one rank produced for one recording.
struct RecordResult {
  std::size_t index = 0;  ///< row in /records (input order)
  RecordRow row;
  FeatureRows features;       ///< [n_windows, F]
  std::vector<float> label;   ///< [n_windows]
  std::vector<double> time_s; ///< [n_windows]
  RecordReference reference;  ///< stays in memory when the window arrays are spilled
  /// > 0: the window arrays above were dropped from memory (they are on disk, e.g. staged) and
  /// hold this many windows; write_features_file asks its RowLoader for them when it writes them.
  std::uint64_t spilled_windows = 0;
};

/// Gives back the window arrays (features, label, time_s) of a spilled RecordResult; throws when
/// it cannot. Called on the rank that owns the record, one record at a time.
using RowLoader = std::function<RecordResult(const RecordResult&)>;

struct FeaturesMeta {
  std::vector<std::string> columns;
  std::string config_toml;
  StoredExtract extract;
};

struct WriteReport {
  std::uint64_t n_windows = 0;
  bool collective = false;       ///< every data transfer was really collective
  std::uint64_t rounds = 0;      ///< collective write rounds (bounded memory per round)
  std::string not_collective_reason;
};

/// COLLECTIVE over `comm`: every rank passes the results of the recordings it processed (each
/// index in [0, n_records) on exactly one rank; an index seen nowhere becomes a row with status
/// "lost"). Offsets come from an all-reduce of per-record window counts in input order.
/// Big arrays are written with collective MPI-IO; rank 0 then adds /records and the attributes
/// (variable-length data cannot be written collectively) and renames the file into place.
/// Throws (on every rank) when any rank fails.
/// Memory: the rows go out in collective rounds of at most ~`round_bytes` per rank (at least one
/// record), so apart from the caller's own results the writer holds one round; records with
/// spilled_windows > 0 are loaded through `load` only for their round. Every rank takes part in
/// every round (an empty selection when it has nothing left).
WriteReport write_features_file(MPI_Comm comm, const std::filesystem::path& file, std::size_t n_records,
                                const std::vector<RecordResult>& local, const FeaturesMeta& meta,
                                const RowLoader& load = nullptr, std::size_t round_bytes = std::size_t{16} << 20);

struct FeaturesData {
  std::vector<std::string> columns;
  /// Window rows [first_row, first_row + x.rows()) of the file's total_rows (all of them, from
  /// read_features_file; this rank's block, from read_features_block).
  FeatureRows x;                  ///< [rows, F]
  std::vector<float> label;       ///< [rows]
  std::vector<std::uint32_t> record;
  std::vector<double> time_s;
  std::uint64_t first_row = 0, total_rows = 0;
  std::vector<RecordRow> records;
  std::string config_toml, version, created;
  std::int64_t n_ranks = 0;
  std::optional<StoredExtract> extract;  ///< absent in files written before the typed settings
  /// Per /records row (read_features_summary only); empty in files written before /reference.
  std::vector<RecordReference> references;
};

/// COLLECTIVE over `comm`: every rank reads the whole file (windows with collective MPI-IO).
FeaturesData read_features_file(MPI_Comm comm, const std::filesystem::path& file);

/// COLLECTIVE over `comm`: like read_features_file, but rank r of p gets only the window rows
/// [N*r/p, N*(r+1)/p) (first_row tells where they start; /records and the attributes are read
/// whole). For work split by rows, e.g. predict; peak memory per rank is 1/p of the windows.
FeaturesData read_features_block(MPI_Comm comm, const std::filesystem::path& file);

/// Reads only /records, /reference and the attributes (serial; for inspect, train's CV scoring
/// and tests).
FeaturesData read_features_summary(const std::filesystem::path& file);

/// UTC time as ISO-8601 text ("2026-11-25T03:07:52Z").
std::string utc_now_iso();

/// The "format" attribute of an HDF5 file ("ecgforest-features/1", "ecgforest-model/1", ...):
/// nullopt when `file` is not HDF5, "" when it has no such attribute.
std::optional<std::string> hdf5_format(const std::filesystem::path& file);

}  // namespace ecgforest::io

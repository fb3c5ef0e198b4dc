#pragma once
// Heart-beat recordings without ECG, as wearables and Holters export them:
//   NAME_rr.csv     the old workflow's RR table: header with `timestamp` and `rr_interval` (ms),
//                   optionally `frame` (sample index of the beat); one row per RR interval, the
//                   interval from the row's beat to the next beat. Rows may be missing (holes).
//   NAME_beats.csv  a beat list: header with `time_s` (seconds from the recording start),
//                   optionally `sample` and `symbol` (MIT/WFDB beat and annotation codes).
// Either may be gzip-compressed (NAME_rr.csv.gz, NAME_beats.csv.gz; read with zlib). The
// pipeline turns a BeatSeries into HRV windows with hrv::compute_window_features_s.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ecgforest/io/annotations.hpp"

namespace ecgforest::io {

enum class RecordingKind { edf, rr_csv, beats_csv };

/// By file name, case-insensitive: *_rr.csv or *_rr.csv.gz → rr_csv; *_beats.csv or
/// *_beats.csv.gz → beats_csv; anything else → edf.
RecordingKind recording_kind(const std::filesystem::path& file);

/// The `kind` value of /records: "edf", "rr_csv" or "beats_csv".
std::string kind_name(RecordingKind kind);

/// The recording's NAME, by which patient and annotations pair: the stem of an EDF
/// ("x/NAME.edf"), or a beat file's name without its suffix ("x/NAME_rr.csv.gz" → "NAME").
std::string recording_name(const std::filesystem::path& file);

/// The whole text of `file`, decompressed with zlib when its name ends in ".gz". Throws
/// RecordError "unreadable" when the file cannot be opened, "bad_beats" for a .gz file that is
/// not gzip or is damaged/truncated.
std::string read_text_file(const std::filesystem::path& file);

/// The `rr_interval` column (ms) of an RR CSV (one column `rr_interval`, or the old
/// `timestamp,frame,rr_interval` table, any column order), in file order; empty cells and "nan"
/// become NaN. Used by the `hrv` command. Throws ecgforest::Error naming the file (and line)
/// for a missing column or a bad number.
std::vector<double> read_rr_intervals(const std::filesystem::path& file);

/// How a beat-file symbol (MIT/WFDB code) counts for NN intervals.
enum class BeatClass {
  normal,   ///< N, the bundle-branch-block beats L R B (WFDB's NORMAL class), unclassified ? Q, empty
  breaks,   ///< any other beat (V A S F J E a e j n / f ...) or artefact/noise mark (| ~ ! x [ ] ...):
            ///< no NN interval may span or touch it
  ignored,  ///< annotations that are neither beats nor artefacts: + " = @ p t u ( ) ` ' s T * D
};
BeatClass classify_beat_symbol(std::string_view symbol);

/// Beat times of one recording, ready for hrv::compute_window_features_s.
struct BeatSeries {
  /// Times of the beats that bound NN intervals, seconds from the recording start, strictly
  /// increasing. Beats file: the normal beats. RR table: both ends of every interval.
  std::vector<double> beat_s;
  /// [begin, end) spans, seconds, that no RR interval may cross: holes of an RR table, intervals
  /// of a beats file that span or touch a non-normal beat or mark, or are longer than
  /// kMaxBeatGapS. Sorted, non-overlapping.
  std::vector<std::pair<double, double>> bad_s;
  /// Wall-clock time of second 0 (RR table with date-time timestamps), for ISO annotations.
  std::optional<StartDateTime> start;
  std::size_t n_rows = 0;        ///< data rows read
  std::size_t n_non_normal = 0;  ///< beats file: rows classed `breaks`
};

/// Two consecutive normal beats of a beats file further apart than this are a hole (the beats
/// in between were not annotated), as in the NN rule of ../shared/data/rr_daily.
inline constexpr double kMaxBeatGapS = 3.0;
/// An RR-table row continues the previous one when it starts within this of the previous
/// row's beat + its RR; later is a hole, earlier is an error (the intervals overlap).
inline constexpr double kRrContinuityToleranceS = 0.02;

/// Reads a beat file of either kind (by name, see recording_kind; an EDF name is an error).
/// Throws RecordError "unreadable" (cannot open) or "bad_beats" with a sentence naming the file,
/// the line and what to fix: empty file, missing column, bad number or time, non-increasing
/// times, overlapping RR rows, damaged gzip.
BeatSeries read_beat_file(const std::filesystem::path& file);

/// The parsers behind read_beat_file, on the (decompressed) text; `file` names it in errors.
/// RR table: timestamps are date-times "YYYY-MM-DD HH:MM:SS.fffffffff" (or with 'T'), or plain
/// seconds. Second 0 is the timestamp of frame 0 when a `frame` column is present (the rate is
/// taken from the first and last rows), else the first row's timestamp. An empty/NaN
/// rr_interval is a hole up to the next row.
BeatSeries parse_rr_table(std::string_view text, const std::string& file);
/// Beats file: times must not decrease; two normal beats at one time are an error. `sample`
/// is accepted and not used (times come from time_s). Without `symbol` every row is normal.
BeatSeries parse_beats_table(std::string_view text, const std::string& file);

}  // namespace ecgforest::io

#pragma once
// Seizure annotation files: TUH .tse / .tse_bi, TUSZ v2 .csv / .csv_bi, La Teppe .tse_bi with
// ISO-8601 timestamps. All times are returned in seconds from the recording start.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ecgforest/core/events.hpp"

namespace ecgforest::io {

struct Annotations {
  /// "tse", "tse_bi", "csv", "csv_bi", or "tse_bi_iso" / "tse_iso" (La Teppe absolute timestamps)
  std::string format;
  std::vector<AnnotationEvent> events;  ///< sorted by start_s
  std::optional<double> duration_s;     ///< from a "# duration = N secs" header when present
};

/// Reads one annotation file; the format is recognised from the extension (.tse, .tse_bi, .csv,
/// .csv_bi, case-insensitive; .tsv = a BIDS / SzCORE events.tsv: tab-separated columns onset,
/// duration, eventType, ..., recordingDuration; event [onset, onset + duration], label "seiz" for
/// every HED-SCORE seizure type (eventType starting with "sz": sz, sz_foc_ia, ...) and every
/// eventType or trial_type starting with "seiz" ("seizure"), else the
/// lower-cased eventType; duration_s = recordingDuration of the first row; duration-0 rows skipped) and, for tse files, the content: a first data row whose start looks
/// like a date-time ("2017-01-10T14:30:00.441406") selects the La Teppe ISO flavour.
/// Tolerates a UTF-8 BOM, \r\n line endings, blank lines, tabs and trailing spaces. A file with
/// only its header gives zero events. Overlapping events are kept (per-channel .csv rows of
/// several channels all appear); events are sorted by start_s (stable).
/// `start` is needed only for files with absolute (ISO) timestamps; without it such a file is
/// rejected. Throws ecgforest::RecordError (kind "bad_annotation") with a sentence naming the
/// file, the 1-based line and the offending text for malformed content (bad numbers,
/// stop <= start, negative times, missing `start` for ISO timestamps), and for unreadable files
/// or unsupported extensions.
Annotations read_annotations(const std::filesystem::path& file,
                             const std::optional<StartDateTime>& start = std::nullopt);

/// The recording duration an annotation file states: its header's ("# duration") or an
/// events.tsv's recordingDuration, and for TUH .tse/.tse_bi files (which tile the recording with
/// background) the end of their last event; nullopt for files that list only events (an
/// events.tsv without recordingDuration). `score` and predict's SzCORE scores take this one.
std::optional<double> stated_duration(const Annotations& a);

/// The annotation file paired with a recording (EDF or beat file) by its NAME
/// (io::recording_name) in the same directory, trying in order .csv_bi, .tse_bi, .csv, .tse.
/// Empty when none exists.
std::optional<std::filesystem::path> find_annotation_for(const std::filesystem::path& edf);

}  // namespace ecgforest::io

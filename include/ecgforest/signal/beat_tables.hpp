#pragma once
// Text of the beat tables written by `ecgforest beats` and `extract --rr-csv`. Pure formatting:
// no I/O here (callers write the text to files).
#include <cstdint>
#include <string>
#include <vector>

#include "ecgforest/core/events.hpp"
#include "ecgforest/signal/rpeaks.hpp"

namespace ecgforest::signal {

/// "YYYY-MM-DD HH:MM:SS.nnnnnnnnn" (nanoseconds, no time zone) of sample `sample` (0-based, at
/// `fs_hz`) of a recording that starts at `start` (EDF start date/time, local clock).
/// Example: start 2013-07-09 20:05:00, sample 145 at 256 Hz -> "2013-07-09 20:05:00.566406250".
std::string beat_timestamp(const StartDateTime& start, std::int64_t sample, double fs_hz);

/// Beat list: header "sample,time_s", one row per R-peak, time in seconds from the first sample
/// with 6 decimals.
std::string beats_csv_text(const std::vector<std::int64_t>& peaks, double fs_hz);

/// The old workflow's RR table: header "timestamp,frame,rr_interval"; row i is beat i
/// (timestamp, sample index) with the RR interval to the NEXT beat in ms, so n beats give at
/// most n-1 rows. An interval that overlaps a bad segment is not a real RR: its row is left
/// out (the import tools then see a gap instead of a fake long RR).
std::string rr_csv_text(const std::vector<std::int64_t>& peaks, double fs_hz,
                        const StartDateTime& start, const std::vector<BadSegment>& bad);

}  // namespace ecgforest::signal

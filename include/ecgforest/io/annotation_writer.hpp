#pragma once
// Writers for binary (seizure / background) annotation files in the TUH formats that
// read_annotations() reads back:
//   .tse_bi  "version = tse_v1.0.0", a blank line, then rows "start stop seiz|bckg probability"
//   .csv_bi  TUSZ v2: "# version = csv_v1.0.0", "# bname = NAME", "# duration = D secs", "#",
//            the header "channel,start_time,stop_time,label,confidence", rows "TERM,start,stop,label,conf"
//   _events.tsv  BIDS / SzCORE (see events_tsv_text)
// Times are seconds from the recording start, written with 4 decimals. The rows tile
// [0, duration_s] without gaps: seizure events as given (merged where they overlap, clipped to
// the recording), background ("bckg", confidence 1) in between.
#include <filesystem>
#include <string>
#include <vector>

#include "ecgforest/io/text_file.hpp"

#include "ecgforest/io/annotations.hpp"

namespace ecgforest::io {

/// Seizure events (their label is ignored: every event is written as "seiz"; confidence is
/// written as its probability) tiled with background over [0, duration_s]. Throws Error when
/// duration_s is not a positive finite number of seconds.
std::vector<AnnotationEvent> tile_with_background(const std::vector<AnnotationEvent>& seizures, double duration_s);

std::string tse_bi_text(const std::vector<AnnotationEvent>& seizures, double duration_s);
std::string csv_bi_text(const std::vector<AnnotationEvent>& seizures, double duration_s, const std::string& bname);

/// BIDS / SzCORE events.tsv (HED-SCORE columns, tab-separated, as SzCORE's tools write and read
/// it): header "onset duration eventType confidence channels dateTime recordingDuration", one row
/// per seizure (merged and clipped as above) "onset duration sz probability n/a dateTime
/// duration_s" with 2 decimals; a seizure-free recording has the single row "0.00 duration_s
/// bckg n/a n/a dateTime duration_s". dateTime is the recording start ("%Y-%m-%d %H:%M:%S"; the
/// StartDateTime default, 1985-01-01 00:00:00, when unknown -- SzCORE scoring does not use it).
std::string events_tsv_text(const std::vector<AnnotationEvent>& seizures, double duration_s,
                            const StartDateTime& start = {});

/// File name of the events.tsv of the recording whose EDF stem is `edf_stem`: a BIDS name
/// ("sub-01_ses-01_task-x_run-00_eeg") has its last "_<suffix>" replaced by "_events", any other
/// name gets "_events" appended ("aaaaaaaa_s001_t000_events.tsv").
std::string events_tsv_name(const std::string& edf_stem);

}  // namespace ecgforest::io

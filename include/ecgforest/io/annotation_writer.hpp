#pragma once
// Writers for binary (seizure / background) annotation files in the TUH formats that
// read_annotations() reads back:
//   .tse_bi  "version = tse_v1.0.0", a blank line, then rows "start stop seiz|bckg probability"
//   .csv_bi  TUSZ v2: "# version = csv_v1.0.0", "# bname = NAME", "# duration = D secs", "#",
//            the header "channel,start_time,stop_time,label,confidence", rows "TERM,start,stop,label,conf"
// Times are seconds from the recording start, written with 4 decimals. The rows tile
// [0, duration_s] without gaps: seizure events as given (merged where they overlap, clipped to
// the recording), background ("bckg", confidence 1) in between.
#include <filesystem>
#include <string>
#include <vector>

#include "ecgforest/io/annotations.hpp"

namespace ecgforest::io {

/// Seizure events (their label is ignored: every event is written as "seiz"; confidence is
/// written as its probability) tiled with background over [0, duration_s]. Throws Error when
/// duration_s is not a positive finite number of seconds.
std::vector<AnnotationEvent> tile_with_background(const std::vector<AnnotationEvent>& seizures, double duration_s);

std::string tse_bi_text(const std::vector<AnnotationEvent>& seizures, double duration_s);
std::string csv_bi_text(const std::vector<AnnotationEvent>& seizures, double duration_s, const std::string& bname);

/// Writes `text` to `path` through `path.partial` and a rename. Throws Error naming the file.
void write_text_file_atomic(const std::filesystem::path& path, const std::string& text);

}  // namespace ecgforest::io

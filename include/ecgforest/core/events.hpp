#pragma once
// Shared value types for annotated time: a recording's wall-clock start and one annotated event,
// in seconds from the recording start. io reads and writes them; hrv (labels), signal (beat
// tables), eval (scoring) and pipeline use them without knowing any file format.
#include <string>

namespace ecgforest {

/// Wall-clock start of a recording (from the EDF header), used to convert absolute timestamps.
struct StartDateTime {
  int year = 1985, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  double subsecond = 0.0;  ///< fraction of a second, [0, 1)
};

struct AnnotationEvent {
  double start_s = 0.0;  ///< seconds from recording start
  double stop_s = 0.0;   ///< seconds from recording start, > start_s
  std::string label;     ///< lower-case label as in the file ("seiz", "bckg", "fnsz", ...)
  double confidence = 1.0;
  std::string channel;   ///< csv formats only ("TERM" for csv_bi); empty otherwise
};

/// True for labels that denote a seizure ("seiz" and the TUH seizure types such as fnsz, gnsz,
/// cpsz, absz, tnsz, tcsz, spsz, mysz, atsz, cnsz; case and surrounding blanks ignored); false for
/// "bckg" and anything else.
bool is_seizure_label(const std::string& label);

}  // namespace ecgforest

#pragma once
// Writing EDF/EDF+ files through EDFlib (used by the synthetic cohort generator and by tests
// that need EDF fixtures).
#include <filesystem>
#include <string>
#include <vector>

#include "ecgforest/io/annotations.hpp"

namespace ecgforest::io {

struct EdfSignalSpec {
  std::string label;        ///< e.g. "EEG EKG1-REF" (at most 16 characters)
  int samples_per_record;   ///< = sampling rate in Hz with the default 1 s data records
  std::string unit = "uV";  ///< physical dimension
  double phys_min = -5000, phys_max = 5000;
  int dig_min = -32768, dig_max = 32767;
};

struct EdfWriteSpec {
  std::vector<EdfSignalSpec> signals;
  StartDateTime start;
  bool edf_plus = false;   ///< EDF+C instead of plain EDF
  std::string patient = "X";
  double record_duration_s = 1.0;
};

/// Writes `data[i]` (physical units, one vector per signal; every signal must hold exactly
/// n_records * samples_per_record samples for a common n_records >= 1) to `file`.
/// Samples outside [phys_min, phys_max] saturate; non-finite samples are an error.
/// The file appears atomically: it is written as `file`.tmp and renamed at the end, so a failure
/// never leaves a partial file under the real name (an existing `file` is replaced).
/// EDFlib writes only EDF+; for plain EDF (edf_plus == false) its output (`file`.edfplus.tmp)
/// is converted by dropping the "EDF Annotations" signal and the "EDF+C" mark.
/// start.subsecond is stored only in EDF+ (100 us resolution); start.year must be 1985-2084.
/// EDFlib is not thread-safe: call from one thread at a time.
/// Throws ecgforest::Error naming the file on any EDFlib or I/O failure or inconsistent input.
void write_edf(const std::filesystem::path& file, const EdfWriteSpec& spec,
               const std::vector<std::vector<double>>& data);

}  // namespace ecgforest::io

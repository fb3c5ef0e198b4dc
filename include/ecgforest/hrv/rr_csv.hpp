#pragma once
// Round-trip number formatting of the `hrv` command's outputs. (The RR CSV itself is read by
// io::read_rr_intervals, include/ecgforest/io/beat_file.hpp.)
#include <string>

namespace ecgforest::hrv {

/// Shortest text that reads back to the same double (Python repr style: "800.0", "nan", "inf").
std::string format_double(double v);

}  // namespace ecgforest::hrv

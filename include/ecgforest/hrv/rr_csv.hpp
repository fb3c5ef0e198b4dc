#pragma once
// RR-interval CSV files: a single `rr_interval` column (ms), or the old workflow's
// `timestamp,frame,rr_interval` table (any column order; the header names the columns).
#include <string>
#include <vector>

namespace ecgforest::hrv {

/// Reads the `rr_interval` column (ms) of `path`, in file order. Empty cells and "nan" become
/// NaN. Throws ecgforest::Error naming the file and line for a missing column or a bad number.
std::vector<double> read_rr_csv(const std::string& path);

/// Shortest text that reads back to the same double (Python repr style: "800.0", "nan", "inf").
std::string format_double(double v);

}  // namespace ecgforest::hrv

#pragma once
// Checks of a parsed configuration that need the file system or another module (R-peak detector
// names, HRV feature names, the inputs, where outputs go). Run by rank 0 before any work starts,
// so that every bad command line is exit status 2 with one sentence and leaves no output behind.
#include <string>

#include "ecgforest/core/config.hpp"

namespace ecgforest::pipeline {

/// Throws ConfigError naming the setting (and file) when `config` cannot work for `cmd`:
/// an unknown detector or HRV feature, an input that does not exist or a list file naming a
/// missing path, an invalid patient_regex or annotation map, an --rr-csv that is not a
/// directory, an input file (--features, --model) that is not a regular file, or an output that
/// cannot be written (its place is taken by a file or directory of the wrong kind, or no
/// permission). Reads only small text inputs (list files, the annotation map); never an EDF.
void preflight(const Config& config, Command cmd);

/// Throws ConfigError naming `flag` unless the output `out` can be created: it is absent or of
/// the right kind (a directory when is_dir, else a file), and the nearest existing folder on its
/// way is a directory this process may write into.
void check_output_path(const std::string& out, bool is_dir, const char* flag);

}  // namespace ecgforest::pipeline

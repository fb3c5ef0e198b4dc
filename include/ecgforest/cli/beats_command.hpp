#pragma once
// `ecgforest beats` (src/cli/beats_command.cpp).
#include "ecgforest/cli/tool_command.hpp"

namespace ecgforest::cli {

/// The `beats` subcommand: --input FILE.edf [--channel LABEL] [--detector NAME] --output FILE.csv
/// [--rr-csv DIR]. Works on rank 0; exit 0 ok, 1 failed, 2 bad usage.
ToolCommand beats_command();

}  // namespace ecgforest::cli

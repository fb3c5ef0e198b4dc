#pragma once
// `ecgforest hrv` (src/cli/hrv_command.cpp).
#include "ecgforest/cli/tool_command.hpp"

namespace ecgforest::cli {

/// The `hrv` subcommand: --rr FILE.csv [--profile aura2021|head|default] [--windowed]
/// --output FILE.{csv,json}. Works on rank 0; exit 0 ok, 1 failed, 2 bad usage.
ToolCommand hrv_command();

}  // namespace ecgforest::cli

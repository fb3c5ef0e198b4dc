#pragma once
// `ecgforest score` (src/cli/score_command.cpp).
#include "ecgforest/cli/tool_command.hpp"

namespace ecgforest::cli {

/// The `score` subcommand: --ref DIR --hyp DIR [--json FILE] [--epoch-s S]. Pairs annotation
/// files of both directories (searched recursively) by basename and prints the NEDC-style
/// OVLP/TAES/EPOCH scores. Works on rank 0; exit 0 ok, 1 failed, 2 bad usage.
ToolCommand score_command();

}  // namespace ecgforest::cli

#pragma once
// `ecgforest inspect FILE`: a human summary of an EDF, a heart-beat file (NAME_rr.csv[.gz],
// NAME_beats.csv[.gz]), a features file or a model file.
#include <filesystem>
#include <ostream>

namespace ecgforest::pipeline {

/// Writes the summary to `out`. Throws ecgforest::Error naming the file when it is none of the
/// three kinds.
void inspect_file(const std::filesystem::path& file, std::ostream& out);

}  // namespace ecgforest::pipeline

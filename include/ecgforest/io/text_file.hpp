#pragma once
// Small text outputs (CSV, JSON, annotation files, RR tables) written so that a failed run never
// leaves a finished-looking file.
#include <filesystem>
#include <string>

namespace ecgforest::io {

/// Writes `text` to `path` through `path.partial` and a rename. Throws Error naming the file.
void write_text_file_atomic(const std::filesystem::path& path, const std::string& text);

}  // namespace ecgforest::io

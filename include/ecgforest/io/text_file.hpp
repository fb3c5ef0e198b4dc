#pragma once
// Small text outputs (CSV, JSON, annotation files, RR tables) written so that a failed run never
// leaves a finished-looking file.
#include <filesystem>
#include <string>
#include <vector>

namespace ecgforest::io {

/// Writes `text` to `path` through `path.partial` and a rename. Throws Error naming the file.
void write_text_file_atomic(const std::filesystem::path& path, const std::string& text);

/// Best-effort binary write for caches (resume stages, tree checkpoints): the concatenated `parts`
/// go to `path` through `path.partial.<pid>` (several processes may write one folder) and a rename;
/// creates the parent folder. Returns false, leaving nothing behind, when any step fails.
bool write_bytes_atomic(const std::filesystem::path& path, const std::vector<const std::vector<char>*>& parts);

}  // namespace ecgforest::io

#pragma once
// The check every reader of a small text input (configuration, list files, annotation maps,
// annotation files, RR tables) makes before opening it: a regular file of bounded size. A FIFO
// would block the open forever, /dev/zero would be read until memory runs out, and a directory
// would read as an empty file.
#include <cstdint>
#include <filesystem>
#include <string>

namespace ecgforest {

/// Empty when `file` is a regular file (after following symbolic links) of at most `max_bytes`
/// bytes; otherwise the reason as the end of a sentence that starts with the file's name, e.g.
/// "is a directory, not a file", "does not exist", "is 3.0 GiB; the limit for this kind of file is 64 MiB".
std::string regular_file_problem(const std::filesystem::path& file, std::uintmax_t max_bytes);

/// Limits for the kinds of text inputs (bytes).
inline constexpr std::uintmax_t kMaxConfigBytes = 1ull << 20;       ///< TOML configuration: 1 MiB
inline constexpr std::uintmax_t kMaxListBytes = 64ull << 20;        ///< input lists, annotation maps: 64 MiB
inline constexpr std::uintmax_t kMaxAnnotationBytes = 64ull << 20;  ///< one annotation file: 64 MiB
inline constexpr std::uintmax_t kMaxTableBytes = 1ull << 30;        ///< RR tables (CSV): 1 GiB

}  // namespace ecgforest

#pragma once
// Keeping patient identity out of outputs: SHA-256 and HMAC-SHA256 (FIPS 180-4, RFC 2104; no
// external library), keyed pseudonyms for recording names and patient ids, and paths written
// relative to a root directory.
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ecgforest {

using Digest256 = std::array<std::uint8_t, 32>;

Digest256 sha256(std::string_view data);
Digest256 hmac_sha256(std::string_view key, std::string_view message);
/// Lower-case hex of the digest's first `n_bytes` bytes.
std::string hex_text(const Digest256& d, std::size_t n_bytes = 32);

/// Shortest accepted secret key, in bytes (RFC 2104: at least the hash output length is advised).
constexpr std::size_t kMinPseudonymKeyBytes = 16;

/// The secret key of --pseudonymise: the whole content of `file` (one trailing newline removed).
/// Throws ConfigError naming the file when it is missing, unreadable or shorter than
/// kMinPseudonymKeyBytes.
std::string read_pseudonym_key(const std::filesystem::path& file);

/// `prefix` + 16 hex digits of HMAC-SHA256(key, kind + '\0' + value): the same key and value
/// always give the same pseudonym; without the key it cannot be inverted or recomputed.
std::string pseudonym(std::string_view key, std::string_view kind, std::string_view value, std::string_view prefix);

/// `path` relative to `root` ('/'-separated, lexical, both made absolute first); a path outside
/// root keeps "../" steps. An empty path gives ""; an empty root the absolute path.
std::string relative_path_text(const std::filesystem::path& path, const std::filesystem::path& root);

/// The deepest directory holding every file of `files` (absolute); empty for no files.
std::filesystem::path common_directory(const std::vector<std::filesystem::path>& files);

}  // namespace ecgforest

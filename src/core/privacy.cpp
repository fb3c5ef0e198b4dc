#include "ecgforest/core/privacy.hpp"

#include <fstream>
#include <sstream>

#include "ecgforest/core/error.hpp"

namespace ecgforest {
namespace {

constexpr std::array<std::uint32_t, 64> kRound = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
    0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
    0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
    0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

// One 64-byte block into the state h (FIPS 180-4, 6.2.2).
void compress(std::array<std::uint32_t, 8>& h, const std::uint8_t* block) {
  std::uint32_t w[64];
  for (int i = 0; i < 16; ++i) {
    w[i] = static_cast<std::uint32_t>(block[4 * i]) << 24 | static_cast<std::uint32_t>(block[4 * i + 1]) << 16 |
           static_cast<std::uint32_t>(block[4 * i + 2]) << 8 | static_cast<std::uint32_t>(block[4 * i + 3]);
  }
  for (int i = 16; i < 64; ++i) {
    const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  auto v = h;  // a b c d e f g h
  for (int i = 0; i < 64; ++i) {
    const std::uint32_t s1 = rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25);
    const std::uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
    const std::uint32_t t1 = v[7] + s1 + ch + kRound[static_cast<std::size_t>(i)] + w[i];
    const std::uint32_t s0 = rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22);
    const std::uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
    for (int k = 7; k > 0; --k) v[static_cast<std::size_t>(k)] = v[static_cast<std::size_t>(k - 1)];
    v[4] += t1;
    v[0] = t1 + s0 + maj;
  }
  for (std::size_t k = 0; k < 8; ++k) h[k] += v[k];
}

}  // namespace

Digest256 sha256(std::string_view data) {
  std::array<std::uint32_t, 8> h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::string padded(data);
  padded += static_cast<char>(0x80);
  while (padded.size() % 64 != 56) padded += '\0';
  const std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
  for (int i = 7; i >= 0; --i) padded += static_cast<char>((bits >> (8 * i)) & 0xff);
  for (std::size_t off = 0; off < padded.size(); off += 64) {
    compress(h, reinterpret_cast<const std::uint8_t*>(padded.data() + off));
  }
  Digest256 out{};
  for (std::size_t i = 0; i < 32; ++i) out[i] = static_cast<std::uint8_t>(h[i / 4] >> (24 - 8 * (i % 4)));
  return out;
}

Digest256 hmac_sha256(std::string_view key, std::string_view message) {
  std::string k(key);
  if (k.size() > 64) {
    const auto d = sha256(k);
    k.assign(d.begin(), d.end());
  }
  k.resize(64, '\0');
  std::string inner(64, '\0'), outer(64, '\0');
  for (std::size_t i = 0; i < 64; ++i) {
    inner[i] = static_cast<char>(k[i] ^ 0x36);
    outer[i] = static_cast<char>(k[i] ^ 0x5c);
  }
  const auto d = sha256(inner + std::string(message));
  return sha256(outer + std::string(d.begin(), d.end()));
}

std::string hex_text(const Digest256& d, std::size_t n_bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n_bytes && i < d.size(); ++i) {
    out += digits[d[i] >> 4];
    out += digits[d[i] & 15];
  }
  return out;
}

std::string read_pseudonym_key(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw ConfigError("Cannot read the pseudonym key file " + file.string() +
                      " (extract.pseudonymise / --pseudonymise); check the path, or create one with e.g. "
                      "'head -c 32 /dev/urandom | base64 > KEYFILE' and keep it secret.");
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string key = text.str();
  if (!key.empty() && key.back() == '\n') key.pop_back();
  if (key.size() < kMinPseudonymKeyBytes) {
    throw ConfigError("The pseudonym key file " + file.string() + " holds " + std::to_string(key.size()) +
                      " bytes; a key needs at least " + std::to_string(kMinPseudonymKeyBytes) +
                      " (e.g. 'head -c 32 /dev/urandom | base64 > KEYFILE').");
  }
  return key;
}

std::string pseudonym(std::string_view key, std::string_view kind, std::string_view value, std::string_view prefix) {
  std::string message(kind);
  message += '\0';
  message += value;
  return std::string(prefix) + hex_text(hmac_sha256(key, message), 8);
}

std::string relative_path_text(const std::filesystem::path& path, const std::filesystem::path& root) {
  if (path.empty()) return "";
  if (root.empty()) return std::filesystem::absolute(path).generic_string();
  const auto rel = std::filesystem::absolute(path).lexically_normal().lexically_relative(
      std::filesystem::absolute(root).lexically_normal());
  return rel.empty() ? std::filesystem::absolute(path).generic_string() : rel.generic_string();
}

std::filesystem::path common_directory(const std::vector<std::filesystem::path>& files) {
  std::filesystem::path common;
  bool first = true;
  for (const auto& f : files) {
    const auto dir = std::filesystem::absolute(f).lexically_normal().parent_path();
    if (first) {
      common = dir;
      first = false;
      continue;
    }
    std::filesystem::path shared;
    auto a = common.begin(), b = dir.begin();
    for (; a != common.end() && b != dir.end() && *a == *b; ++a, ++b) shared /= *a;
    common = shared;
  }
  return common;
}

}  // namespace ecgforest

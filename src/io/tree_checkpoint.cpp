#include "ecgforest/io/tree_checkpoint.hpp"
#include "ecgforest/io/text_file.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>
#include <system_error>

#include "ecgforest/core/hash.hpp"
#include "ecgforest/core/bytes.hpp"

namespace ecgforest::io {
namespace {

constexpr const char* kMagic = "ecgforest-trees/1";
constexpr const char* kEnd = "end-of-trees";
constexpr const char* kSuffix = ".trees";

bool has_suffix(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<char> read_bytes(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::vector<char>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// Complete files of the directory whose name starts with `prefix` (sorted, for a fixed order).
std::vector<std::filesystem::path> files_with_prefix(const std::filesystem::path& dir, const std::string& prefix) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) == 0 && has_suffix(name, kSuffix)) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::filesystem::path checkpoint_dir_for(const std::filesystem::path& model) { return model.string() + ".checkpoint"; }

void TreeBatch::add(std::uint64_t index, const std::vector<char>& tree) {
  ByteWriter w;
  w.u64(index);
  w.pod_vector(tree);
  indices_.push_back(index);
  bytes_.insert(bytes_.end(), w.bytes().begin(), w.bytes().end());
}

TreeCheckpoint::TreeCheckpoint(std::filesystem::path dir, std::string run_key)
    : dir_(std::move(dir)), run_key_(std::move(run_key)) {}

std::size_t TreeCheckpoint::count_stale() const {
  std::size_t n = 0;
  for (const auto& p : files_with_prefix(dir_, ""))
    if (p.filename().string().rfind(run_key_ + "-", 0) != 0) ++n;
  return n;
}

std::map<std::uint64_t, std::vector<char>> TreeCheckpoint::load(const std::string& phase_key, std::uint64_t first,
                                                           std::uint64_t last, std::size_t* n_stored) const {
  std::map<std::uint64_t, std::vector<char>> out;
  std::set<std::uint64_t> stored;
  const std::string key = run_key_ + "-" + phase_key;
  for (const auto& p : files_with_prefix(dir_, key + "-")) {
    try {
      const auto bytes = read_bytes(p);
      ByteReader rd(bytes.data(), bytes.size());
      if (rd.str() != kMagic || rd.str() != key) continue;
      const std::uint64_t n = rd.u64();
      std::map<std::uint64_t, std::vector<char>> mine;
      std::vector<std::uint64_t> all;
      for (std::uint64_t k = 0; k < n; ++k) {
        const std::uint64_t index = rd.u64();
        auto tree = rd.pod_vector<char>();
        all.push_back(index);
        if (index >= first && index < last) mine.emplace(index, std::move(tree));
      }
      if (rd.str() != kEnd || !rd.done()) continue;
      stored.insert(all.begin(), all.end());
      out.merge(mine);
    } catch (...) {
      continue;  // truncated or foreign: those trees are grown again
    }
  }
  if (n_stored) *n_stored = stored.size();
  return out;
}

bool TreeCheckpoint::store(const std::string& phase_key, TreeBatch& batch) const {
  if (batch.empty()) return true;
  try {
    Hasher set;
    set.pod_vector(batch.indices_);
    ByteWriter head;
    head.str(kMagic);
    head.str(run_key_ + "-" + phase_key);
    head.u64(batch.indices_.size());
    ByteWriter tail;
    tail.str(kEnd);
    const auto final_path = dir_ / (run_key_ + "-" + phase_key + "-" + set.hex() + kSuffix);
    if (!write_bytes_atomic(final_path, {&head.bytes(), &batch.bytes_, &tail.bytes()})) return false;
    batch = TreeBatch();
    return true;
  } catch (...) {
    return false;
  }
}

void TreeCheckpoint::remove() const {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace ecgforest::io

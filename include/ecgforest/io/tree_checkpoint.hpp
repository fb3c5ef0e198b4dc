#pragma once
// Checkpoints of `train`: the finished trees of each forest it grows (tuning candidates,
// cross-validation folds, the final forest), so that a job killed part-way (time limit, node
// failure) and resubmitted with the same model path grows only the trees still missing.
//
//   MODEL.checkpoint/<run>-<phase>-<set>.trees
//
// <run>   16 hex digits: the run key (training data, tree settings, program version and build)
// <phase> 16 hex digits: the forest key (run key, forest settings of the phase, its training rows)
// <set>   16 hex digits: hash of the tree indices the file holds (two files with one name hold the
//         same trees, which are a pure function of (data, settings, index))
//
// A file holds: "ecgforest-trees/1", "<run>-<phase>", the tree count n, n x (global tree index,
// the tree's bytes as a length-prefixed blob (forest/tree_bytes.hpp)), "end-of-trees". It is written to
// <name>.partial.<pid> and renamed, so a file with the final name is complete; unreadable files
// and files of another run key are ignored. Any rank can read any rank's files, so a resumed run
// may use another rank count. The directory is removed once the model file is in place.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>


namespace ecgforest::io {

/// "model.h5" → "model.h5.checkpoint" (same directory).
std::filesystem::path checkpoint_dir_for(const std::filesystem::path& model);

/// Trees waiting to be written (serialised as they are added).
class TreeBatch {
 public:
  /// `tree`: the tree's bytes (forest::tree_bytes); io does not look inside.
  void add(std::uint64_t index, const std::vector<char>& tree);
  bool empty() const { return indices_.empty(); }
  std::size_t size() const { return indices_.size(); }

 private:
  friend class TreeCheckpoint;
  std::vector<std::uint64_t> indices_;
  std::vector<char> bytes_;
};

class TreeCheckpoint {
 public:
  /// `run_key`: 16 hex digits (Hasher::hex) of everything the trees depend on besides the phase.
  TreeCheckpoint(std::filesystem::path dir, std::string run_key);

  const std::filesystem::path& dir() const { return dir_; }

  /// Checkpoint files in the directory that belong to another run key (stale: other data,
  /// settings or version); they are never read. Never throws.
  std::size_t count_stale() const;

  /// The trees of forest `phase_key` with global index in [first, last) found in any complete
  /// file of this run; `n_stored` (when given) receives the number of distinct indices of the
  /// phase in all files. Unreadable files are skipped. Never throws.
  std::map<std::uint64_t, std::vector<char>> load(const std::string& phase_key, std::uint64_t first, std::uint64_t last,
                                             std::size_t* n_stored = nullptr) const;

  /// Writes `batch` atomically as one file of forest `phase_key` and clears it. Returns false
  /// when the file could not be written (the run goes on; those trees are grown again after a
  /// restart). Never throws.
  bool store(const std::string& phase_key, TreeBatch& batch) const;

  /// Removes the directory. Never throws.
  void remove() const;

 private:
  std::filesystem::path dir_;
  std::string run_key_;
};

}  // namespace ecgforest::io

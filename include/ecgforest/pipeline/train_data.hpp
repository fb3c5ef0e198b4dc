#pragma once
// Training rows of a features file, read in chunks and binned on the fly: the float matrix is
// never held whole (memory per rank: the uint8 codes of the training rows + a few bytes per row).
#include <mpi.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ecgforest/core/config.hpp"
#include "ecgforest/forest/forest.hpp"
#include "ecgforest/io/model_file.hpp"
#include "ecgforest/io/stored_settings.hpp"

namespace ecgforest::pipeline {

struct TrainingSet {
  std::vector<std::string> columns;  ///< feature names (file order)
  forest::BinnedMatrix xb;           ///< training rows only, in file order
  std::vector<std::uint8_t> y;       ///< 0/1 per training row (label >= label_threshold)
  std::vector<std::uint32_t> patient;  ///< per training row: index into `patients`
  std::vector<std::string> patients;   ///< distinct patient ids of the training rows, sorted
  std::size_t n_windows = 0;           ///< rows of the features file
  std::size_t n_nan_label = 0;         ///< windows skipped: NaN label (no annotation)
  std::size_t n_low_sqi = 0;           ///< windows skipped: sqi below train.min_sqi or NaN
  bool sqi_filter = false;             ///< a column `sqi` exists and train.min_sqi > 0
  std::vector<std::string> all_nan_columns;  ///< NaN in every training row (never split on)
  /// The file's extraction settings (typed attributes); nullopt in files written before them.
  std::optional<io::StoredExtract> extract;
  /// Fingerprints of the recordings with at least one training row and of their patients
  /// (training_overlap.hpp): model.h5 lists them so that predict can say when it scores one.
  io::TrainingData trained_on;
  std::size_t n_positive() const;
};

/// COLLECTIVE over `comm`: the rows of /windows/features are read in chunks of ~8 MB (or
/// `chunk_rows` rows when > 0, for tests), the chunks split into contiguous blocks, one per rank,
/// with collective MPI-IO (two passes: a row sample for the quantile edges, all-gathered; then
/// each rank bins its block and the uint8 codes are all-gathered), keeping only the training
/// rows: finite label; and, when the file has a column named `sqi` and settings.min_sqi > 0,
/// sqi >= min_sqi. Every rank ends with the same TrainingSet, bitwise, for any rank count.
/// Throws Error (the same on every rank) naming the file when it is missing, lacks a /windows
/// dataset, has no feature columns or inconsistent lengths. Does not check class balance (the
/// caller does, with a message about the labels).
TrainingSet read_training_set(MPI_Comm comm, const std::filesystem::path& features, const TrainSettings& settings,
                              std::size_t chunk_rows = 0);

/// Whether a window is a training row: a finite label and, when the sqi filter is on (the file
/// has a column `sqi` and train.min_sqi > 0), sqi >= min_sqi (NaN sqi fails).
inline bool is_training_row(float label, bool sqi_filter, float sqi, double min_sqi) {
  return std::isfinite(label) && (!sqi_filter || static_cast<double>(sqi) >= min_sqi);
}

/// The names of a train.exclude_features value ("a, b,c" → {a, b, c}).
std::set<std::string> excluded_names(const std::string& names);

/// ConfigError naming the train.exclude_features names that are not columns of `features` (other
/// than the default `sqi`, which files without a quality column lack) and listing its columns.
void check_excluded_columns(const std::vector<std::string>& columns, const std::string& names,
                            const std::filesystem::path& features);

/// Row ids 0..n-1 (every training row).
std::vector<std::uint32_t> all_rows(std::size_t n);

/// Fold f of a patient-grouped split (`fold[i]` is the fold of rows[i]): the positions in `rows`
/// held out, their row ids, and the row ids to train on.
struct FoldSplit {
  std::vector<std::uint32_t> test_pos, test_rows, train_rows;
};
FoldSplit split_fold(const std::vector<std::uint32_t>& rows, const std::vector<int>& fold, int f);

/// The seed of fold f's forest: train's CV and --tune grow the same fold forests.
std::uint64_t fold_seed(std::uint64_t seed, int f);

/// Removes the columns named in the comma-separated `names` (train.exclude_features) from the
/// training set (codes, edges and names); names the set does not have are ignored. Returns the
/// names removed.
std::vector<std::string> drop_columns(TrainingSet& ts, const std::string& names);

}  // namespace ecgforest::pipeline

#pragma once
// Collective reads of a features file's window matrix (/windows/features) for training: MPI-IO
// with collective transfers, each rank reading its own blocks of rows.
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace ecgforest::io {

/// Throws Error naming `file` when it is not a regular file, not HDF5, or lacks /windows,
/// /windows/features, /windows/label, /windows/record or /records (not written by extract).
void check_features_layout(const std::filesystem::path& file);

/// What event scoring needs of every window of a features file (serial read): /windows/label,
/// /windows/record, /windows/time_s and the named columns of /windows/features (in the order
/// asked; all NaN and present = false when the file has no such column). Throws Error naming the
/// file when it cannot be read or the three datasets differ in length.
struct WindowIndex {
  std::vector<float> label;
  std::vector<std::uint32_t> record;
  std::vector<double> time_s;
  std::vector<std::vector<float>> columns;
  std::vector<bool> present;
};
WindowIndex read_window_index(const std::filesystem::path& file, const std::vector<std::string>& columns);

class FeatureMatrixReader {
 public:
  /// Collective over `comm`: opens `file` and checks that /windows/features is 2-D
  /// [n_windows, n_columns] with n_columns > 0 and that /windows/record has n_windows rows
  /// (n_windows labels and n_columns names come from read_features_summary). Throws Error
  /// naming the file, saying to re-run extract.
  FeatureMatrixReader(MPI_Comm comm, const std::filesystem::path& file, std::size_t n_windows, std::size_t n_columns);
  ~FeatureMatrixReader();
  FeatureMatrixReader(const FeatureMatrixReader&) = delete;
  FeatureMatrixReader& operator=(const FeatureMatrixReader&) = delete;

  /// Collective: rows [first, first + n) of columns [col, col + n_cols) into `out`, row-major
  /// [n, n_cols]; n may be 0 (a rank with nothing to read still takes part). `what` names the
  /// data in errors.
  void read(std::size_t first, std::size_t n, std::size_t col, std::size_t n_cols, std::vector<float>& out,
            const std::string& what);

  /// /windows/record: the record index of every window.
  const std::vector<std::uint32_t>& record() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ecgforest::io

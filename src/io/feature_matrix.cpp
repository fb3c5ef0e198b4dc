#include "ecgforest/io/feature_matrix.hpp"

#include <algorithm>
#include <limits>

#include "ecgforest/core/error.hpp"
#include "ecgforest/io/h5.hpp"

namespace ecgforest::io {

using h5::Handle;
using h5::check_status;

void check_features_layout(const std::filesystem::path& file) {
  h5::init_error_handling();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw Error("The features file " + file.string() + " does not exist; run 'ecgforest extract' first or check the path.");
  }
  Handle f = h5::file_handle(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT),
                             "Cannot open the features file " + file.string() + " (not HDF5, or unreadable).");
  for (const char* name : {"/windows", "/windows/features", "/windows/label", "/windows/record", "/records"}) {
    if (H5Lexists(f, name, H5P_DEFAULT) <= 0) {
      throw Error("The features file " + file.string() + " has no " + name +
                  "; it was not written by 'ecgforest extract' (or is damaged). Re-run extract.");
    }
  }
}

WindowIndex read_window_index(const std::filesystem::path& file, const std::vector<std::string>& columns) {
  h5::init_error_handling();
  Handle f = h5::file_handle(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT),
                             "Cannot open " + file.string() + " to score the cross-validation at event level.");
  WindowIndex w;
  w.label = h5::read_dataset<float>(f, "/windows/label");
  w.record = h5::read_dataset<std::uint32_t>(f, "/windows/record");
  w.time_s = h5::read_dataset<double>(f, "/windows/time_s");
  const std::size_t n = w.label.size();
  if (w.record.size() != n || w.time_s.size() != n) {
    throw Error("The features file " + file.string() + " is inconsistent: /windows/label, /windows/record and "
                "/windows/time_s differ in length. Re-run extract.");
  }
  Handle ds = h5::dataset_handle(H5Dopen2(f, "/windows/features", H5P_DEFAULT), "Cannot open /windows/features.");
  const auto cols = h5::read_string_list_attribute(ds, "columns");
  for (const auto& name : columns) {
    w.columns.emplace_back(n, std::numeric_limits<float>::quiet_NaN());
    const auto it = std::find(cols.begin(), cols.end(), name);
    w.present.push_back(it != cols.end());
    if (it != cols.end() && n > 0) {
      h5::read_rows<float>(ds, H5P_DEFAULT, 0, n, static_cast<hsize_t>(it - cols.begin()), 1, w.columns.back().data(),
                           "column " + name + " of /windows/features");
    }
  }
  return w;
}

struct FeatureMatrixReader::Impl {
  Handle fapl, f, dxpl, ds;
  std::vector<std::uint32_t> record;
};

FeatureMatrixReader::FeatureMatrixReader(MPI_Comm comm, const std::filesystem::path& file, std::size_t n_windows,
                                         std::size_t n_columns)
    : impl_(std::make_unique<Impl>()) {
  h5::init_error_handling();
  Impl& m = *impl_;
  m.fapl = h5::plist_handle(H5Pcreate(H5P_FILE_ACCESS), "Cannot create a file access property list.");
  check_status(H5Pset_fapl_mpio(m.fapl, comm, MPI_INFO_NULL), "Cannot set MPI-IO file access.");
  m.f = h5::file_handle(H5Fopen(file.c_str(), H5F_ACC_RDONLY, m.fapl),
                        "Cannot open the features file " + file.string() + " with MPI-IO.");
  m.dxpl = h5::plist_handle(H5Pcreate(H5P_DATASET_XFER), "Cannot create a transfer property list.");
  check_status(H5Pset_dxpl_mpio(m.dxpl, H5FD_MPIO_COLLECTIVE), "Cannot request collective transfers.");
  m.ds = h5::dataset_handle(H5Dopen2(m.f, "/windows/features", H5P_DEFAULT), "Cannot open /windows/features.");
  {
    Handle space = h5::dataspace_handle(H5Dget_space(m.ds), "Cannot get the dataspace of /windows/features.");
    hsize_t dims[2] = {0, 0};
    if (H5Sget_simple_extent_ndims(space) != 2) {
      throw Error("The features file " + file.string() + ": /windows/features must be 2-D [windows, features].");
    }
    check_status(H5Sget_simple_extent_dims(space, dims, nullptr), "Cannot get the dims of /windows/features.");
    if (dims[1] == 0 || n_columns == 0) {
      throw Error("The features file " + file.string() + " has no feature columns; re-run extract.");
    }
    if (dims[1] != n_columns || dims[0] != n_windows) {
      throw Error("The features file " + file.string() + " is inconsistent: /windows/features is [" +
                  std::to_string(dims[0]) + ", " + std::to_string(dims[1]) + "] but there are " +
                  std::to_string(n_windows) + " labels and " + std::to_string(n_columns) +
                  " column names. Re-run extract.");
    }
  }
  m.record = h5::read_dataset<std::uint32_t>(m.f, "/windows/record");
  if (m.record.size() != n_windows) {
    throw Error("The features file " + file.string() + " is inconsistent: /windows/record has " +
                std::to_string(m.record.size()) + " rows, /windows/label " + std::to_string(n_windows) +
                ". Re-run extract.");
  }
}

FeatureMatrixReader::~FeatureMatrixReader() = default;

void FeatureMatrixReader::read(std::size_t first, std::size_t n, std::size_t col, std::size_t n_cols,
                               std::vector<float>& out, const std::string& what) {
  out.resize(n * n_cols);
  h5::read_rows<float>(impl_->ds, impl_->dxpl, first, n, col, n_cols, out.data(), what);
}

const std::vector<std::uint32_t>& FeatureMatrixReader::record() const { return impl_->record; }

}  // namespace ecgforest::io

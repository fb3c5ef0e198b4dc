#include "ecgforest/pipeline/train_data.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "ecgforest/core/error.hpp"
#include "ecgforest/io/features_file.hpp"
#include "ecgforest/io/h5.hpp"

namespace ecgforest::pipeline {
namespace {

using io::h5::Handle;
using io::h5::check_status;

/// Rows per chunk read: about 8 MB of floats.
std::size_t chunk_rows(std::size_t n_features) {
  return std::max<std::size_t>(1024, (std::size_t{8} << 20) / (4 * std::max<std::size_t>(1, n_features)));
}

/// Reads rows [first, first + n) of columns [col, col + n_cols) of the 2-D float dataset `ds`
/// into `out` (row-major [n, n_cols]) with the transfer list `dxpl`.
void read_block(hid_t ds, hid_t dxpl, std::size_t first, std::size_t n, std::size_t col, std::size_t n_cols,
                std::vector<float>& out, const std::string& what) {
  out.resize(n * n_cols);
  Handle fspace = io::h5::dataspace_handle(H5Dget_space(ds), "Cannot get the dataspace of " + what + ".");
  const hsize_t start[2] = {first, col}, count[2] = {n, n_cols};
  check_status(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, nullptr, count, nullptr),
               "Cannot select rows of " + what + ".");
  Handle mspace = io::h5::dataspace_handle(H5Screate_simple(2, count, nullptr), "Cannot create a memory space.");
  check_status(H5Dread(ds, H5T_NATIVE_FLOAT, mspace, fspace, dxpl, out.data()), "Cannot read " + what + ".");
}

}  // namespace

std::size_t TrainingSet::n_positive() const {
  std::size_t n = 0;
  for (auto v : y) n += v;
  return n;
}

TrainingSet read_training_set(MPI_Comm comm, const std::filesystem::path& features, const TrainSettings& settings) {
  io::h5::init_error_handling();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(features, ec)) {
    throw Error("The features file " + features.string() + " does not exist; run 'ecgforest extract' first or check the path.");
  }
  TrainingSet out;
  // Serial metadata first: columns, records, labels (every rank reads them; they are small).
  io::FeaturesData meta;
  {
    Handle f = io::h5::file_handle(H5Fopen(features.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT),
                                   "Cannot open the features file " + features.string() + " (not HDF5, or unreadable).");
    for (const char* name : {"/windows", "/windows/features", "/windows/label", "/windows/record", "/records"}) {
      if (H5Lexists(f, name, H5P_DEFAULT) <= 0) {
        throw Error("The features file " + features.string() + " has no " + name +
                    "; it was not written by 'ecgforest extract' (or is damaged). Re-run extract.");
      }
    }
  }
  meta = io::read_features_summary(features);  // records, attributes, /windows/label
  out.columns = meta.columns;
  const std::size_t F = out.columns.size();
  const std::size_t N = meta.label.size();
  out.n_windows = N;

  Handle fapl = io::h5::plist_handle(H5Pcreate(H5P_FILE_ACCESS), "Cannot create a file access property list.");
  check_status(H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL), "Cannot set MPI-IO file access.");
  Handle f = io::h5::file_handle(H5Fopen(features.c_str(), H5F_ACC_RDONLY, fapl),
                                 "Cannot open the features file " + features.string() + " with MPI-IO.");
  Handle dxpl = io::h5::plist_handle(H5Pcreate(H5P_DATASET_XFER), "Cannot create a transfer property list.");
  check_status(H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE), "Cannot request collective transfers.");
  Handle ds = io::h5::dataset_handle(H5Dopen2(f, "/windows/features", H5P_DEFAULT), "Cannot open /windows/features.");
  {
    Handle space = io::h5::dataspace_handle(H5Dget_space(ds), "Cannot get the dataspace of /windows/features.");
    hsize_t dims[2] = {0, 0};
    if (H5Sget_simple_extent_ndims(space) != 2) {
      throw Error("The features file " + features.string() + ": /windows/features must be 2-D [windows, features].");
    }
    check_status(H5Sget_simple_extent_dims(space, dims, nullptr), "Cannot get the dims of /windows/features.");
    if (dims[1] == 0 || F == 0) {
      throw Error("The features file " + features.string() + " has no feature columns; re-run extract.");
    }
    if (dims[1] != F || dims[0] != N) {
      throw Error("The features file " + features.string() + " is inconsistent: /windows/features is [" +
                  std::to_string(dims[0]) + ", " + std::to_string(dims[1]) + "] but there are " + std::to_string(N) +
                  " labels and " + std::to_string(F) + " column names. Re-run extract.");
    }
  }
  const auto record = io::h5::read_dataset<std::uint32_t>(f, "/windows/record");
  if (record.size() != N) {
    throw Error("The features file " + features.string() + " is inconsistent: /windows/record has " +
                std::to_string(record.size()) + " rows, /windows/label " + std::to_string(N) + ". Re-run extract.");
  }

  // Row selection.
  std::vector<std::uint8_t> keep(N, 0);
  for (std::size_t i = 0; i < N; ++i) {
    if (std::isfinite(meta.label[i])) keep[i] = 1;
    else ++out.n_nan_label;
  }
  const auto sqi_it = std::find(out.columns.begin(), out.columns.end(), "sqi");
  out.sqi_filter = sqi_it != out.columns.end() && settings.min_sqi > 0;
  if (out.sqi_filter && N > 0) {
    std::vector<float> sqi;
    read_block(ds, dxpl, 0, N, static_cast<std::size_t>(sqi_it - out.columns.begin()), 1, sqi, "the sqi column");
    for (std::size_t i = 0; i < N; ++i) {
      if (keep[i] && !(static_cast<double>(sqi[i]) >= settings.min_sqi)) {
        keep[i] = 0;
        ++out.n_low_sqi;
      }
    }
  }
  std::size_t n_sel = 0;
  for (auto k : keep) n_sel += k;
  // Labels and patients of the training rows.
  std::map<std::string, std::uint32_t> patient_index;
  std::vector<std::string> patient_of_row;
  out.y.reserve(n_sel);
  std::vector<std::uint32_t> rec_of_sel;
  rec_of_sel.reserve(n_sel);
  for (std::size_t i = 0; i < N; ++i) {
    if (!keep[i]) continue;
    out.y.push_back(static_cast<double>(meta.label[i]) >= settings.label_threshold ? 1 : 0);
    rec_of_sel.push_back(record[i]);
  }
  for (const auto& r : meta.records) patient_index.emplace(r.patient, 0);
  patient_index.emplace("?", 0);
  {
    std::uint32_t k = 0;
    for (auto& [name, idx] : patient_index) idx = k++;
  }
  std::vector<std::uint8_t> used(patient_index.size(), 0);
  out.patient.resize(n_sel);
  for (std::size_t s = 0; s < n_sel; ++s) {
    const auto rec = rec_of_sel[s];
    const std::string& name = rec < meta.records.size() ? meta.records[rec].patient : std::string("?");
    out.patient[s] = patient_index[name];
    used[out.patient[s]] = 1;
  }
  // Keep only used patients, re-indexed in sorted order.
  std::vector<std::uint32_t> remap(patient_index.size(), 0);
  for (const auto& [name, idx] : patient_index) {
    if (!used[idx]) continue;
    remap[idx] = static_cast<std::uint32_t>(out.patients.size());
    out.patients.push_back(name);
  }
  for (auto& p : out.patient) p = remap[p];
  rec_of_sel = {};
  meta.label = {};
  if (n_sel == 0) return out;  // the caller reports "no training rows"

  // Pass 1: every stride-th training row for the edges. Pass 2: bin the training rows.
  const std::size_t stride = forest::BinnedMatrix::edge_sample_stride(n_sel);
  const std::size_t chunk = chunk_rows(F);
  std::vector<float> buf;
  std::vector<float> sample;
  sample.reserve((n_sel / stride + 1) * F);
  std::size_t sel = 0;
  for (std::size_t first = 0; first < N; first += chunk) {
    const std::size_t n = std::min(chunk, N - first);
    read_block(ds, dxpl, first, n, 0, F, buf, "/windows/features");
    for (std::size_t r = 0; r < n; ++r) {
      if (!keep[first + r]) continue;
      if (sel % stride == 0) sample.insert(sample.end(), buf.begin() + static_cast<std::ptrdiff_t>(r * F),
                                           buf.begin() + static_cast<std::ptrdiff_t>((r + 1) * F));
      ++sel;
    }
  }
  auto edges = forest::BinnedMatrix::compute_edges(sample.data(), sample.size() / F, F, settings.max_bins);
  sample = {};
  out.xb = forest::BinnedMatrix(std::move(edges), n_sel);
  sel = 0;
  for (std::size_t first = 0; first < N; first += chunk) {
    const std::size_t n = std::min(chunk, N - first);
    read_block(ds, dxpl, first, n, 0, F, buf, "/windows/features");
    std::size_t k = 0;  // compact the training rows of this chunk to the front of buf
    for (std::size_t r = 0; r < n; ++r) {
      if (!keep[first + r]) continue;
      if (k != r) std::copy_n(buf.begin() + static_cast<std::ptrdiff_t>(r * F), F, buf.begin() + static_cast<std::ptrdiff_t>(k * F));
      ++k;
    }
    out.xb.set_rows(sel, buf.data(), k);
    sel += k;
  }
  for (std::size_t j = 0; j < F; ++j)
    if (out.xb.all_nan(j)) out.all_nan_columns.push_back(out.columns[j]);
  return out;
}

}  // namespace ecgforest::pipeline

#include "ecgforest/pipeline/train_data.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "ecgforest/core/error.hpp"
#include "ecgforest/io/features_file.hpp"
#include "ecgforest/io/feature_matrix.hpp"
#include "ecgforest/comm/mpi.hpp"

namespace ecgforest::pipeline {
namespace {

/// Rows per chunk read: about 8 MB of floats.
std::size_t chunk_rows(std::size_t n_features) {
  return std::max<std::size_t>(1024, (std::size_t{8} << 20) / (4 * std::max<std::size_t>(1, n_features)));
}

}  // namespace

std::size_t TrainingSet::n_positive() const {
  std::size_t n = 0;
  for (auto v : y) n += v;
  return n;
}

TrainingSet read_training_set(MPI_Comm comm, const std::filesystem::path& features, const TrainSettings& settings,
                              std::size_t chunk_rows_wanted) {
  TrainingSet out;
  io::check_features_layout(features);
  // Serial metadata first: columns, records, labels (every rank reads them; they are small).
  io::FeaturesData meta;
  meta = io::read_features_summary(features);  // records, attributes, /windows/label
  out.columns = meta.columns;
  out.extract = meta.extract;
  const std::size_t F = out.columns.size();
  const std::size_t N = meta.label.size();
  out.n_windows = N;

  io::FeatureMatrixReader matrix(comm, features, N, F);
  const auto& record = matrix.record();

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
    matrix.read(0, N, static_cast<std::size_t>(sqi_it - out.columns.begin()), 1, sqi, "the sqi column");
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

  // Chunks of rows split into contiguous blocks, one per rank: [C r / p, C (r+1) / p). Each rank
  // reads and bins only its block; the edge sample and the codes are then all-gathered in rank
  // (= row) order, so every rank ends with the same matrix as if it had binned every row.
  const int me = comm::rank(comm), p = comm::size(comm);
  const std::size_t chunk = chunk_rows_wanted > 0 ? chunk_rows_wanted : chunk_rows(F);
  const std::size_t C = (N + chunk - 1) / chunk;
  const std::size_t c0 = C * static_cast<std::size_t>(me) / static_cast<std::size_t>(p);
  const std::size_t c1 = C * static_cast<std::size_t>(me + 1) / static_cast<std::size_t>(p);
  std::size_t max_chunks = c1 - c0;
  comm::check_mpi(MPI_Allreduce(MPI_IN_PLACE, &max_chunks, 1, MPI_UNSIGNED_LONG, MPI_MAX, comm),
                      "MPI_Allreduce (training chunks)");
  // sel_before[c]: selected (training) rows before chunk c.
  std::vector<std::size_t> sel_before(C + 1, 0);
  for (std::size_t c = 0; c < C; ++c) {
    std::size_t k = 0;
    for (std::size_t i = c * chunk; i < std::min(N, (c + 1) * chunk); ++i) k += keep[i];
    sel_before[c + 1] = sel_before[c] + k;
  }
  // Reads chunk c0 + k into buf (collective: ranks past their last chunk read nothing).
  std::vector<float> buf;
  auto read_my_chunk = [&](std::size_t k) -> std::size_t {
    const std::size_t c = c0 + k;
    if (c < c1) {
      const std::size_t first = c * chunk, n = std::min(chunk, N - first);
      matrix.read(first, n, 0, F, buf, "/windows/features");
      return n;
    }
    matrix.read(0, 0, 0, F, buf, "/windows/features");
    return 0;
  };
  // Row type for the gathers: F floats (sample) or F bytes (codes), so counts stay small ints.
  auto row_type = [&](MPI_Datatype base) {
    MPI_Datatype t = MPI_DATATYPE_NULL;
    comm::check_mpi(MPI_Type_contiguous(static_cast<int>(F), base, &t), "MPI_Type_contiguous");
    comm::check_mpi(MPI_Type_commit(&t), "MPI_Type_commit");
    return t;
  };
  auto allgather_rows = [&](const void* mine, std::size_t n_mine, void* all, MPI_Datatype base) {
    std::vector<int> counts(static_cast<std::size_t>(p)), displs(static_cast<std::size_t>(p));
    const int n = static_cast<int>(n_mine);
    comm::check_mpi(MPI_Allgather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, comm), "MPI_Allgather (row counts)");
    int off = 0;
    for (int r = 0; r < p; ++r) {
      displs[static_cast<std::size_t>(r)] = off;
      off += counts[static_cast<std::size_t>(r)];
    }
    MPI_Datatype t = row_type(base);
    // mine == nullptr: this rank's rows already sit at their place in `all` (MPI_IN_PLACE).
    comm::check_mpi(MPI_Allgatherv(mine ? mine : MPI_IN_PLACE, n, t, all, counts.data(), displs.data(), t, comm),
                        "MPI_Allgatherv (rows)");
    MPI_Type_free(&t);
    return static_cast<std::size_t>(off);
  };

  // Pass 1: every stride-th training row (global selection index) for the edges.
  const std::size_t stride = forest::BinnedMatrix::edge_sample_stride(n_sel);
  std::vector<float> sample;
  for (std::size_t k = 0; k < max_chunks; ++k) {
    const std::size_t n = read_my_chunk(k);
    std::size_t sel = n ? sel_before[c0 + k] : 0;
    for (std::size_t r = 0; r < n; ++r) {
      if (!keep[(c0 + k) * chunk + r]) continue;
      if (sel % stride == 0) sample.insert(sample.end(), buf.begin() + static_cast<std::ptrdiff_t>(r * F),
                                           buf.begin() + static_cast<std::ptrdiff_t>((r + 1) * F));
      ++sel;
    }
  }
  std::vector<float> all_sample((n_sel / stride + 1) * F);
  const std::size_t n_sample = allgather_rows(sample.data(), sample.size() / F, all_sample.data(), MPI_FLOAT);
  sample = {};
  auto edges = forest::BinnedMatrix::compute_edges(all_sample.data(), n_sample, F, settings.max_bins);
  all_sample = {};
  out.xb = forest::BinnedMatrix(std::move(edges), n_sel);
  // Pass 2: bin this rank's rows in place, then gather every rank's codes.
  for (std::size_t k = 0; k < max_chunks; ++k) {
    const std::size_t n = read_my_chunk(k);
    if (n == 0) continue;
    std::size_t kept = 0;  // compact the training rows of this chunk to the front of buf
    for (std::size_t r = 0; r < n; ++r) {
      if (!keep[(c0 + k) * chunk + r]) continue;
      if (kept != r) {
        std::copy_n(buf.begin() + static_cast<std::ptrdiff_t>(r * F), F, buf.begin() + static_cast<std::ptrdiff_t>(kept * F));
      }
      ++kept;
    }
    out.xb.set_rows(sel_before[c0 + k], buf.data(), kept);
  }
  {
    const std::size_t my_n = sel_before[c1] - sel_before[c0];  // binned in place at row sel_before[c0]
    const std::size_t got = allgather_rows(nullptr, my_n, out.xb.mutable_rows(0), MPI_UINT8_T);
    if (got != n_sel) throw Error("Internal error: gathered " + std::to_string(got) + " of " + std::to_string(n_sel) + " training rows.");
  }
  for (std::size_t j = 0; j < F; ++j)
    if (out.xb.all_nan(j)) out.all_nan_columns.push_back(out.columns[j]);
  return out;
}

std::vector<std::string> drop_columns(TrainingSet& ts, const std::string& names) {
  std::set<std::string> drop;
  std::string item;
  for (char ch : names + ",") {
    if (ch != ',') {
      if (ch != ' ') item += ch;
      continue;
    }
    if (!item.empty()) drop.insert(item);
    item.clear();
  }
  std::vector<std::size_t> keep;
  std::vector<std::string> removed;
  for (std::size_t f = 0; f < ts.columns.size(); ++f) {
    if (drop.count(ts.columns[f])) removed.push_back(ts.columns[f]);
    else keep.push_back(f);
  }
  if (removed.empty()) return removed;
  if (keep.empty()) {
    throw ConfigError("train.exclude_features (--exclude-features) '" + names +
                      "' removes every feature column; leave at least one.");
  }
  const auto edges = ts.xb.upper_edges();
  if (edges.size() != ts.columns.size()) {  // no rows were binned (no training rows): names only
    std::vector<std::string> kept_names;
    for (auto f : keep) kept_names.push_back(ts.columns[f]);
    ts.columns = std::move(kept_names);
    return removed;
  }
  std::vector<std::vector<float>> kept_edges;
  std::vector<std::string> kept_names;
  for (auto f : keep) {
    kept_edges.push_back(edges[f]);
    kept_names.push_back(ts.columns[f]);
  }
  const std::size_t n = ts.xb.n_rows();
  forest::BinnedMatrix xb(std::move(kept_edges), n);
  for (std::size_t r = 0; r < n; ++r) {
    const std::uint8_t* src = ts.xb.row(r);
    std::uint8_t* dst = xb.mutable_rows(r);
    for (std::size_t k = 0; k < keep.size(); ++k) dst[k] = src[keep[k]];
  }
  ts.xb = std::move(xb);
  ts.columns = std::move(kept_names);
  std::erase_if(ts.all_nan_columns, [&](const std::string& c) { return drop.count(c) > 0; });
  return removed;
}

}  // namespace ecgforest::pipeline

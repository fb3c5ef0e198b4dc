#include "ecgforest/pipeline/train_data.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/text.hpp"
#include "ecgforest/io/features_file.hpp"
#include "ecgforest/io/feature_matrix.hpp"
#include "ecgforest/comm/mpi.hpp"
#include "ecgforest/pipeline/training_overlap.hpp"

namespace ecgforest::pipeline {
namespace {

/// Rows per chunk read: about 8 MB of floats.
std::size_t chunk_rows(std::size_t n_features) {
  return std::max<std::size_t>(1024, (std::size_t{8} << 20) / (4 * std::max<std::size_t>(1, n_features)));
}

// Training rows: finite label; and, with a column `sqi` and settings.min_sqi > 0, sqi >= min_sqi.
std::vector<std::uint8_t> select_rows(const io::FeaturesData& meta, io::FeatureMatrixReader& matrix,
                                      const TrainSettings& settings, TrainingSet& out) {
  const std::size_t N = meta.label.size();
  std::vector<std::uint8_t> keep(N, 0);
  for (std::size_t i = 0; i < N; ++i) {
    if (std::isfinite(meta.label[i])) keep[i] = 1;
    else ++out.n_nan_label;
  }
  const auto sqi_it = std::find(out.columns.begin(), out.columns.end(), "sqi");
  out.sqi_filter = sqi_it != out.columns.end() && settings.min_sqi > 0;
  if (!out.sqi_filter || N == 0) return keep;
  std::vector<float> sqi;
  matrix.read(0, N, static_cast<std::size_t>(sqi_it - out.columns.begin()), 1, sqi, "the sqi column");
  for (std::size_t i = 0; i < N; ++i) {
    if (keep[i] && !is_training_row(meta.label[i], true, sqi[i], settings.min_sqi)) {
      keep[i] = 0;
      ++out.n_low_sqi;
    }
  }
  return keep;
}

// Labels (label >= label_threshold) and patients of the training rows; patients are the
// distinct ids of the training rows, sorted ("?" for a row whose record is missing).
void label_rows(const io::FeaturesData& meta, const std::vector<std::uint32_t>& record,
                const std::vector<std::uint8_t>& keep, const TrainSettings& settings, TrainingSet& out) {
  std::map<std::string, std::uint32_t> patient_index;
  for (const auto& r : meta.records) patient_index.emplace(r.patient, 0);
  patient_index.emplace("?", 0);
  std::uint32_t k = 0;
  for (auto& [name, idx] : patient_index) idx = k++;
  std::vector<std::uint8_t> used(patient_index.size(), 0);
  // Patient index of every record (one map look-up per record, not per row); "?" past the end.
  std::vector<std::uint32_t> record_patient(meta.records.size() + 1, patient_index["?"]);
  for (std::size_t r = 0; r < meta.records.size(); ++r) record_patient[r] = patient_index[meta.records[r].patient];
  for (std::size_t i = 0; i < keep.size(); ++i) {
    if (!keep[i]) continue;
    out.y.push_back(static_cast<double>(meta.label[i]) >= settings.label_threshold ? 1 : 0);
    const auto rec = record[i];
    out.patient.push_back(record_patient[std::min<std::size_t>(rec, meta.records.size())]);
    used[out.patient.back()] = 1;
  }
  // Keep only used patients, re-indexed in sorted order.
  std::vector<std::uint32_t> remap(patient_index.size(), 0);
  for (const auto& [name, idx] : patient_index) {
    if (!used[idx]) continue;
    remap[idx] = static_cast<std::uint32_t>(out.patients.size());
    out.patients.push_back(name);
  }
  for (auto& p : out.patient) p = remap[p];
}

// Chunks of rows split into contiguous blocks, one per rank: [C r / p, C (r+1) / p). Each rank
// reads and bins only its block; the edge sample and the codes are then all-gathered in rank
// (= row) order, so every rank ends with the same matrix as if it had binned every row.
class ChunkBlock {
 public:
  ChunkBlock(MPI_Comm comm, io::FeatureMatrixReader& matrix, const std::vector<std::uint8_t>& keep, std::size_t F,
             std::size_t chunk)
      : matrix_(matrix), keep_(keep), N_(keep.size()), F_(F), chunk_(chunk) {
    const int me = comm::rank(comm), p = comm::size(comm);
    const std::size_t C = (N_ + chunk - 1) / chunk;
    c0_ = C * static_cast<std::size_t>(me) / static_cast<std::size_t>(p);
    c1_ = C * static_cast<std::size_t>(me + 1) / static_cast<std::size_t>(p);
    max_chunks_ = c1_ - c0_;
    comm::check_mpi(MPI_Allreduce(MPI_IN_PLACE, &max_chunks_, 1, MPI_UNSIGNED_LONG, MPI_MAX, comm),
                    "MPI_Allreduce (training chunks)");
    sel_before_.assign(C + 1, 0);  // selected (training) rows before chunk c
    for (std::size_t c = 0; c < C; ++c) {
      std::size_t k = 0;
      for (std::size_t i = c * chunk; i < std::min(N_, (c + 1) * chunk); ++i) k += keep[i];
      sel_before_[c + 1] = sel_before_[c] + k;
    }
  }
  /// Collective rounds: every rank calls read(k) for k < rounds().
  std::size_t rounds() const { return max_chunks_; }
  /// Reads this rank's chunk k into buf() and returns its rows (0 past the rank's last chunk).
  std::size_t read(std::size_t k) {
    const std::size_t c = c0_ + k;
    if (c >= c1_) {
      matrix_.read(0, 0, 0, F_, buf_, "/windows/features");
      return 0;
    }
    const std::size_t first = c * chunk_, n = std::min(chunk_, N_ - first);
    matrix_.read(first, n, 0, F_, buf_, "/windows/features");
    return n;
  }
  bool kept(std::size_t k, std::size_t r) const { return keep_[(c0_ + k) * chunk_ + r] != 0; }
  /// Training rows before this rank's chunk k (a global selection index).
  std::size_t selected_before(std::size_t k) const { return sel_before_[std::min(c0_ + k, c1_)]; }
  std::size_t my_selected() const { return sel_before_[c1_] - sel_before_[c0_]; }
  std::vector<float>& buf() { return buf_; }

 private:
  io::FeatureMatrixReader& matrix_;
  const std::vector<std::uint8_t>& keep_;
  std::size_t N_, F_, chunk_, c0_ = 0, c1_ = 0;
  std::size_t max_chunks_ = 0;
  std::vector<std::size_t> sel_before_;
  std::vector<float> buf_;
};

// All-gathers rows of F elements of `base` in rank order; mine == nullptr: this rank's rows
// already sit at their place in `all` (MPI_IN_PLACE). Returns the rows gathered.
std::size_t allgather_rows(MPI_Comm comm, std::size_t F, const void* mine, std::size_t n_mine, void* all, MPI_Datatype base) {
  const int p = comm::size(comm);
  std::vector<int> counts(static_cast<std::size_t>(p)), displs(static_cast<std::size_t>(p));
  const int n = static_cast<int>(n_mine);
  comm::check_mpi(MPI_Allgather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, comm), "MPI_Allgather (row counts)");
  int off = 0;
  for (int r = 0; r < p; ++r) {
    displs[static_cast<std::size_t>(r)] = off;
    off += counts[static_cast<std::size_t>(r)];
  }
  // Row type: F floats (sample) or F bytes (codes), so counts stay small ints.
  MPI_Datatype t = MPI_DATATYPE_NULL;
  comm::check_mpi(MPI_Type_contiguous(static_cast<int>(F), base, &t), "MPI_Type_contiguous");
  comm::check_mpi(MPI_Type_commit(&t), "MPI_Type_commit");
  comm::check_mpi(MPI_Allgatherv(mine ? mine : MPI_IN_PLACE, n, t, all, counts.data(), displs.data(), t, comm),
                  "MPI_Allgatherv (rows)");
  MPI_Type_free(&t);
  return static_cast<std::size_t>(off);
}

// Pass 1: every stride-th training row (global selection index) of every rank, for the edges.
std::vector<std::vector<float>> bin_edges(MPI_Comm comm, ChunkBlock& block, std::size_t n_sel, std::size_t F,
                                          int max_bins) {
  const std::size_t stride = forest::BinnedMatrix::edge_sample_stride(n_sel);
  std::vector<float> sample;
  for (std::size_t k = 0; k < block.rounds(); ++k) {
    const std::size_t n = block.read(k);
    std::size_t sel = n ? block.selected_before(k) : 0;
    const auto& buf = block.buf();
    for (std::size_t r = 0; r < n; ++r) {
      if (!block.kept(k, r)) continue;
      if (sel % stride == 0) sample.insert(sample.end(), buf.begin() + static_cast<std::ptrdiff_t>(r * F),
                                           buf.begin() + static_cast<std::ptrdiff_t>((r + 1) * F));
      ++sel;
    }
  }
  std::vector<float> all_sample((n_sel / stride + 1) * F);
  const std::size_t n_sample = allgather_rows(comm, F, sample.data(), sample.size() / F, all_sample.data(), MPI_FLOAT);
  return forest::BinnedMatrix::compute_edges(all_sample.data(), n_sample, F, max_bins);
}

// Pass 2: bins this rank's rows in place, then gathers every rank's codes.
void bin_rows(MPI_Comm comm, ChunkBlock& block, std::size_t n_sel, std::size_t F, forest::BinnedMatrix& xb) {
  for (std::size_t k = 0; k < block.rounds(); ++k) {
    const std::size_t n = block.read(k);
    if (n == 0) continue;
    auto& buf = block.buf();
    std::size_t kept = 0;  // compact the training rows of this chunk to the front of buf
    for (std::size_t r = 0; r < n; ++r) {
      if (!block.kept(k, r)) continue;
      if (kept != r) {
        std::copy_n(buf.begin() + static_cast<std::ptrdiff_t>(r * F), F, buf.begin() + static_cast<std::ptrdiff_t>(kept * F));
      }
      ++kept;
    }
    xb.set_rows(block.selected_before(k), buf.data(), kept);
  }
  // Whole rows with their (zero) padding: row_stride() bytes each.
  const std::size_t got = allgather_rows(comm, xb.row_stride(), nullptr, block.my_selected(), xb.mutable_rows(0), MPI_UINT8_T);
  if (got != n_sel) throw Error("Internal error: gathered " + std::to_string(got) + " of " + std::to_string(n_sel) + " training rows.");
}

/// The fingerprints of the records that have a kept (training) row, and of their patients.
io::TrainingData trained_recordings(const io::FeaturesData& meta, const std::vector<std::uint32_t>& record,
                                    const std::vector<std::uint8_t>& keep) {
  std::vector<std::uint8_t> has_row(meta.records.size(), 0);
  for (std::size_t i = 0; i < keep.size(); ++i) {
    if (keep[i] && record[i] < meta.records.size()) has_row[record[i]] = 1;
  }
  std::vector<io::RecordRow> used;
  for (std::size_t r = 0; r < meta.records.size(); ++r) {
    if (has_row[r]) used.push_back(meta.records[r]);
  }
  return training_data(used);
}

}  // namespace

TrainingSet read_training_set(MPI_Comm comm, const std::filesystem::path& features, const TrainSettings& settings,
                              std::size_t chunk_rows_wanted) {
  TrainingSet out;
  io::check_features_layout(features);
  // Serial metadata first: columns, records, labels (every rank reads them; they are small).
  io::FeaturesData meta = io::read_features_summary(features);  // records, attributes, /windows/label
  out.columns = meta.columns;
  check_excluded_columns(out.columns, settings.exclude_features, features);
  out.extract = meta.extract;
  const std::size_t F = out.columns.size();
  const std::size_t N = meta.label.size();
  out.n_windows = N;
  io::FeatureMatrixReader matrix(comm, features, N, F);
  const auto keep = select_rows(meta, matrix, settings, out);
  label_rows(meta, matrix.record(), keep, settings, out);
  out.trained_on = trained_recordings(meta, matrix.record(), keep);
  std::vector<float>().swap(meta.label);  // memory: only the codes and a few bytes per row stay
  const std::size_t n_sel = out.y.size();
  if (n_sel == 0) return out;  // the caller reports "no training rows"
  ChunkBlock block(comm, matrix, keep, F, chunk_rows_wanted > 0 ? chunk_rows_wanted : chunk_rows(F));
  out.xb = forest::BinnedMatrix(bin_edges(comm, block, n_sel, F, settings.max_bins), n_sel);
  bin_rows(comm, block, n_sel, F, out.xb);
  for (std::size_t j = 0; j < F; ++j)
    if (out.xb.all_nan(j)) out.all_nan_columns.push_back(out.columns[j]);
  return out;
}

std::size_t TrainingSet::n_positive() const {
  std::size_t n = 0;
  for (auto v : y) n += v;
  return n;
}

std::vector<std::uint32_t> all_rows(std::size_t n) {
  std::vector<std::uint32_t> rows(n);
  for (std::size_t i = 0; i < n; ++i) rows[i] = static_cast<std::uint32_t>(i);
  return rows;
}

FoldSplit split_fold(const std::vector<std::uint32_t>& rows, const std::vector<int>& fold, int f) {
  FoldSplit out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (fold[i] == f) {
      out.test_pos.push_back(static_cast<std::uint32_t>(i));
      out.test_rows.push_back(rows[i]);
    } else {
      out.train_rows.push_back(rows[i]);
    }
  }
  return out;
}

std::set<std::string> excluded_names(const std::string& names) {
  std::set<std::string> out;
  std::string item;
  for (char ch : names + ",") {
    if (ch != ',') {
      if (ch != ' ') item += ch;
      continue;
    }
    if (!item.empty()) out.insert(item);
    item.clear();
  }
  return out;
}

void check_excluded_columns(const std::vector<std::string>& columns, const std::string& names,
                            const std::filesystem::path& features) {
  std::vector<std::string> unknown;
  for (const auto& n : excluded_names(names)) {
    // `sqi`, the default, is absent from files written without a quality column: nothing to drop.
    if (n != "sqi" && std::find(columns.begin(), columns.end(), n) == columns.end()) unknown.push_back(n);
  }
  if (unknown.empty()) return;
  throw ConfigError("train.exclude_features (--exclude-features) names " + joined(unknown) + ", not a column of " +
                    features.string() + "; its columns are: " + joined(columns) + ". (The setting replaces the default \"sqi\": name it too to keep "
                    "the quality column out of the model.)");
}

std::uint64_t fold_seed(std::uint64_t seed, int f) {
  return seed + 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(f + 1);
}

std::vector<std::string> drop_columns(TrainingSet& ts, const std::string& names) {
  const std::set<std::string> drop = excluded_names(names);
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

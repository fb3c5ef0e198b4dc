#include "ecgforest/io/features_file.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>
#include <numeric>

#include "ecgforest/core/error.hpp"
#include "ecgforest/io/h5.hpp"
#include "ecgforest/io/provenance.hpp"
#include "ecgforest/comm/mpi.hpp"
#include "ecgforest/version.hpp"
#include "ecgforest/core/bytes.hpp"

namespace ecgforest::io {
namespace {

using h5::check_status;
using h5::Handle;
using comm::check_mpi;

// Memory layout of one /records row; strings are variable-length (char*).
struct RecordMem {
  const char* path;
  const char* patient;
  const char* ecg_channel;
  const char* status;
  const char* message;
  const char* annotation;
  double duration_s;
  double fs;
  std::uint64_t n_beats;
  std::uint64_t n_windows;
  std::uint64_t first_window;
  const char* kind;
};

// The /records type; without `with_kind`, the layout of files written before the kind field.
// `cset`: the character set of the string fields (a file written by h5py may use ASCII; HDF5
// converts strings only between equal sets).
Handle record_type(bool with_kind = true, H5T_cset_t cset = H5T_CSET_UTF8) {
  Handle str = h5::vlen_string_type();
  check_status(H5Tset_cset(str, cset), "Cannot set the character set of the /records strings.");
  Handle t = h5::type_handle(H5Tcreate(H5T_COMPOUND, sizeof(RecordMem)), "Cannot create the /records type.");
  auto add = [&](const char* name, std::size_t off, hid_t type) {
    check_status(H5Tinsert(t, name, off, type), std::string("Cannot add field '") + name + "' to the /records type.");
  };
  add("path", offsetof(RecordMem, path), str);
  add("patient", offsetof(RecordMem, patient), str);
  add("ecg_channel", offsetof(RecordMem, ecg_channel), str);
  add("status", offsetof(RecordMem, status), str);
  add("message", offsetof(RecordMem, message), str);
  add("annotation", offsetof(RecordMem, annotation), str);
  add("duration_s", offsetof(RecordMem, duration_s), H5T_NATIVE_DOUBLE);
  add("fs", offsetof(RecordMem, fs), H5T_NATIVE_DOUBLE);
  add("n_beats", offsetof(RecordMem, n_beats), H5T_NATIVE_UINT64);
  add("n_windows", offsetof(RecordMem, n_windows), H5T_NATIVE_UINT64);
  add("first_window", offsetof(RecordMem, first_window), H5T_NATIVE_UINT64);
  if (with_kind) add("kind", offsetof(RecordMem, kind), str);
  return t;
}

// Collective write of `local_rows` rows of width `width` (elements) of `data` into `dataset` at
// the row ranges `ranges` (sorted, [first, first+count)). Returns the no-collective cause (0 =
// collective).
template <class T>
std::uint32_t collective_write_rows(hid_t dataset, hid_t dxpl, hsize_t n_rows, hsize_t width,
                                    const std::vector<std::pair<hsize_t, hsize_t>>& ranges, const std::vector<T>& data,
                                    const std::string& name) {
  const int rank = width == 1 ? 1 : 2;
  Handle fspace = h5::dataspace_handle(H5Dget_space(dataset), "Cannot get the dataspace of " + name + ".");
  check_status(H5Sselect_none(fspace), "Cannot clear the selection of " + name + ".");
  hsize_t local_rows = 0;
  for (const auto& [first, count] : ranges) {
    if (count == 0) continue;
    hsize_t start[2] = {first, 0};
    hsize_t cnt[2] = {count, width};
    check_status(H5Sselect_hyperslab(fspace, H5S_SELECT_OR, start, nullptr, cnt, nullptr),
                 "Cannot select rows of " + name + ".");
    local_rows += count;
  }
  (void)n_rows;
  hsize_t mdims[2] = {std::max<hsize_t>(local_rows, 1), width};
  Handle mspace = h5::dataspace_handle(H5Screate_simple(rank, mdims, nullptr), "Cannot create a memory dataspace.");
  if (local_rows == 0) check_status(H5Sselect_none(mspace), "Cannot clear the memory selection.");
  static const T dummy{};
  const void* buf = local_rows ? static_cast<const void*>(data.data()) : static_cast<const void*>(&dummy);
  check_status(H5Dwrite(dataset, h5::native_type<T>(), mspace, fspace, dxpl, buf),
               "Collective write of " + name + " failed.");
  std::uint32_t local_cause = 0, global_cause = 0;
  check_status(H5Pget_mpio_no_collective_cause(dxpl, &local_cause, &global_cause),
               "Cannot query whether the write of " + name + " was collective.");
  return global_cause | local_cause;
}

std::string cause_text(std::uint32_t cause) {
  if (cause == H5D_MPIO_COLLECTIVE) return "verified";
  std::string s = "not collective:";
  if (cause & H5D_MPIO_SET_INDEPENDENT) s += " independent I/O was requested;";
  if (cause & H5D_MPIO_DATATYPE_CONVERSION) s += " datatype conversion;";
  if (cause & H5D_MPIO_DATA_TRANSFORMS) s += " data transforms;";
  if (cause & H5D_MPIO_MPI_OPT_TYPES_ENV_VAR_DISABLED) s += " MPI derived types disabled;";
  if (cause & H5D_MPIO_NOT_SIMPLE_OR_SCALAR_DATASPACES) s += " non-simple dataspaces;";
  if (cause & H5D_MPIO_NOT_CONTIGUOUS_OR_CHUNKED_DATASET) s += " dataset layout;";
  return s;
}

Handle create_dataset(hid_t parent, const std::string& name, hid_t ftype, std::vector<hsize_t> dims) {
  Handle space = h5::dataspace_handle(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                                      "Cannot create the dataspace of " + name + ".");
  return h5::dataset_handle(H5Dcreate2(parent, name.c_str(), ftype, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                            "Cannot create the dataset " + name + ".");
}

std::vector<RecordRow> read_records(hid_t file) {
  Handle ds = h5::dataset_handle(H5Dopen2(file, "/records", H5P_DEFAULT),
                                 "The features file has no /records table; is it an ecgforest features file?");
  Handle space = h5::dataspace_handle(H5Dget_space(ds), "Cannot get the dataspace of /records.");
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  check_status(n < 0 ? -1 : 0, "Cannot size /records.");
  Handle ftype = h5::type_handle(H5Dget_type(ds), "Cannot get the type of /records.");
  const bool has_kind = H5Tget_member_index(ftype, "kind") >= 0;
  H5T_cset_t cset = H5T_CSET_UTF8;
  if (const int path_field = H5Tget_member_index(ftype, "path"); path_field >= 0) {
    Handle path_type = h5::type_handle(H5Tget_member_type(ftype, static_cast<unsigned>(path_field)),
                                       "Cannot get the type of /records path.");
    if (H5Tget_class(path_type) == H5T_STRING) cset = H5Tget_cset(path_type);
  }
  Handle type = record_type(has_kind, cset);
  std::vector<RecordMem> mem(static_cast<std::size_t>(n));
  std::vector<RecordRow> rows;
  if (n == 0) return rows;
  check_status(H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, mem.data()), "Cannot read /records.");
  for (const auto& m : mem) {
    RecordRow r;
    auto s = [](const char* p) { return p ? std::string(p) : std::string(); };
    r.path = s(m.path);
    r.patient = s(m.patient);
    r.ecg_channel = s(m.ecg_channel);
    r.status = s(m.status);
    r.message = s(m.message);
    r.annotation = s(m.annotation);
    r.kind = has_kind ? s(m.kind) : "edf";
    r.duration_s = m.duration_s;
    r.fs = m.fs;
    r.n_beats = m.n_beats;
    r.n_windows = m.n_windows;
    r.first_window = m.first_window;
    rows.push_back(std::move(r));
  }
  H5Dvlen_reclaim(type, space, H5P_DEFAULT, mem.data());
  return rows;
}

void read_attributes(hid_t file, FeaturesData& out) {
  out.config_toml = h5::read_string_attribute(file, "config");
  out.version = h5::read_string_attribute(file, "version");
  out.created = h5::read_string_attribute(file, "created");
  out.n_ranks = h5::read_int_attribute(file, "n_ranks");
  out.extract = read_stored_extract(file);
  Handle ds = h5::dataset_handle(H5Dopen2(file, "/windows/features", H5P_DEFAULT), "Cannot open /windows/features.");
  out.columns = h5::read_string_list_attribute(ds, "columns");
}

// /reference as one entry per record; empty when the file predates it. Throws naming the file
// when the table is inconsistent.
std::vector<RecordReference> read_references(hid_t f, const std::filesystem::path& file, std::size_t n_records) {
  const htri_t has = H5Lexists(f, "/reference", H5P_DEFAULT);
  check_status(has < 0 ? -1 : 0, "Cannot check for /reference in " + file.string() + ".");
  if (has == 0) return {};
  const auto annotated = h5::read_dataset<std::uint8_t>(f, "/reference/annotated");
  const auto record = h5::read_dataset<std::uint32_t>(f, "/reference/record");
  const auto start = h5::read_dataset<double>(f, "/reference/start_s");
  const auto stop = h5::read_dataset<double>(f, "/reference/stop_s");
  if (annotated.size() != n_records || start.size() != record.size() || stop.size() != record.size()) {
    throw Hdf5Error(file.string() + ": the /reference datasets do not match /records; the file is damaged. Run extract again.");
  }
  std::vector<RecordReference> out(n_records);
  for (std::size_t i = 0; i < n_records; ++i) out[i].annotated = annotated[i] != 0;
  for (std::size_t k = 0; k < record.size(); ++k) {
    if (record[k] >= n_records || !out[record[k]].annotated) {
      throw Hdf5Error(file.string() + ": /reference/record names a record without annotation; the file is damaged. Run extract again.");
    }
    out[record[k]].seizures.push_back({start[k], stop[k]});
  }
  return out;
}

}  // namespace

std::string utc_now_iso() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

// Where every record's windows go: counts and first rows in input order (the same on every
// rank), and this rank's write rounds.
struct WindowPlan {
  std::vector<std::uint64_t> counts, seen, first;
  std::uint64_t n_windows = 0;
  std::vector<std::pair<std::size_t, std::size_t>> rounds;  // [begin, end) into the sorted local results
  unsigned long long n_rounds = 0;                         // the most rounds of any rank
};

// This rank's results in input order (HDF5 maps memory to a union of hyperslabs in file order).
std::vector<const RecordResult*> in_input_order(const std::vector<RecordResult>& local_in) {
  std::vector<const RecordResult*> local;
  for (const auto& r : local_in) local.push_back(&r);
  std::sort(local.begin(), local.end(), [](auto* a, auto* b) { return a->index < b->index; });
  return local;
}

// Per-record window counts of this rank's results; the first inconsistency as an error sentence.
std::string count_local_windows(const std::vector<const RecordResult*>& local, std::size_t n_records, hsize_t F,
                                bool can_load, WindowPlan& plan) {
  plan.counts.assign(n_records, 0);
  plan.seen.assign(n_records, 0);
  for (const auto* r : local) {
    if (r->index >= n_records) return "Internal error: record index out of range in write_features_file.";
    if (r->spilled_windows > 0 && !can_load) {
      return "Internal error: " + r->row.path + " has spilled windows but no loader was given.";
    }
    const auto n = r->spilled_windows > 0 ? r->spilled_windows : static_cast<std::uint64_t>(r->features.rows());
    plan.counts[r->index] = n;
    plan.seen[r->index] = 1;
    if (r->spilled_windows > 0) continue;
    if (n > 0 && static_cast<hsize_t>(r->features.cols()) != F) {
      return "Internal error: " + r->row.path + " produced " + std::to_string(r->features.cols()) +
             " feature columns, expected " + std::to_string(F) + ".";
    }
    if (r->label.size() != n || r->time_s.size() != n) return "Internal error: " + r->row.path + " has mismatched window arrays.";
  }
  return "";
}

// Rounds: consecutive local records (input order) of at most ~round_bytes of rows each (at least
// one record per round). Every rank runs the same number of collective rounds.
void plan_rounds(MPI_Comm comm, const std::vector<const RecordResult*>& local, hsize_t F, std::size_t round_bytes,
                 WindowPlan& plan) {
  const std::uint64_t row_bytes = F * sizeof(float) + sizeof(float) + sizeof(std::uint32_t) + sizeof(double);
  std::size_t begin = 0;
  std::uint64_t bytes = 0;
  for (std::size_t k = 0; k < local.size(); ++k) {
    const std::uint64_t b = plan.counts[local[k]->index] * row_bytes;
    if (k > begin && bytes + b > round_bytes) {
      plan.rounds.emplace_back(begin, k);
      begin = k;
      bytes = 0;
    }
    bytes += b;
  }
  if (begin < local.size()) plan.rounds.emplace_back(begin, local.size());
  plan.n_rounds = plan.rounds.size();
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, &plan.n_rounds, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX, comm),
            "MPI_Allreduce (write rounds)");
}

// COLLECTIVE: the plan of every rank's results (throws on every rank when one rank's are wrong).
WindowPlan plan_windows(MPI_Comm comm, const std::vector<const RecordResult*>& local, std::size_t n_records, hsize_t F,
                        bool can_load, std::size_t round_bytes) {
  WindowPlan plan;
  if (auto err = comm::agree_on_error(comm, count_local_windows(local, n_records, F, can_load, plan)); !err.empty()) {
    throw Error(err);
  }
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, plan.counts.data(), static_cast<int>(n_records), MPI_UINT64_T, MPI_SUM, comm),
            "MPI_Allreduce (window counts)");
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, plan.seen.data(), static_cast<int>(n_records), MPI_UINT64_T, MPI_SUM, comm),
            "MPI_Allreduce (records seen)");
  plan.first.assign(n_records, 0);
  for (std::size_t i = 0; i < n_records; ++i) {
    plan.first[i] = plan.n_windows;
    plan.n_windows += plan.counts[i];
  }
  plan_rounds(comm, local, F, round_bytes, plan);
  return plan;
}

// The rows of one write round, gathered from this rank's results (spilled ones loaded back).
struct RoundRows {
  std::vector<std::pair<hsize_t, hsize_t>> ranges;
  std::vector<float> feat, label;
  std::vector<std::uint32_t> rec;
  std::vector<double> time;
};

RoundRows round_rows(const std::vector<const RecordResult*>& local, std::pair<std::size_t, std::size_t> round,
                     const WindowPlan& plan, hsize_t F, const RowLoader& load) {
  RoundRows out;
  for (std::size_t k = round.first; k < round.second; ++k) {
    const RecordResult* r = local[k];
    const auto n = static_cast<std::size_t>(plan.counts[r->index]);
    if (n == 0) continue;
    RecordResult loaded;
    if (r->spilled_windows > 0) {
      loaded = load(*r);
      if (static_cast<std::size_t>(loaded.features.rows()) != n || static_cast<hsize_t>(loaded.features.cols()) != F ||
          loaded.label.size() != n || loaded.time_s.size() != n) {
        throw Error("The reloaded windows of " + r->row.path + " do not match the " + std::to_string(n) +
                    " windows computed before; its staged results changed during the run.");
      }
      r = &loaded;
    }
    out.ranges.emplace_back(plan.first[r->index], n);
    out.feat.insert(out.feat.end(), r->features.data(), r->features.data() + n * F);
    out.label.insert(out.label.end(), r->label.begin(), r->label.end());
    out.rec.insert(out.rec.end(), n, static_cast<std::uint32_t>(r->index));
    out.time.insert(out.time.end(), r->time_s.begin(), r->time_s.end());
  }
  return out;
}

// COLLECTIVE: creates `tmp` and writes /windows round by round; returns the no-collective cause
// (0 = every transfer was collective).
std::uint32_t write_windows(MPI_Comm comm, const std::filesystem::path& tmp, const std::vector<const RecordResult*>& local,
                            const WindowPlan& plan, hsize_t F, const RowLoader& load) {
  const hsize_t N = plan.n_windows;
  Handle fapl = h5::plist_handle(H5Pcreate(H5P_FILE_ACCESS), "Cannot create a file access property list.");
  check_status(H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL), "Cannot set MPI-IO file access.");
  check_status(H5Pset_all_coll_metadata_ops(fapl, true), "Cannot enable collective metadata reads.");
  check_status(H5Pset_coll_metadata_write(fapl, true), "Cannot enable collective metadata writes.");
  Handle f = h5::file_handle(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl),
                             "Cannot create the features file " + tmp.string() +
                                 "; check that the directory exists and is writable on every node.");
  Handle g = h5::group_handle(H5Gcreate2(f, "/windows", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                              "Cannot create the group /windows.");
  Handle dfeat = create_dataset(f, "/windows/features", H5T_IEEE_F32LE, {N, F});
  Handle dlabel = create_dataset(f, "/windows/label", H5T_IEEE_F32LE, {N});
  Handle drec = create_dataset(f, "/windows/record", H5T_STD_U32LE, {N});
  Handle dtime = create_dataset(f, "/windows/time_s", H5T_IEEE_F64LE, {N});
  Handle dxpl = h5::plist_handle(H5Pcreate(H5P_DATASET_XFER), "Cannot create a transfer property list.");
  check_status(H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE), "Cannot request collective transfers.");
  std::uint32_t cause = 0;
  for (unsigned long long round = 0; N > 0 && round < plan.n_rounds; ++round) {
    RoundRows rows;
    std::string round_error;
    try {
      if (round < plan.rounds.size()) rows = round_rows(local, plan.rounds[round], plan, F, load);
    } catch (const std::exception& e) {
      round_error = e.what();
    }
    // Every rank must agree before the collective writes (a rank that failed to load its rows
    // would otherwise leave the others waiting inside H5Dwrite).
    if (auto err = comm::agree_on_error(comm, round_error); !err.empty()) throw Error(err);
    if (F > 0) cause |= collective_write_rows(dfeat, dxpl, N, F, rows.ranges, rows.feat, "/windows/features");
    cause |= collective_write_rows(dlabel, dxpl, N, 1, rows.ranges, rows.label, "/windows/label");
    cause |= collective_write_rows(drec, dxpl, N, 1, rows.ranges, rows.rec, "/windows/record");
    cause |= collective_write_rows(dtime, dxpl, N, 1, rows.ranges, rows.time, "/windows/time_s");
  }
  dfeat.reset();
  dlabel.reset();
  drec.reset();
  dtime.reset();
  g.reset();
  f.close("Closing the features file " + tmp.string() + " failed; the disk may be full.");
  return cause;
}

// A record's row and reference seizures as they travel to rank 0.
void put_record(ByteWriter& w, const RecordResult& r) {
  w.u64(r.index);
  put_record_row(w, r.row);
  w.u64(r.reference.annotated ? 1 : 0);
  w.u64(r.reference.seizures.size());
  for (const auto& e : r.reference.seizures) {
    w.f64(e.start_s);
    w.f64(e.stop_s);
  }
}

// Rank 0: every /records row (input order; a record no rank or several ranks reported is "lost")
// and its reference seizures, from the gathered bytes.
std::vector<RecordRow> rows_from_bytes(const std::vector<char>& all, const WindowPlan& plan,
                                       std::vector<RecordReference>& refs) {
  const std::size_t n_records = plan.counts.size();
  std::vector<RecordRow> rows(n_records);
  refs.assign(n_records, {});
  for (std::size_t i = 0; i < n_records; ++i) {
    if (plan.seen[i] != 1) {
      rows[i].status = "lost";
      rows[i].message = plan.seen[i] == 0 ? "No rank reported a result for this recording (internal error)."
                                          : "Several ranks reported this recording (internal error).";
    }
  }
  ByteReader rd(all.data(), all.size());
  while (!rd.done()) {
    const auto idx = rd.u64();
    RecordRow r = get_record_row(rd);
    r.n_windows = plan.counts[idx];
    r.first_window = plan.first[idx];
    rows[idx] = std::move(r);
    refs[idx].annotated = rd.u64() != 0;
    refs[idx].seizures.resize(rd.u64());
    for (auto& e : refs[idx].seizures) {
      e.start_s = rd.f64();
      e.stop_s = rd.f64();
    }
  }
  return rows;
}

void write_records_table(hid_t f, const std::vector<RecordRow>& rows) {
  std::vector<RecordMem> mem;
  mem.reserve(rows.size());
  for (const auto& r : rows) {
    mem.push_back({r.path.c_str(), r.patient.c_str(), r.ecg_channel.c_str(), r.status.c_str(), r.message.c_str(),
                   r.annotation.c_str(), r.duration_s, r.fs, r.n_beats, r.n_windows, r.first_window, r.kind.c_str()});
  }
  Handle type = record_type();
  const hsize_t nr = rows.size();
  Handle space = h5::dataspace_handle(H5Screate_simple(1, &nr, nullptr), "Cannot create the /records dataspace.");
  Handle ds = h5::dataset_handle(H5Dcreate2(f, "/records", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                 "Cannot create /records.");
  if (nr > 0) check_status(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, mem.data()), "Cannot write /records.");
  h5::write_string_attribute(ds, "units", "duration_s: seconds; fs: Hz (0 for beat files); n_beats: detected "
                                          "R-peaks (beat files: beats used); n_windows/first_window: rows of "
                                          "/windows; kind: edf, rr_csv or beats_csv");
}

void write_reference_table(hid_t f, const std::vector<RecordReference>& refs) {
  std::vector<std::uint8_t> annotated;
  std::vector<std::uint32_t> record;
  std::vector<double> start, stop;
  for (std::size_t i = 0; i < refs.size(); ++i) {
    annotated.push_back(refs[i].annotated ? 1 : 0);
    for (const auto& e : refs[i].seizures) {
      record.push_back(static_cast<std::uint32_t>(i));
      start.push_back(e.start_s);
      stop.push_back(e.stop_s);
    }
  }
  Handle g = h5::group_handle(H5Gcreate2(f, "/reference", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                              "Cannot create the group /reference.");
  h5::write_string_attribute(g, "description", "reference seizure events read by extract (seizure labels, overlaps merged); "
                                               "annotated[r] = 0: recording r had no annotation file");
  h5::write_dataset(g, "annotated", {annotated.size()}, annotated.data());
  h5::write_dataset(g, "record", {record.size()}, record.data());
  h5::write_dataset(g, "start_s", {start.size()}, start.data());
  h5::write_dataset(g, "stop_s", {stop.size()}, stop.data());
}

void write_window_attributes(hid_t f, const std::vector<std::string>& columns) {
  Handle feats = h5::dataset_handle(H5Dopen2(f, "/windows/features", H5P_DEFAULT), "Cannot open /windows/features.");
  h5::write_string_list_attribute(feats, "columns", columns);
  Handle lab = h5::dataset_handle(H5Dopen2(f, "/windows/label", H5P_DEFAULT), "Cannot open /windows/label.");
  h5::write_string_attribute(lab, "description", "fraction of the window covered by annotated seizure, 0..1; NaN = no annotation");
  Handle tim = h5::dataset_handle(H5Dopen2(f, "/windows/time_s", H5P_DEFAULT), "Cannot open /windows/time_s.");
  h5::write_string_attribute(tim, "units", "seconds from recording start (window end)");
}

void write_root_attributes(hid_t f, const FeaturesMeta& meta, int n_ranks, const std::string& collective) {
  write_provenance(f, "ecgforest-features/1", meta.config_toml);
  h5::write_int_attribute(f, "n_ranks", n_ranks);
  h5::write_string_attribute(f, "collective_writes", collective);
  write_stored_extract(f, meta.extract);
}

// Rank 0: adds /records, /reference and the attributes to `tmp` and renames it to `file`.
void finish_file(const std::filesystem::path& tmp, const std::filesystem::path& file, const std::vector<char>& all,
                 const WindowPlan& plan, const FeaturesMeta& meta, int n_ranks, const std::string& collective) {
  std::vector<RecordReference> refs;
  const auto rows = rows_from_bytes(all, plan, refs);
  Handle f = h5::file_handle(H5Fopen(tmp.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "Cannot reopen " + tmp.string() + " to add /records.");
  write_records_table(f, rows);
  write_reference_table(f, refs);
  write_window_attributes(f, meta.columns);
  write_root_attributes(f, meta, n_ranks, collective);
  f.close("Closing the features file " + tmp.string() + " failed; the disk may be full.");
  std::filesystem::rename(tmp, file);
}

}  // namespace

WriteReport write_features_file(MPI_Comm comm, const std::filesystem::path& file, std::size_t n_records,
                                const std::vector<RecordResult>& local_in, const FeaturesMeta& meta,
                                const RowLoader& load, std::size_t round_bytes) {
  h5::init_error_handling();
  const int me = comm::rank(comm);
  const hsize_t F = meta.columns.size();
  const auto local = in_input_order(local_in);
  const WindowPlan plan = plan_windows(comm, local, n_records, F, static_cast<bool>(load), round_bytes);

  const std::filesystem::path tmp = file.string() + ".partial";
  if (me == 0) {
    std::error_code ec;
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
    std::filesystem::remove(tmp, ec);
  }
  check_mpi(MPI_Barrier(comm), "MPI_Barrier (before creating the features file)");
  const std::uint32_t cause = write_windows(comm, tmp, local, plan, F, load);
  WriteReport report;
  report.n_windows = plan.n_windows;
  report.rounds = plan.n_windows > 0 ? plan.n_rounds : 0;
  report.collective = cause == H5D_MPIO_COLLECTIVE;
  report.not_collective_reason = report.collective ? "" : cause_text(cause);

  // /records rows travel to rank 0, which finishes the file serially.
  ByteWriter w;
  for (const auto* r : local) put_record(w, *r);
  const auto all = comm::gather_bytes(comm, w.bytes(), 0);
  std::string rank0_error;
  if (me == 0) {
    try {
      finish_file(tmp, file, all, plan, meta, comm::size(comm), plan.n_windows == 0 ? "verified" : cause_text(cause));
    } catch (const std::exception& e) {
      rank0_error = e.what();
    }
  }
  if (auto err = comm::agree_on_error(comm, rank0_error); !err.empty()) throw Hdf5Error(err);
  return report;
}

namespace {

hsize_t dataset_rows(hid_t file, const std::string& name, hsize_t* width) {
  Handle ds = h5::dataset_handle(H5Dopen2(file, name.c_str(), H5P_DEFAULT),
                                 "The features file has no dataset " + name + "; is it an ecgforest features file?");
  Handle space = h5::dataspace_handle(H5Dget_space(ds), "Cannot get the dataspace of " + name + ".");
  const int rank = H5Sget_simple_extent_ndims(space);
  hsize_t dims[2] = {0, 1};
  check_status(rank < 1 || rank > 2 ? -1 : 0, "The dataset " + name + " must be 1-D or 2-D.");
  check_status(H5Sget_simple_extent_dims(space, dims, nullptr), "Cannot get the dims of " + name + ".");
  (void)h5::checked_element_count(ds, file, name, {dims[0], dims[1]}, sizeof(float));
  if (width) *width = rank == 2 ? dims[1] : 0;
  return dims[0];
}

FeaturesData read_rows_impl(MPI_Comm comm, const std::filesystem::path& file, int part, int parts) {
  h5::init_error_handling();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw Error("The features file " + file.string() + " does not exist; run 'ecgforest extract' first or check the path.");
  }
  FeaturesData out;
  Handle fapl = h5::plist_handle(H5Pcreate(H5P_FILE_ACCESS), "Cannot create a file access property list.");
  check_status(H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL), "Cannot set MPI-IO file access.");
  Handle f = h5::file_handle(H5Fopen(file.c_str(), H5F_ACC_RDONLY, fapl),
                             "Cannot open the features file " + file.string() + " (not HDF5, or unreadable).");
  Handle dxpl = h5::plist_handle(H5Pcreate(H5P_DATASET_XFER), "Cannot create a transfer property list.");
  check_status(H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE), "Cannot request collective transfers.");
  hsize_t F = 0;
  const hsize_t N = dataset_rows(f, "/windows/features", &F);
  if (F == 0 && N > 0) throw Hdf5Error(file.string() + ": /windows/features must be 2-D [windows, features].");
  for (const char* name : {"/windows/label", "/windows/record", "/windows/time_s"}) {
    if (dataset_rows(f, name, nullptr) != N) {
      throw Hdf5Error(file.string() + ": the /windows datasets have different lengths; the file is damaged.");
    }
  }
  // Block `part` of `parts` near-equal contiguous blocks: [N*part/parts, N*(part+1)/parts).
  const hsize_t first = N * static_cast<hsize_t>(part) / static_cast<hsize_t>(parts);
  const hsize_t last = N * static_cast<hsize_t>(part + 1) / static_cast<hsize_t>(parts);
  const hsize_t n = last - first;
  out.first_row = first;
  out.total_rows = N;
  out.x.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(F));
  out.label.resize(n);
  out.record.resize(n);
  out.time_s.resize(n);
  if (N > 0) {  // (datasets with no rows have no storage to read from; N is the same on every rank)
    // Collective: every rank reads its rows [first, first + n), n may be 0.
    auto read = [&](const std::string& name, hsize_t width, auto* dst) {
      Handle ds = h5::dataset_handle(H5Dopen2(f, name.c_str(), H5P_DEFAULT), "Cannot open " + name + ".");
      h5::read_rows(ds.get(), dxpl.get(), first, n, 0, width, dst, name);
    };
    read("/windows/features", F, out.x.data());
    read("/windows/label", 1, out.label.data());
    read("/windows/record", 1, out.record.data());
    read("/windows/time_s", 1, out.time_s.data());
  }
  out.records = read_records(f);
  read_attributes(f, out);
  if (out.columns.size() != F) {
    throw Hdf5Error(file.string() + ": the 'columns' attribute names " + std::to_string(out.columns.size()) +
                    " features but /windows/features has " + std::to_string(F) + " columns.");
  }
  f.close("Closing " + file.string() + " failed.");
  return out;
}

}  // namespace

FeaturesData read_features_file(MPI_Comm comm, const std::filesystem::path& file) {
  return read_rows_impl(comm, file, 0, 1);
}

FeaturesData read_features_block(MPI_Comm comm, const std::filesystem::path& file) {
  return read_rows_impl(comm, file, comm::rank(comm), comm::size(comm));
}

FeaturesData read_features_summary(const std::filesystem::path& file) {
  h5::init_error_handling();
  FeaturesData out;
  Handle f = h5::file_handle(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT),
                             "Cannot open the features file " + file.string() + " (not HDF5, or unreadable).");
  out.records = read_records(f);
  read_attributes(f, out);
  out.references = read_references(f, file, out.records.size());
  Handle ds = h5::dataset_handle(H5Dopen2(f, "/windows/label", H5P_DEFAULT), "Cannot open /windows/label.");
  out.label = h5::read_dataset<float>(f, "/windows/label");
  return out;
}

std::optional<std::string> hdf5_format(const std::filesystem::path& file) {
  h5::init_error_handling();
  if (H5Fis_hdf5(file.c_str()) <= 0) return std::nullopt;
  h5::Handle f = h5::file_handle(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "Cannot open " + file.string() + ".");
  return h5::has_attribute(f, "format") ? h5::read_string_attribute(f, "format") : std::string();
}

void put_record_row(ByteWriter& w, const RecordRow& r) {
  for (const std::string* s : {&r.path, &r.patient, &r.ecg_channel, &r.status, &r.message, &r.annotation, &r.kind}) {
    w.str(*s);
  }
  w.f64(r.duration_s);
  w.f64(r.fs);
  w.u64(r.n_beats);
}

RecordRow get_record_row(ByteReader& rd) {
  RecordRow r;
  for (std::string* s : {&r.path, &r.patient, &r.ecg_channel, &r.status, &r.message, &r.annotation, &r.kind}) {
    *s = rd.str();
  }
  r.duration_s = rd.f64();
  r.fs = rd.f64();
  r.n_beats = rd.u64();
  return r;
}

}  // namespace ecgforest::io

// MPI tests of io::write_features_file / read_features_file. Record i is produced by rank
// i % size from a deterministic generator that does not depend on the rank count, so the file
// content must be the same for any number of ranks; every rank reads it back and checks every
// value against the generator.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/io/features_file.hpp"
#include "ecgforest/io/h5.hpp"
#include "ecgforest/comm/mpi.hpp"
#include "ecgforest/version.hpp"
#include "mpi_test_util.hpp"

namespace ecgforest::io {
namespace {

namespace fs = std::filesystem;
using namespace ecgforest::testing_mpi;

const std::vector<std::string> kColumns = {"mean_rr_ms", "sdnn_ms", "rmssd_ms", "hr_bpm"};
constexpr std::size_t kRecords = 13;

// Record i: windows (i * 7) % 5 (0 for i = 0, 5, 10), failed "unreadable" when i % 4 == 3.
bool failed(std::size_t i) { return i % 4 == 3; }
std::size_t n_windows_of(std::size_t i) { return failed(i) ? 0 : (i * 7) % 5; }

float feature_value(std::size_t i, std::size_t w, std::size_t f) {
  if (i == 2 && w == 1 && f == 2) return std::numeric_limits<float>::quiet_NaN();  // NaN features survive
  return static_cast<float>(i) * 1000.f + static_cast<float>(w) * 10.f + static_cast<float>(f) + 0.25f;
}
float label_value(std::size_t i, std::size_t w) {
  if (i == 4) return std::numeric_limits<float>::quiet_NaN();  // no annotation
  return static_cast<float>(w % 3) / 2.f;
}
double time_value(std::size_t i, std::size_t w) { return 10.0 + static_cast<double>(w) + 0.001 * static_cast<double>(i); }

RecordRow row_of(std::size_t i) {
  RecordRow r;
  r.path = "/data/cohort/rec_" + std::to_string(i) + ".edf";
  r.patient = "p" + std::to_string(i / 3);
  r.ecg_channel = failed(i) ? "" : "EEG EKG1-REF";
  r.status = failed(i) ? "unreadable" : "ok";
  r.message = failed(i) ? "Cannot open " + r.path + ": the header is not valid EDF." : "";
  r.annotation = i % 2 ? r.path.substr(0, r.path.size() - 4) + ".tse_bi" : "";
  r.duration_s = failed(i) ? 0.0 : 60.0 + static_cast<double>(i);
  r.fs = failed(i) ? 0.0 : 250.0;
  r.n_beats = failed(i) ? 0 : 70 + i;
  r.kind = i % 3 == 0 ? "edf" : i % 3 == 1 ? "rr_csv" : "beats_csv";
  return r;
}

RecordResult result_of(std::size_t i) {
  RecordResult res;
  res.index = i;
  res.row = row_of(i);
  const std::size_t n = n_windows_of(i);
  res.features.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(kColumns.size()));
  for (std::size_t w = 0; w < n; ++w) {
    for (std::size_t f = 0; f < kColumns.size(); ++f) {
      res.features(static_cast<Eigen::Index>(w), static_cast<Eigen::Index>(f)) = feature_value(i, w, f);
    }
    res.label.push_back(label_value(i, w));
    res.time_s.push_back(time_value(i, w));
  }
  return res;
}

std::uint64_t total_windows() {
  std::uint64_t t = 0;
  for (std::size_t i = 0; i < kRecords; ++i) t += n_windows_of(i);
  return t;
}

// Drops r's window arrays as extract does once they are staged; false when it has none.
bool spill_rows(RecordResult& r) {
  if (r.features.rows() == 0) return false;
  r.spilled_windows = static_cast<std::uint64_t>(r.features.rows());
  r.features.resize(0, r.features.cols());
  r.label.clear();
  r.time_s.clear();
  return true;
}

bool same_float(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b)); }

std::string read_root_string_attribute(const fs::path& file, const std::string& name) {
  h5::init_error_handling();
  h5::Handle f = h5::file_handle(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open " + file.string());
  return h5::read_string_attribute(f, name);
}

// Writes the generated cohort on `comm` (record i on rank i % size, results given in decreasing
// index order to check the writer sorts them) and checks everything read back on every rank.
// spill: every other local record with windows has them dropped (spilled_windows) and given back
// by a loader from the generator; round_bytes: the writer's round size (1 = a round per record).
void write_and_check(MPI_Comm comm, const fs::path& file, bool spill = false,
                     std::size_t round_bytes = std::size_t{16} << 20) {
  const int p = comm::size(comm), me = comm::rank(comm);
  std::vector<RecordResult> local;
  std::size_t n_spilled = 0;
  for (std::size_t k = kRecords; k-- > 0;) {
    if (static_cast<int>(k % static_cast<std::size_t>(p)) == me) {
      local.push_back(result_of(k));
      if (spill && k % 2 == 0 && spill_rows(local.back())) ++n_spilled;
    }
  }
  FeaturesMeta meta;
  meta.columns = kColumns;
  meta.config_toml = "[extract]\nwindow_s = 10.0\n";
  std::size_t loads = 0;
  const WriteReport report = write_features_file(comm, file, kRecords, local, meta, [&](const RecordResult& r) {
    ++loads;
    EXPECT_GT(r.spilled_windows, 0u);
    return result_of(r.index);
  }, round_bytes);
  EXPECT_EQ(loads, n_spilled) << "each spilled record is loaded exactly once";
  if (round_bytes == 1) {
    EXPECT_GT(report.rounds, 1u);
  } else if (total_windows() > 0) {
    EXPECT_EQ(report.rounds, 1u);
  }

  // Expected layout from the generator alone.
  std::vector<std::uint64_t> first(kRecords, 0);
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < kRecords; ++i) {
    first[i] = total;
    total += n_windows_of(i);
  }
  EXPECT_EQ(report.n_windows, total);
  EXPECT_TRUE(report.collective) << report.not_collective_reason;
  ASSERT_TRUE(fs::exists(file));
  EXPECT_FALSE(fs::exists(file.string() + ".partial"));

  const FeaturesData d = read_features_file(comm, file);
  EXPECT_EQ(d.columns, kColumns);
  ASSERT_EQ(static_cast<std::uint64_t>(d.x.rows()), total);
  ASSERT_EQ(static_cast<std::size_t>(d.x.cols()), kColumns.size());
  ASSERT_EQ(d.label.size(), total);
  ASSERT_EQ(d.record.size(), total);
  ASSERT_EQ(d.time_s.size(), total);
  ASSERT_EQ(d.records.size(), kRecords);
  std::uint64_t expect_first = 0;
  for (std::size_t i = 0; i < kRecords; ++i) {
    SCOPED_TRACE("record " + std::to_string(i));
    const RecordRow want = row_of(i);
    const RecordRow& got = d.records[i];
    EXPECT_EQ(got.path, want.path);
    EXPECT_EQ(got.patient, want.patient);
    EXPECT_EQ(got.ecg_channel, want.ecg_channel);
    EXPECT_EQ(got.status, want.status);
    EXPECT_EQ(got.message, want.message);
    EXPECT_EQ(got.annotation, want.annotation);
    EXPECT_EQ(got.duration_s, want.duration_s);
    EXPECT_EQ(got.fs, want.fs);
    EXPECT_EQ(got.n_beats, want.n_beats);
    EXPECT_EQ(got.kind, want.kind);
    EXPECT_EQ(got.n_windows, n_windows_of(i));
    EXPECT_EQ(got.first_window, expect_first);  // contiguous, in input order
    expect_first += got.n_windows;
    for (std::size_t w = 0; w < n_windows_of(i); ++w) {
      const auto row = static_cast<Eigen::Index>(first[i] + w);
      EXPECT_EQ(d.record[static_cast<std::size_t>(row)], i);
      EXPECT_TRUE(same_float(d.label[static_cast<std::size_t>(row)], label_value(i, w)));
      EXPECT_EQ(d.time_s[static_cast<std::size_t>(row)], time_value(i, w));
      for (std::size_t f = 0; f < kColumns.size(); ++f) {
        EXPECT_TRUE(same_float(d.x(row, static_cast<Eigen::Index>(f)), feature_value(i, w, f)))
            << "window " << w << " feature " << f << ": " << d.x(row, static_cast<Eigen::Index>(f));
      }
    }
  }
  EXPECT_EQ(expect_first, total);
  EXPECT_EQ(d.first_row, 0u);
  EXPECT_EQ(d.total_rows, total);
  {  // Blocks: rank r gets rows [N r / p, N (r+1) / p), equal to those rows of the whole read.
    const FeaturesData b = read_features_block(comm, file);
    const std::uint64_t lo = total * static_cast<std::uint64_t>(me) / static_cast<std::uint64_t>(p);
    const std::uint64_t hi = total * static_cast<std::uint64_t>(me + 1) / static_cast<std::uint64_t>(p);
    EXPECT_EQ(b.first_row, lo);
    EXPECT_EQ(b.total_rows, total);
    ASSERT_EQ(static_cast<std::uint64_t>(b.x.rows()), hi - lo);
    ASSERT_EQ(b.x.cols(), d.x.cols());
    ASSERT_EQ(b.label.size(), hi - lo);
    for (std::uint64_t r = lo; r < hi; ++r) {
      const auto k = static_cast<Eigen::Index>(r - lo), g = static_cast<Eigen::Index>(r);
      EXPECT_EQ(b.record[static_cast<std::size_t>(k)], d.record[static_cast<std::size_t>(g)]);
      EXPECT_EQ(b.time_s[static_cast<std::size_t>(k)], d.time_s[static_cast<std::size_t>(g)]);
      EXPECT_TRUE(same_float(b.label[static_cast<std::size_t>(k)], d.label[static_cast<std::size_t>(g)]));
      for (Eigen::Index f = 0; f < d.x.cols(); ++f) EXPECT_TRUE(same_float(b.x(k, f), d.x(g, f)));
    }
    EXPECT_EQ(b.records.size(), kRecords);
    EXPECT_EQ(b.columns, kColumns);
    // The blocks cover every row once.
    EXPECT_EQ(sum_ll(comm, static_cast<long long>(hi - lo)), static_cast<long long>(total));
  }
  EXPECT_EQ(d.config_toml, meta.config_toml);
  EXPECT_EQ(d.version, std::string(kVersion));
  EXPECT_EQ(d.n_ranks, p);
  EXPECT_EQ(d.created.size(), 20u) << d.created;

  // Root attributes not in FeaturesData, read serially by one rank.
  MPI_Barrier(comm);
  if (me == 0) {
    EXPECT_EQ(read_root_string_attribute(file, "collective_writes"), "verified");
    EXPECT_EQ(read_root_string_attribute(file, "format"), "ecgforest-features/1");
    const FeaturesData s = read_features_summary(file);
    EXPECT_EQ(s.records.size(), kRecords);
    EXPECT_EQ(s.label.size(), total);
    EXPECT_EQ(s.n_ranks, p);
  }
  MPI_Barrier(comm);
}

TEST(MpiFeaturesFile, WriteReadRoundTripOnWorld) {
  const fs::path dir = shared_tmp("features_world");
  write_and_check(MPI_COMM_WORLD, dir / "features.h5");
  // Writing again replaces the file (and a stale .partial does not matter).
  if (comm_rank(MPI_COMM_WORLD) == 0) {
    std::ofstream((dir / "features.h5.partial").string()) << "stale";
  }
  MPI_Barrier(MPI_COMM_WORLD);
  write_and_check(MPI_COMM_WORLD, dir / "features.h5");
}

TEST(MpiFeaturesFile, WriteReadRoundTripOnReversedAndSplit) {
  const fs::path dir = shared_tmp("features_split");
  MPI_Comm rev = reversed(MPI_COMM_WORLD);
  write_and_check(rev, dir / "reversed.h5");
  MPI_Comm_free(&rev);
  // Each half writes its own file at the same time.
  MPI_Comm half = by_parity(MPI_COMM_WORLD);
  write_and_check(half, dir / ("half" + std::to_string(comm_rank(MPI_COMM_WORLD) % 2) + ".h5"));
  MPI_Comm_free(&half);
}

TEST(MpiFeaturesFile, SpilledRecordsAndManySmallRoundsGiveTheSameFile) {
  const fs::path dir = shared_tmp("features_rounds");
  write_and_check(MPI_COMM_WORLD, dir / "spilled.h5", true);
  write_and_check(MPI_COMM_WORLD, dir / "rounds.h5", false, 1);
  write_and_check(MPI_COMM_WORLD, dir / "both.h5", true, 1);
  MPI_Comm half = by_parity(MPI_COMM_WORLD);
  write_and_check(half, dir / ("half_rounds" + std::to_string(comm_rank(MPI_COMM_WORLD) % 2) + ".h5"), true, 1);
  MPI_Comm_free(&half);
}

TEST(MpiFeaturesFile, LoaderFailureOnOneRankThrowsEverywhereAndLeavesNoFile) {
  const fs::path dir = shared_tmp("features_loadfail");
  const fs::path file = dir / "loadfail.h5";
  const int p = comm_size(MPI_COMM_WORLD), me = comm_rank(MPI_COMM_WORLD);
  // The last record with windows fails to load, on whichever rank holds it (any rank count).
  std::size_t fail_index = 0;
  for (std::size_t i = 0; i < kRecords; ++i) {
    if (n_windows_of(i) > 0) fail_index = i;
  }
  std::vector<RecordResult> local;
  for (std::size_t i = 0; i < kRecords; ++i) {
    if (static_cast<int>(i % static_cast<std::size_t>(p)) != me) continue;
    local.push_back(result_of(i));
    spill_rows(local.back());
  }
  std::string err;
  try {
    (void)write_features_file(MPI_COMM_WORLD, file, kRecords, local, {kColumns, ""}, [&](const RecordResult& r) {
      if (r.index == fail_index) throw Error("stage file of record " + std::to_string(r.index) + " vanished");
      return result_of(r.index);
    }, 1);
  } catch (const Error& e) {
    err = e.what();
  }
  EXPECT_NE(err.find("vanished"), std::string::npos) << "rank " << me << ": '" << err << "'";
  MPI_Barrier(MPI_COMM_WORLD);
  EXPECT_FALSE(fs::exists(file));
}

TEST(MpiFeaturesFile, NoWindowsAtAll) {
  const fs::path dir = shared_tmp("features_empty");
  const fs::path file = dir / "empty.h5";
  const int p = comm_size(MPI_COMM_WORLD), me = comm_rank(MPI_COMM_WORLD);
  std::vector<RecordResult> local;
  for (std::size_t i = 0; i < 4; ++i) {
    if (static_cast<int>(i % static_cast<std::size_t>(p)) == me) {
      RecordResult r;
      r.index = i;
      r.row = row_of(3);  // a failed record
      r.features.resize(0, static_cast<Eigen::Index>(kColumns.size()));
      local.push_back(r);
    }
  }
  const auto rep = write_features_file(MPI_COMM_WORLD, file, 4, local, {kColumns, "x = 1\n"});
  EXPECT_EQ(rep.n_windows, 0u);
  const FeaturesData d = read_features_file(MPI_COMM_WORLD, file);
  EXPECT_EQ(d.x.rows(), 0);
  EXPECT_EQ(d.x.cols(), static_cast<Eigen::Index>(kColumns.size()));
  EXPECT_TRUE(d.label.empty());
  ASSERT_EQ(d.records.size(), 4u);
  for (const auto& r : d.records) {
    EXPECT_EQ(r.status, "unreadable");
    EXPECT_EQ(r.n_windows, 0u);
    EXPECT_EQ(r.first_window, 0u);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  if (me == 0) {
    EXPECT_EQ(read_root_string_attribute(file, "collective_writes"), "verified");
  }
}

TEST(MpiFeaturesFile, RecordSeenNowhereIsLost) {
  const fs::path dir = shared_tmp("features_lost");
  const fs::path file = dir / "lost.h5";
  const int p = comm_size(MPI_COMM_WORLD), me = comm_rank(MPI_COMM_WORLD);
  // Records 0..4 except 2; record i on rank i % p.
  std::vector<RecordResult> local;
  for (std::size_t i : {0u, 1u, 3u, 4u}) {
    if (static_cast<int>(i % static_cast<std::size_t>(p)) == me) local.push_back(result_of(i));
  }
  (void)write_features_file(MPI_COMM_WORLD, file, 5, local, {kColumns, ""});
  const FeaturesData d = read_features_file(MPI_COMM_WORLD, file);
  ASSERT_EQ(d.records.size(), 5u);
  EXPECT_EQ(d.records[2].status, "lost");
  EXPECT_EQ(d.records[2].n_windows, 0u);
  EXPECT_EQ(d.records[0].path, row_of(0).path);
  EXPECT_EQ(d.records[4].path, row_of(4).path);
  EXPECT_EQ(d.records[4].first_window, n_windows_of(0) + n_windows_of(1) + n_windows_of(3));
}

TEST(MpiFeaturesFile, BadInputOnOneRankThrowsOnEveryRank) {
  const fs::path dir = shared_tmp("features_bad");
  const fs::path file = dir / "bad.h5";
  const int p = comm_size(MPI_COMM_WORLD), me = comm_rank(MPI_COMM_WORLD);
  std::vector<RecordResult> local;
  for (std::size_t i = 0; i < 6; ++i) {
    if (static_cast<int>(i % static_cast<std::size_t>(p)) == me) local.push_back(result_of(i));
  }
  if (me == p - 1) {
    // Wrong number of feature columns on the last rank only.
    RecordResult r = result_of(1);
    r.index = 6;
    r.features.resize(2, 3);
    r.features.setZero();
    r.label = {0, 0};
    r.time_s = {1, 2};
    local.push_back(r);
  }
  bool threw = false;
  try {
    (void)write_features_file(MPI_COMM_WORLD, file, 7, local, {kColumns, ""});
  } catch (const Error&) {
    threw = true;
  }
  EXPECT_TRUE(threw) << "rank " << me;
  MPI_Barrier(MPI_COMM_WORLD);
  EXPECT_FALSE(fs::exists(file));
  EXPECT_THROW((void)read_features_file(MPI_COMM_WORLD, dir / "missing.h5"), Error);
}

}  // namespace
}  // namespace ecgforest::io

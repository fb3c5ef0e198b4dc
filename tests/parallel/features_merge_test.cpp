// MPI tests of io::merge_features_files (predict --tailor-retrain's training file): two small
// features files written from a generator, merged with copies, a patient override and the
// seizure-free declaration; every value read back is checked against the generator, not
// against the merge code. Settings that differ between the files are refused on every rank.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/io/features_file.hpp"
#include "ecgforest/io/features_merge.hpp"
#include "mpi_test_util.hpp"

namespace ecgforest::io {
namespace {

namespace fs = std::filesystem;
using namespace ecgforest::testing_mpi;

const float kNaN = std::numeric_limits<float>::quiet_NaN();

// File `tag` ('A' or 'B'), record i: i + 2 windows; record 1 of A failed (no windows); record 0 of
// each file unannotated (NaN labels); others annotated, with one seizure [20, 30) s in record 1 of B.
bool failed(char tag, std::size_t i) { return tag == 'A' && i == 1; }
std::size_t windows_of(char tag, std::size_t i) { return failed(tag, i) ? 0 : i + 2; }
bool annotated(std::size_t i) { return i != 0; }
float feature(char tag, std::size_t i, std::size_t w, std::size_t f) {
  return static_cast<float>(tag) * 100.f + static_cast<float>(i) * 10.f + static_cast<float>(w) + 0.5f * static_cast<float>(f);
}
float label(std::size_t i, std::size_t w) { return annotated(i) ? static_cast<float>(w % 2) : kNaN; }

RecordResult record(char tag, std::size_t i, std::size_t n_cols) {
  RecordResult r;
  r.index = i;
  r.row.path = std::string("/data/") + tag + "/rec" + std::to_string(i) + "_beats.csv";
  r.row.patient = std::string(1, tag) + "p" + std::to_string(i);
  r.row.kind = "beats_csv";
  r.row.status = failed(tag, i) ? "unreadable" : "ok";
  r.row.duration_s = 100.0 + static_cast<double>(i);
  const std::size_t n = windows_of(tag, i);
  r.features.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n_cols));
  for (std::size_t w = 0; w < n; ++w) {
    for (std::size_t f = 0; f < n_cols; ++f) r.features(static_cast<Eigen::Index>(w), static_cast<Eigen::Index>(f)) = feature(tag, i, w, f);
    r.label.push_back(label(i, w));
    r.time_s.push_back(10.0 + static_cast<double>(w));
  }
  r.reference.annotated = annotated(i);
  if (tag == 'B' && i == 1) r.reference.seizures.push_back({20.0, 30.0});
  return r;
}

// Writes file `tag` with `n` records (all on rank 0) and the given columns and window length.
void write_file(const fs::path& file, char tag, std::size_t n, const std::vector<std::string>& cols, double window_s = 10) {
  std::vector<RecordResult> local;
  if (comm_rank(MPI_COMM_WORLD) == 0) {
    for (std::size_t i = 0; i < n; ++i) local.push_back(record(tag, i, cols.size()));
  }
  FeaturesMeta meta;
  meta.columns = cols;
  meta.config_toml = std::string("# file ") + tag + "\n";
  meta.extract.window_s = window_s;
  meta.extract.step_s = 1;
  write_features_file(MPI_COMM_WORLD, file, n, local, meta);
}

const std::vector<std::string> kCols = {"mean_hr", "rmssd_ms", "csi"};

TEST(FeaturesMerge, CopiesPatientAndSeizureFreeBaseline) {
  const fs::path dir = shared_tmp("features_merge");
  write_file(dir / "a.h5", 'A', 3, kCols);
  write_file(dir / "b.h5", 'B', 2, kCols);
  const auto report = merge_features_files(MPI_COMM_WORLD, dir / "m.h5",
                                           {{dir / "a.h5", 1, "", false}, {dir / "b.h5", 3, "tailored:x", true}});
  // Expected, from the generator: A's records once as they are, then B's twice... three times.
  struct Want { char tag; std::size_t i; int copy; };
  std::vector<Want> want = {{'A', 0, 0}, {'A', 1, 0}, {'A', 2, 0}};
  for (int c = 1; c <= 3; ++c) for (std::size_t i = 0; i < 2; ++i) want.push_back({'B', i, c});
  std::uint64_t total = 0;
  for (const auto& w : want) total += windows_of(w.tag, w.i);
  EXPECT_EQ(report.write.n_windows, total);
  ASSERT_EQ(report.parts.size(), 2u);
  EXPECT_EQ(report.parts[0].windows, 6u);  // A: 2 + 0 (failed) + 4, one copy
  EXPECT_EQ(report.parts[0].records, 2u);
  EXPECT_EQ(report.parts[1].windows, 5u);  // B: 2 + 3
  EXPECT_EQ(report.parts[1].records, 2u);

  const FeaturesData d = read_features_file(MPI_COMM_WORLD, dir / "m.h5");
  const FeaturesData s = read_features_summary(dir / "m.h5");
  EXPECT_EQ(d.columns, kCols);
  EXPECT_EQ(d.config_toml, "# file A\n");
  ASSERT_EQ(d.records.size(), want.size());
  ASSERT_EQ(s.references.size(), want.size());
  ASSERT_EQ(static_cast<std::uint64_t>(d.x.rows()), total);
  std::size_t row = 0;
  for (std::size_t r = 0; r < want.size(); ++r) {
    const auto& w = want[r];
    SCOPED_TRACE(std::string("record ") + std::to_string(r));
    const auto& got = d.records[r];
    EXPECT_EQ(got.path, std::string("/data/") + w.tag + "/rec" + std::to_string(w.i) + "_beats.csv");
    EXPECT_EQ(got.patient, w.tag == 'A' ? "Ap" + std::to_string(w.i) : std::string("tailored:x"));
    EXPECT_EQ(got.message, w.copy ? "Copy " + std::to_string(w.copy) + " of 3." : std::string());
    EXPECT_EQ(got.status, failed(w.tag, w.i) ? "unreadable" : "ok");
    EXPECT_EQ(got.n_windows, windows_of(w.tag, w.i));
    // B is declared seizure-free where unannotated: its record 0 is now annotated, NaN labels 0.
    EXPECT_EQ(s.references[r].annotated, annotated(w.i) || w.tag == 'B');
    EXPECT_EQ(s.references[r].seizures.size(), w.tag == 'B' && w.i == 1 ? 1u : 0u);
    for (std::size_t k = 0; k < windows_of(w.tag, w.i); ++k, ++row) {
      const float l = d.label[row];
      if (w.tag == 'A' && !annotated(w.i)) EXPECT_TRUE(std::isnan(l));
      else EXPECT_EQ(l, annotated(w.i) ? label(w.i, k) : 0.0f);
      EXPECT_EQ(d.record[row], r);
      EXPECT_EQ(d.time_s[row], 10.0 + static_cast<double>(k));
      for (std::size_t f = 0; f < kCols.size(); ++f)
        EXPECT_EQ(d.x(static_cast<Eigen::Index>(row), static_cast<Eigen::Index>(f)), feature(w.tag, w.i, k, f));
    }
  }
  EXPECT_EQ(row, total);
}

// B's records: 0 lasts 100 s, windows end at 10, 11 s, unannotated; 1 lasts 101 s, windows end at
// 10, 11, 12 s, a seizure [20, 30). Leading parts, twice (the count restarts per copy):
//  - first 110 s, guard 15: record 0 whole (100 s, both windows, labels 0); record 1 its first
//    10 s, the window ending at 10 s kept: the seizure starts after those 10 s, so it is clipped
//    away and excludes nothing (as eval::detect_tailored clips a baseline's seizures);
//  - first 125 s, guard 5: record 1's first 25 s, seizure clipped to [20, 25): windows ending in
//    (15, 30) go, none of 10, 11, 12: three kept;
//  - first 125 s, guard 15: windows ending in (5, 40) go: none kept.
// No reference seizure is left. A's records (100, failed, 102 s; 2, 0, 4 windows) with the first
// 150 s: 100 s, 0 s (failed), 50 s; windows 2 + 0 + 4.
struct LeadCase {
  char tag;
  double first_s, guard_s;
  std::vector<double> duration;
  std::vector<std::uint64_t> windows;
};

TEST(FeaturesMerge, LeadingPartOfTheRecordsTakenInOrder) {
  const fs::path dir = shared_tmp("features_merge_first");
  write_file(dir / "a.h5", 'A', 3, kCols);
  write_file(dir / "b.h5", 'B', 2, kCols);
  const std::vector<LeadCase> cases = {{'B', 110, 15, {100, 10}, {2, 1}},
                                       {'B', 125, 5, {100, 25}, {2, 3}},
                                       {'B', 125, 15, {100, 25}, {2, 0}},
                                       {'A', 150, 300, {100, 0, 50}, {2, 0, 4}}};
  for (const auto& lc : cases) {
    SCOPED_TRACE(std::string(1, lc.tag) + " first " + std::to_string(lc.first_s) + " guard " + std::to_string(lc.guard_s));
    io::FeaturesPart part{dir / (lc.tag == 'A' ? "a.h5" : "b.h5"), 2, "", false};
    part.first_s = lc.first_s;
    part.guard_s = lc.guard_s;
    const auto report = merge_features_files(MPI_COMM_WORLD, dir / "m.h5", {part});
    const FeaturesData d = read_features_file(MPI_COMM_WORLD, dir / "m.h5");
    const FeaturesData s = read_features_summary(dir / "m.h5");
    const std::size_t n = lc.duration.size();
    std::uint64_t per_copy = 0, with = 0;
    for (auto w : lc.windows) per_copy += w, with += w > 0;
    ASSERT_EQ(report.parts.size(), 1u);
    EXPECT_EQ(report.parts[0].windows, per_copy);
    EXPECT_EQ(report.parts[0].records, with);
    ASSERT_EQ(d.records.size(), 2 * n);
    ASSERT_EQ(static_cast<std::uint64_t>(d.x.rows()), 2 * per_copy);
    for (std::size_t r = 0; r < 2 * n; ++r) {
      const std::size_t i = r % n;
      const auto& row = d.records[r];
      EXPECT_EQ(row.duration_s, lc.duration[i]) << r;
      EXPECT_EQ(row.n_windows, lc.windows[i]) << r;
      EXPECT_TRUE(s.references[r].seizures.empty() && s.references[r].annotated) << r;
      for (std::uint64_t k = 0; k < row.n_windows; ++k) {  // the leading windows, in order
        const auto g = static_cast<Eigen::Index>(row.first_window + k);
        EXPECT_EQ(d.time_s[static_cast<std::size_t>(g)], 10.0 + static_cast<double>(k));
        EXPECT_EQ(d.label[static_cast<std::size_t>(g)], i == 0 ? 0.0f : label(i, k));  // record 0: unannotated -> 0
        EXPECT_EQ(d.x(g, 1), feature(lc.tag, i, k, 1));
      }
    }
  }
}

TEST(FeaturesMerge, DifferentColumnsOrWindowsAreRefusedOnEveryRank) {
  const fs::path dir = shared_tmp("features_merge_bad");
  write_file(dir / "a.h5", 'A', 2, kCols);
  write_file(dir / "cols.h5", 'B', 2, {"mean_hr", "rmssd_ms"});
  write_file(dir / "win.h5", 'B', 2, kCols, 30);
  for (const char* other : {"cols.h5", "win.h5"}) {
    SCOPED_TRACE(other);
    bool threw = false;
    std::string what;
    try {
      merge_features_files(MPI_COMM_WORLD, dir / "m.h5", {{dir / "a.h5", 1, "", false}, {dir / other, 2, "", true}});
    } catch (const Error& e) {
      threw = true;
      what = e.what();
    }
    EXPECT_TRUE(all_true(MPI_COMM_WORLD, threw)) << "every rank refuses";
    EXPECT_NE(what.find((dir / "a.h5").string()), std::string::npos) << what;
    EXPECT_NE(what.find((dir / other).string()), std::string::npos) << what;
    EXPECT_FALSE(fs::exists(dir / "m.h5"));
  }
}

}  // namespace
}  // namespace ecgforest::io

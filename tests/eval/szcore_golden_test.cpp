// SzCORE scoring against ../shared/data/szcore: every case scored by the reference implementation
// (timescoring v0.0.7 through szcore-evaluation; see that folder's README), read once from the
// SzCORE events.tsv files and once from the TUH .tse_bi files, and the per-dataset aggregation of
// dataset_example. Counts must match exactly, ratios to 1e-9.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "ecgforest/eval/szcore.hpp"
#include "ecgforest/io/annotations.hpp"
#include "hrv/golden_util.hpp"

namespace ecgforest::eval::szcore {
namespace {

namespace fs = std::filesystem;

std::string szcore_dir() { return std::string(ECGFOREST_SHARED_DIR) + "/data/szcore"; }

struct File {
  std::vector<Event> seizures;
  double duration_s = 0;
};

// Seizure events and duration as `score` takes them: events.tsv declares recordingDuration, a
// .tse_bi tiles the recording so its last stop time is the duration.
File load(const fs::path& p) {
  const auto a = io::read_annotations(p);
  File f;
  for (const auto& e : a.events) {
    if (is_seizure_label(e.label)) f.seizures.push_back({e.start_s, e.stop_s, 1.0});
    f.duration_s = std::max(f.duration_s, e.stop_s);
  }
  if (a.duration_s) f.duration_s = *a.duration_s;
  return f;
}

void expect_ratio(double got, const golden::Json& want, const std::string& what) {
  const double w = want.as_double();
  if (std::isnan(w)) {
    EXPECT_TRUE(std::isnan(got)) << what << ": got " << got << ", want nan";
  } else {
    EXPECT_NEAR(got, w, 1e-9 * std::max(1.0, std::abs(w))) << what;
  }
}

void expect_scores(const Scores& s, const golden::Json& want, const std::string& what) {
  EXPECT_EQ(s.tp, static_cast<std::uint64_t>(want["tp"].num)) << what << " tp";
  EXPECT_EQ(s.fp, static_cast<std::uint64_t>(want["fp"].num)) << what << " fp";
  EXPECT_EQ(s.ref_true, static_cast<std::uint64_t>(want["refTrue"].num)) << what << " refTrue";
  EXPECT_EQ(s.num_samples, static_cast<std::uint64_t>(want["numSamples"].num)) << what << " numSamples";
  EXPECT_EQ(s.fs, want["fs"].num) << what << " fs";
  for (const char* k : {"sensitivity", "precision", "f1", "fpRate"}) {
    const double got = std::string(k) == "sensitivity" ? s.sensitivity
                       : std::string(k) == "precision" ? s.precision
                       : std::string(k) == "f1"        ? s.f1
                                                       : s.fp_rate;
    expect_ratio(got, want[k], what + " " + k);
  }
}

void expect_events(const std::vector<Event>& got, const golden::Json& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.arr.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].start_s, want.arr[i].arr[0].num) << what << " [" << i << "] start";
    EXPECT_EQ(got[i].stop_s, want.arr[i].arr[1].num) << what << " [" << i << "] stop";
  }
}

void expect_flags(const std::vector<bool>& got, const golden::Json& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.arr.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], want.arr[i].b) << what << " [" << i << "]";
}

std::vector<fs::path> case_dirs() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(szcore_dir() + "/cases")) {
    if (fs::exists(e.path() / "expected.json")) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void check_case(const fs::path& dir, const std::string& ref_name, const std::string& hyp_name) {
  const std::string what = dir.filename().string() + " (" + ref_name + ")";
  const auto want = golden::read_json((dir / "expected.json").string())["szcore"];
  const File ref = load(dir / ref_name), hyp = load(dir / hyp_name);
  // The masks and events of step 1-2, then the event scoring with its intermediate lists.
  const auto rm = label_mask(ref.seizures, ref.duration_s);
  ASSERT_EQ(rm.size(), static_cast<std::size_t>(want["mask_length"].num)) << what;
  expect_events(mask_events(rm, 1.0), want["ref_events_1hz"], what + " ref_events_1hz");
  auto hm = label_mask(hyp.seizures, hyp.duration_s);
  if (hm.size() == rm.size()) expect_events(mask_events(hm, 1.0), want["hyp_events_1hz"], what + " hyp_events_1hz");
  else hm.assign(rm.size(), 0);
  const auto d = score_events(rm, hm);
  expect_events(d.ref_events, want["event"]["ref_events_scored"], what + " ref_events_scored");
  expect_events(d.ref_windows, want["event"]["ref_windows"], what + " ref_windows");
  expect_flags(d.ref_detected, want["event"]["ref_detected"], what + " ref_detected");
  expect_events(d.hyp_events, want["event"]["hyp_events_scored"], what + " hyp_events_scored");
  expect_flags(d.hyp_is_fp, want["event"]["hyp_is_fp"], what + " hyp_is_fp");
  // The file-level entry point gives the same numbers.
  const auto f = score_file(ref.seizures, ref.duration_s, hyp.seizures, hyp.duration_s);
  expect_scores(f.event, want["event"], what + " event");
  expect_scores(f.sample, want["sample"], what + " sample");
}

TEST(SzcoreGolden, EveryCaseFromEventsTsv) {
  const auto dirs = case_dirs();
  ASSERT_GE(dirs.size(), 56u);
  for (const auto& dir : dirs) check_case(dir, "ref_events.tsv", "hyp_events.tsv");
}

TEST(SzcoreGolden, EveryCaseFromTseBi) {
  for (const auto& dir : case_dirs()) check_case(dir, "ref.tse_bi", "hyp.tse_bi");
}

void check_mean(const MeanStd& m, const golden::Json& want, const std::string& what) {
  expect_ratio(m.sensitivity, want["sensitivity"], what + " sensitivity");
  expect_ratio(m.sensitivity_std, want["sensitivity_std"], what + " sensitivity_std");
  expect_ratio(m.precision, want["precision"], what + " precision");
  expect_ratio(m.precision_std, want["precision_std"], what + " precision_std");
  expect_ratio(m.f1, want["f1"], what + " f1");
  expect_ratio(m.f1_std, want["f1_std"], what + " f1_std");
  expect_ratio(m.fp_rate, want["fpRate"], what + " fpRate");
  expect_ratio(m.fp_rate_std, want["fpRate_std"], what + " fpRate_std");
}

void check_pooled(const Scores& s, const golden::Json& want, const std::string& what) {
  expect_ratio(s.sensitivity, want["sensitivity"], what + " sensitivity");
  expect_ratio(s.precision, want["precision"], what + " precision");
  expect_ratio(s.f1, want["f1"], what + " f1");
  expect_ratio(s.fp_rate, want["fpRate"], what + " fpRate");
}

// szcore-evaluation walks sub-*/ of the reference tree; a missing hypothesis file is scored as
// no detection (an empty hypothesis of the reference's duration).
void check_dataset(const std::string& suffix) {
  const fs::path root = szcore_dir() + "/dataset_example";
  std::vector<FileScores> files;
  std::vector<std::string> subjects;
  std::vector<fs::path> refs;
  for (const auto& e : fs::recursive_directory_iterator(root / "ref")) {
    const std::string n = e.path().filename().string();
    if (n.size() > suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0) refs.push_back(e.path());
  }
  std::sort(refs.begin(), refs.end());
  ASSERT_EQ(refs.size(), 5u);
  for (const auto& rp : refs) {
    const fs::path rel = fs::relative(rp, root / "ref");
    const File ref = load(rp);
    File hyp{{}, ref.duration_s};
    if (fs::exists(root / "hyp" / rel)) hyp = load(root / "hyp" / rel);
    files.push_back(score_file(ref.seizures, ref.duration_s, hyp.seizures, hyp.duration_s));
    subjects.push_back(rel.begin()->string());
  }
  const auto d = score_dataset(files, subjects);
  const auto want = golden::read_json((root / "expected.json").string());
  ASSERT_EQ(d.subjects.size(), 3u);
  for (const auto& [name, s] : d.subjects) {
    expect_scores(s.event, want["subjects"][name]["event"], name + suffix + " event");
    expect_scores(s.sample, want["subjects"][name]["sample"], name + suffix + " sample");
  }
  check_mean(d.event_mean, want["per_subject_mean"]["event_results"], "mean event" + suffix);
  check_mean(d.sample_mean, want["per_subject_mean"]["sample_results"], "mean sample" + suffix);
  check_pooled(d.pooled.event, want["pooled"]["event_results"], "pooled event" + suffix);
  check_pooled(d.pooled.sample, want["pooled"]["sample_results"], "pooled sample" + suffix);
}

TEST(SzcoreGolden, DatasetExampleFromEventsTsv) { check_dataset("_events.tsv"); }
TEST(SzcoreGolden, DatasetExampleFromTseBi) { check_dataset("_events.tse_bi"); }

// Hand-derived: the worked example of the README of the golden data (sub-01: 2 of 3 seizures,
// 3 false alarms in 2 h -> F1 = 4 / (4 + 3 + 1) = 0.5, 36 FP per 24 h).
TEST(SzcoreScores, FormulasByHand) {
  Scores s;
  s.tp = 2;
  s.fp = 3;
  s.ref_true = 3;
  s.num_samples = 72000;
  s.fs = 10;
  compute_scores(s);
  EXPECT_DOUBLE_EQ(s.sensitivity, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(s.precision, 0.4);
  EXPECT_DOUBLE_EQ(s.f1, 0.5);
  EXPECT_DOUBLE_EQ(s.fp_rate, 36.0);
  Scores none;  // no reference, no detection: every ratio undefined
  none.num_samples = 10;
  compute_scores(none);
  EXPECT_TRUE(std::isnan(none.sensitivity));
  EXPECT_TRUE(std::isnan(none.precision));
  EXPECT_TRUE(std::isnan(none.f1));
  EXPECT_EQ(none.fp_rate, 0.0);
}

}  // namespace
}  // namespace ecgforest::eval::szcore

// NEDC scoring against ../shared/data/nedc: every normative case scored by NEDC EEG Eval v6.0.0
// (see that folder's README), read from the csv_bi and from the .tse_bi files, and the pooled
// dataset example: OVLP, TAES, EPOCH, IRA kappa and DP-alignment counts of the seizure label. Compared with the `full_precision` block: counts exactly, ratios to 1e-9.
// NEDC reports 0 for a ratio with a zero denominator where we report NaN (JSON null).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "ecgforest/eval/dpalign.hpp"
#include "ecgforest/eval/events.hpp"
#include "ecgforest/io/annotations.hpp"
#include "hrv/golden_util.hpp"

namespace ecgforest::eval {
namespace {

namespace fs = std::filesystem;

std::string nedc_dir() { return std::string(ECGFOREST_SHARED_DIR) + "/data/nedc"; }

// As `score` builds a recording: seizure rows, duration from the csv header or the last stop.
ScoredRecording load(const fs::path& ref_path, const fs::path& hyp_path) {
  ScoredRecording r;
  r.name = ref_path.stem().string();
  const auto ref = io::read_annotations(ref_path), hyp = io::read_annotations(hyp_path);
  double last = 0;
  for (const auto& e : ref.events) {
    if (is_seizure_label(e.label)) r.ref.push_back({e.start_s, e.stop_s, 1.0});
    last = std::max(last, e.stop_s);
  }
  for (const auto& e : hyp.events) {
    if (is_seizure_label(e.label)) r.hyp.push_back({e.start_s, e.stop_s, 1.0});
  }
  r.duration_s = ref.duration_s.value_or(last);
  return r;
}

double nedc_ratio(double v) { return std::isnan(v) ? 0.0 : v; }

void near(double got, double want, const std::string& what) {
  EXPECT_NEAR(got, want, 1e-9 * std::max(1.0, std::abs(want))) << what;
}

void check_summary(const ScoreSummary& s, const golden::Json& fp, const std::string& what) {
  const auto& o = fp["ovlp"];
  EXPECT_EQ(s.ovlp.n_ref, static_cast<std::size_t>(o["targets"].num)) << what << " ovlp targets";
  EXPECT_EQ(s.ovlp.hits, static_cast<std::size_t>(o["hits"].num)) << what << " ovlp hits";
  EXPECT_EQ(s.ovlp.misses, static_cast<std::size_t>(o["misses"].num)) << what << " ovlp misses";
  EXPECT_EQ(s.ovlp.false_alarms, static_cast<std::size_t>(o["false_alarms"].num)) << what << " ovlp false alarms";
  near(nedc_ratio(s.ovlp_sensitivity), o["sensitivity"].num, what + " ovlp sensitivity");
  near(s.ovlp_fa_per_24h, o["fa_per_24h"].num, what + " ovlp fa/24h");
  near(s.total_s, o["total_duration_s"].num, what + " total duration");
  const auto& t = fp["taes"];
  near(s.taes.hits, t["hits"].num, what + " taes hits");
  near(s.taes.misses, t["misses"].num, what + " taes misses");
  near(s.taes.false_alarms, t["false_alarms"].num, what + " taes false alarms");
  near(nedc_ratio(s.taes_sensitivity), t["sensitivity"].num, what + " taes sensitivity");
  near(s.taes_fa_per_24h, t["fa_per_24h"].num, what + " taes fa/24h");
  const auto& e = fp["epoch"];
  EXPECT_EQ(s.epoch.tp, static_cast<std::uint64_t>(e["tp"].num)) << what << " epoch tp";
  EXPECT_EQ(s.epoch.fp, static_cast<std::uint64_t>(e["fp"].num)) << what << " epoch fp";
  EXPECT_EQ(s.epoch.tn, static_cast<std::uint64_t>(e["tn"].num)) << what << " epoch tn";
  EXPECT_EQ(s.epoch.fn, static_cast<std::uint64_t>(e["fn"].num)) << what << " epoch fn";
  near(nedc_ratio(s.epoch_sensitivity), e["sensitivity"].num, what + " epoch sensitivity");
  near(nedc_ratio(s.epoch_specificity), e["specificity"].num, what + " epoch specificity");
  near(s.epoch_fa_per_24h, e["fa_per_24h"].num, what + " epoch fa/24h");
  near(nedc_ratio(s.epoch_kappa), fp["ira"]["kappa"].num, what + " ira kappa");
}

void check_dpalign(const std::vector<ScoredRecording>& recs, const golden::Json& fp, const std::string& what) {
  DpalignCounts c;
  for (const auto& r : recs) c += score_dpalign(r.ref, r.duration_s, r.hyp, r.duration_s);
  const auto& d = fp["dpalign"];
  EXPECT_EQ(c.targets, static_cast<std::size_t>(d["targets"].num)) << what << " dpalign targets";
  EXPECT_EQ(c.hits, static_cast<std::size_t>(d["hits"].num)) << what << " dpalign hits";
  EXPECT_EQ(c.misses, static_cast<std::size_t>(d["misses"].num)) << what << " dpalign misses";
  EXPECT_EQ(c.false_alarms, static_cast<std::size_t>(d["false_alarms"].num)) << what << " dpalign false alarms";
  EXPECT_EQ(c.insertions, static_cast<std::size_t>(d["insertions"].num)) << what << " dpalign insertions";
  EXPECT_EQ(c.deletions, static_cast<std::size_t>(d["deletions"].num)) << what << " dpalign deletions";
}

struct Case {
  fs::path dir;
  golden::Json want;
};

std::vector<Case> normative_cases() {
  std::vector<Case> out;
  for (const auto& e : fs::directory_iterator(nedc_dir() + "/cases")) {
    if (!fs::exists(e.path() / "expected.json")) continue;
    auto j = golden::read_json((e.path() / "expected.json").string());
    if (!j["normative"].b || j["nedc"]["status"].str != "ok") continue;  // malformed_*, duration_mismatch
    out.push_back({e.path(), std::move(j)});
  }
  std::sort(out.begin(), out.end(), [](const Case& a, const Case& b) { return a.dir < b.dir; });
  return out;
}

TEST(NedcGolden, EveryNormativeCaseFromCsvBi) {
  const auto cases = normative_cases();
  ASSERT_EQ(cases.size(), 54u);  // 57 cases less 2 malformed (informative) and duration_mismatch
  for (const auto& c : cases) {
    const std::vector<ScoredRecording> recs{load(c.dir / "ref.csv_bi", c.dir / "hyp.csv_bi")};
    check_summary(score_recordings(recs), c.want["full_precision"], c.dir.filename().string() + " (csv_bi)");
    check_dpalign(recs, c.want["full_precision"], c.dir.filename().string() + " (csv_bi)");
  }
}

TEST(NedcGolden, EveryNormativeCaseFromTseBi) {
  for (const auto& c : normative_cases()) {
    const auto s = score_recordings({load(c.dir / "ref.tse_bi", c.dir / "hyp.tse_bi")});
    check_summary(s, c.want["full_precision"], c.dir.filename().string() + " (tse_bi)");
  }
}

TEST(NedcGolden, DatasetExamplePooled) {
  const fs::path root = nedc_dir() + "/dataset_example";
  const auto want = golden::read_json((root / "expected.json").string());
  for (const char* ext : {".csv_bi", ".tse_bi"}) {
    std::vector<ScoredRecording> recs;
    for (const auto& f : want["files"].arr) recs.push_back(load(root / "ref" / (f.str + ext), root / "hyp" / (f.str + ext)));
    check_summary(score_recordings(recs), want["full_precision"], std::string("dataset_example ") + ext);
    check_dpalign(recs, want["full_precision"], std::string("dataset_example ") + ext);
  }
}

// By hand: label sequences "bckg seiz bckg" against "bckg": the seizure has nothing to align
// with (1 target, 1 deletion = 1 miss); against "bckg seiz bckg seiz bckg" one hypothesis seizure
// aligns with it and the other is inserted (1 hit, 1 insertion = 1 false alarm).
TEST(NedcDpalign, ByHand) {
  const auto none = score_dpalign({{100, 160, 1}}, 3600, {}, 3600);
  EXPECT_EQ(none.targets, 1u);
  EXPECT_EQ(none.deletions, 1u);
  EXPECT_EQ(none.misses, 1u);
  EXPECT_EQ(none.hits + none.insertions, 0u);
  const auto two = score_dpalign({{100, 160, 1}}, 3600, {{110, 150, 1}, {900, 950, 1}}, 3600);
  EXPECT_EQ(two.targets, 1u);
  EXPECT_EQ(two.hits, 1u);
  EXPECT_EQ(two.insertions, 1u);
  EXPECT_EQ(two.false_alarms, 1u);
  EXPECT_EQ(two.deletions + two.misses, 0u);
}

// The documented variant: exact-overlap TAES gives hits + misses = targets where NEDC scores the
// seizure 100-160.3 s twice (hypotheses 150-160.5 and 160.7-170 s). By hand: the first
// hypothesis covers 60.3 - 50 = 10.3 s of the 60.3 s seizure, hit 10.3/60.3, FA 0.2/60.3; the
// second overlaps nothing exactly: 1 false alarm.
TEST(NedcGolden, ExactOverlapTaesVariant) {
  const fs::path dir = nedc_dir() + "/cases/taes_ref_scored_twice";
  const auto r = load(dir / "ref.csv_bi", dir / "hyp.csv_bi");
  const auto t = score_taes(r.ref, r.hyp, TaesOverlap::exact);
  EXPECT_NEAR(t.hits, 10.3 / 60.3, 1e-12);
  EXPECT_NEAR(t.misses, 1.0 - 10.3 / 60.3, 1e-12);
  EXPECT_NEAR(t.false_alarms, 0.2 / 60.3 + 1.0, 1e-12);
  const auto nedc = score_taes(r.ref, r.hyp);
  EXPECT_GT(nedc.hits + nedc.misses, 1.5);  // NEDC: hits + misses = 2 for one target
}

}  // namespace
}  // namespace ecgforest::eval

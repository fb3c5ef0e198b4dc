// Conformance of the aura2021 and head profiles with the reference outputs of the real Python
// libraries (../shared/data/hrv/golden, produced by make_golden.py). Every test names the golden
// file it compares and prints the differing values. Skipped when the shared data is absent.
#include <gtest/gtest.h>

#include <omp.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "ecgforest/hrv/aura2021.hpp"
#include "ecgforest/io/annotations.hpp"
#include "golden_util.hpp"
#include "support/shared_data.hpp"

namespace hrv = ecgforest::hrv;
namespace io = ecgforest::io;

namespace {

const std::vector<std::string> kSeries = {
    "real_tuh_00007633_s003_t007", "sinus_rsa_5min", "outliers", "ectopic_beats",
    "leading_trailing_outliers", "empty", "one_beat", "two_beats", "three_beats", "constant_800",
    "tachycardia_episode", "long_sinus_12min", "noisy_long_11min", "malik_cases", "all_outliers"};
const std::vector<std::string> kWindowed = {"real_tuh_00007633_s003_t007", "long_sinus_12min",
                                            "tachycardia_episode", "noisy_long_11min"};

bool is_spectral(const std::string& name) {
  return name == "lf" || name == "hf" || name == "vlf" || name == "lf_hf_ratio";
}
// SPEC 11 / issue: non-spectral 1e-12 relative, Welch band powers 1e-9 relative.
double tol_for(const std::string& name) { return is_spectral(name) ? 1e-9 : 1e-12; }

const char* profile_name(hrv::AuraProfile p) { return p == hrv::AuraProfile::head ? "head" : "aura2021"; }

class WholeSeries : public ::testing::TestWithParam<hrv::AuraProfile> {};

TEST_P(WholeSeries, CleaningStagesAndFeaturesMatchEveryGoldenSeries) {
  ECGFOREST_REQUIRE_SHARED(golden::available(), golden::hrv_dir() + "/golden/MANIFEST.json");
  const hrv::AuraProfile profile = GetParam();
  double worst = 0.0;
  for (const auto& name : kSeries) {
    const std::string file = golden::hrv_dir() + "/golden/whole/" + profile_name(profile) + "/" + name + ".json";
    const golden::Json g = golden::read_json(file);
    const auto rr = golden::read_rr_series(name);
    const hrv::AuraWholeResult r = hrv::aura_whole_series(rr, profile);
    golden::Diff diff(file);
    // Cleaning stages: exact (NaN positions included); stages the library never reached are absent.
    const std::pair<const char*, const std::vector<double>*> stages[] = {
        {"after_remove_outliers", &r.cleaning.after_remove_outliers},
        {"after_interpolate_1", &r.cleaning.after_interpolate_1},
        {"after_malik", &r.cleaning.after_malik},
        {"nn", &r.cleaning.nn}};
    for (const auto& [key, ours] : stages) {
      const golden::Json* st = g["cleaning"].find(key);
      if (!st) {
        if (!ours->empty()) diff.note(std::string("cleaning.") + key + ": golden has no such stage, we have " + std::to_string(ours->size()) + " values");
        continue;
      }
      const auto want = st->as_doubles();
      if (want.size() != ours->size()) {
        diff.note(std::string("cleaning.") + key + ": length " + std::to_string(ours->size()) + ", want " + std::to_string(want.size()));
        continue;
      }
      for (std::size_t i = 0; i < want.size(); ++i) diff.check(std::string("cleaning.") + key + "[" + std::to_string(i) + "]", (*ours)[i], want[i], 0.0);
    }
    const bool golden_error = g["cleaning_error"].kind != golden::Json::Null;
    if (golden_error != !r.cleaning.error.empty()) {
      diff.note("cleaning_error: got '" + r.cleaning.error + "', want " + (golden_error ? g["cleaning_error"].str : "none"));
    } else if (golden_error && g["cleaning_error"].str.rfind(r.cleaning.error, 0) != 0) {
      diff.note("cleaning_error text: got '" + r.cleaning.error + "', want '" + g["cleaning_error"].str + "'");
    }
    const auto& names = hrv::aura_feature_names();
    for (std::size_t c = 0; c < names.size(); ++c) {
      diff.check("features." + names[c], r.features[c], g["features"][names[c]].as_double(), tol_for(names[c]));
    }
    if (const golden::Json* printed = g.find("aura_printed"); printed && printed->kind == golden::Json::Str && profile == hrv::AuraProfile::aura2021) {
      if (printed->str != r.printed) diff.note("aura_printed: got '" + r.printed + "', want '" + printed->str + "'");
    }
    EXPECT_TRUE(diff.ok()) << diff.report();
    worst = std::max(worst, diff.max_rel());
  }
  std::printf("[golden whole/%s] 15 series, max relative error %.3g\n", profile_name(profile), worst);
}

TEST_P(WholeSeries, WelchSpectrumAndSampenIntermediatesMatchDebugGoldens) {
  ECGFOREST_REQUIRE_SHARED(golden::available(), golden::hrv_dir() + "/golden/MANIFEST.json");
  const hrv::AuraProfile profile = GetParam();
  double worst_psd = 0.0;
  for (const std::string name : {"sinus_rsa_5min", "three_beats", "constant_800", "ectopic_beats", "leading_trailing_outliers"}) {
    const std::string file = golden::hrv_dir() + "/golden/debug/" + profile_name(profile) + "/" + name + ".json";
    const golden::Json g = golden::read_json(file);
    const auto cl = hrv::aura_clean(golden::read_rr_series(name), profile);
    golden::Diff diff(file);
    std::vector<double> interp, psd;
    const bool ok = hrv::aura_welch_psd(cl.nn.data(), cl.nn.size(), interp, psd);
    if (g.find("error")) {
      if (ok) diff.note("golden has error '" + g["error"].str + "' but the Welch path ran");
      EXPECT_TRUE(diff.ok()) << diff.report();
      continue;
    }
    ASSERT_TRUE(ok) << file;
    diff.check("grid_n", static_cast<double>(interp.size()), g["grid_n"].as_double(), 0.0);
    const auto want_i = g["interpolated_nn"].as_doubles();
    for (std::size_t i = 0; i < std::min(want_i.size(), interp.size()); ++i) diff.check("interpolated_nn[" + std::to_string(i) + "]", interp[i], want_i[i], 1e-12);
    const auto want_p = g["welch_psd"].as_doubles();
    ASSERT_EQ(want_p.size(), psd.size()) << file;
    double pmax = 0.0;
    for (double p : want_p) pmax = std::max(pmax, std::abs(p));
    for (std::size_t k = 0; k < psd.size(); ++k) {
      // Per-bin error relative to the spectrum's peak (bins far below it carry FFT round-off).
      const double e = std::abs(psd[k] - want_p[k]) / std::max(pmax, 1e-300);
      worst_psd = std::max(worst_psd, e);
      if (e > 1e-9) diff.note("welch_psd[" + std::to_string(k) + "]: got " + std::to_string(psd[k]) + ", want " + std::to_string(want_p[k]));
    }
    double r = 0;
    long long a = 0, b = 0;
    if (cl.nn.size() >= 3) {
      hrv::aura_sampen(cl.nn.data(), cl.nn.size(), profile, &r, &a, &b);
      diff.check("sampen_tolerance", r, g["sampen_tolerance"].as_double(), 1e-12);
      diff.check("sampen_count_m2", static_cast<double>(a), g["sampen_count_m2"].as_double(), 0.0);
      diff.check("sampen_count_m3", static_cast<double>(b), g["sampen_count_m3"].as_double(), 0.0);
    }
    EXPECT_TRUE(diff.ok()) << diff.report();
  }
  std::printf("[golden debug/%s] max per-bin PSD error / peak %.3g\n", profile_name(profile), worst_psd);
}

INSTANTIATE_TEST_SUITE_P(HrvAuraGolden, WholeSeries,
                         ::testing::Values(hrv::AuraProfile::aura2021, hrv::AuraProfile::head),
                         [](const auto& pinfo) { return std::string(profile_name(pinfo.param)); });

class Windowed : public ::testing::TestWithParam<hrv::AuraProfile> {};

TEST_P(Windowed, TablesMatchGoldenCellByCell) {
  ECGFOREST_REQUIRE_SHARED(golden::available(), golden::hrv_dir() + "/golden/MANIFEST.json");
  const hrv::AuraProfile profile = GetParam();
  const std::string dir = golden::hrv_dir() + "/golden/windowed/" + profile_name(profile) + "/";
  double worst_td = 0.0, worst_spec = 0.0;
  for (const auto& name : kWindowed) {
    const auto rr = golden::read_rr_series(name);
    const hrv::AuraTable t = hrv::aura_windowed_table(rr, profile);
    if (std::filesystem::exists(dir + name + ".error.json")) {
      const golden::Json g = golden::read_json(dir + name + ".error.json");
      golden::Diff diff(dir + name + ".error.json");
      if (t.error.empty()) diff.note("golden raised '" + g["error"].str + "' but we produced a table");
      diff.check("raised_at.interval_index", static_cast<double>(t.error_row), g["raised_at"]["interval_index"].as_double(), 0.0);
      if (t.error_window != g["raised_at"]["window"].str) diff.note("raised_at.window: got " + t.error_window + ", want " + g["raised_at"]["window"].str);
      EXPECT_TRUE(diff.ok()) << diff.report();
      continue;
    }
    const std::string file = dir + name + ".csv";
    const golden::Csv g = golden::read_csv(file);
    golden::Diff diff(file);
    if (g.header != hrv::aura_table_columns()) diff.note("column names or order differ");
    if (static_cast<std::size_t>(t.values.rows()) != g.rows.size()) {
      diff.note("row count: got " + std::to_string(t.values.rows()) + ", want " + std::to_string(g.rows.size()));
    }
    golden::Diff td("time/nonlinear"), sp("spectral");
    for (std::size_t i = 0; i < std::min<std::size_t>(g.rows.size(), static_cast<std::size_t>(t.values.rows())); ++i) {
      for (std::size_t c = 0; c < g.header.size(); ++c) {
        const std::string& col = g.header[c];
        const double got = t.values(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(c));
        diff.check("row " + std::to_string(i) + " " + col, got, g.rows[i][c], tol_for(col));
        (is_spectral(col) ? sp : td).check(col, got, g.rows[i][c], 1.0);
      }
    }
    if (profile == hrv::AuraProfile::aura2021) {
      const std::string log = golden::slurp(dir + name + ".log");
      if (log != t.printed) diff.note("printed messages differ from " + dir + name + ".log");
    }
    EXPECT_TRUE(diff.ok()) << diff.report();
    worst_td = std::max(worst_td, td.max_rel());
    worst_spec = std::max(worst_spec, sp.max_rel());
  }
  std::printf("[golden windowed/%s] max relative error: non-spectral %.3g, Welch bands %.3g\n",
              profile_name(profile), worst_td, worst_spec);
}

TEST_P(Windowed, TableIsBitwiseIdenticalForOneAndTwoThreads) {
  ECGFOREST_REQUIRE_SHARED(golden::available(), golden::hrv_dir() + "/golden/MANIFEST.json");
  const auto rr = golden::read_rr_series("noisy_long_11min");
  const int before = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto a = hrv::aura_windowed_table(rr, GetParam());
  omp_set_num_threads(2);
  const auto b = hrv::aura_windowed_table(rr, GetParam());
  omp_set_num_threads(before);
  ASSERT_EQ(a.values.rows(), b.values.rows());
  EXPECT_EQ(0, std::memcmp(a.values.data(), b.values.data(), sizeof(double) * static_cast<std::size_t>(a.values.size())));
  EXPECT_EQ(a.printed, b.printed);
}

INSTANTIATE_TEST_SUITE_P(HrvAuraGolden, Windowed,
                         ::testing::Values(hrv::AuraProfile::aura2021, hrv::AuraProfile::head),
                         [](const auto& pinfo) { return std::string(profile_name(pinfo.param)); });

TEST(HrvAuraGoldenLabels, LabelsMatchGolden) {
  ECGFOREST_REQUIRE_SHARED(golden::available(), golden::hrv_dir() + "/golden/MANIFEST.json");
  for (const std::string name : {"real_tuh_00007633_s003_t007", "long_sinus_12min"}) {
    const std::string file = golden::hrv_dir() + "/golden/labels/" + name + ".csv";
    const golden::Csv g = golden::read_csv(file);
    const auto events = ecgforest::io::read_annotations(golden::hrv_dir() + "/golden/labels/" + name + ".tse_bi").events;
    // The row count comes from the RR series (SPEC 8.2), as in the windowed table.
    const auto table = hrv::aura_windowed_table(golden::read_rr_series(name), hrv::AuraProfile::aura2021);
    const auto labels = hrv::aura_labels(events, static_cast<std::size_t>(table.values.rows()));
    golden::Diff diff(file);
    if (labels.size() != g.rows.size()) diff.note("row count: got " + std::to_string(labels.size()) + ", want " + std::to_string(g.rows.size()));
    for (std::size_t i = 0; i < std::min(labels.size(), g.rows.size()); ++i) {
      diff.check("row " + std::to_string(i) + " label", labels[i], g.rows[i][2], 0.0);
    }
    EXPECT_TRUE(diff.ok()) << diff.report();
  }
}

}  // namespace

#include "ecgforest/pipeline/tune.hpp"

#include <algorithm>
#include <cstdio>
#include <cmath>
#include <sstream>
#include <string>

#include "ecgforest/core/error.hpp"
#include "ecgforest/eval/auc_compare.hpp"
#include "ecgforest/eval/metrics.hpp"
#include "ecgforest/comm/mpi.hpp"
#include "ecgforest/pipeline/train_data.hpp"

namespace ecgforest::pipeline {
namespace {

bool same_settings(const forest::ForestParams& a, const forest::ForestParams& b) {
  return a.max_depth == b.max_depth && a.min_samples_leaf == b.min_samples_leaf &&
         a.max_features == b.max_features && a.leaf_prior == b.leaf_prior;
}

/// OOB votes of `local` (all ranks' trees of a forest grown with `params` on `rows`): the mean
/// vote per training row, NaN for rows no tree left out of its sample.
std::vector<float> oob_scores(MPI_Comm comm, const parallel::LocalTrees& local, const TrainingSet& ts,
                              const std::vector<std::uint32_t>& rows, const forest::ForestParams& params) {
  const auto acc = parallel::oob_distributed(comm, local, ts.xb, ts.y, rows, params);
  std::vector<float> score(rows.size(), std::nanf(""));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (forest::vote_count(acc[i]) > 0) score[i] = static_cast<float>(forest::vote_mean(acc[i]));
  }
  return score;
}

/// Scores a candidate against the configured setting's OOB scores `base` on the rows both voted
/// on: its OOB AUC, the paired gain and its patient-clustered standard error.
void score_candidate(TuneCandidate& c, const std::vector<float>& cand, const std::vector<float>& base,
                     const TrainingSet& ts, const std::vector<std::uint32_t>& rows, std::size_t* patients) {
  std::vector<float> a, b;
  std::vector<std::uint8_t> truth;
  std::vector<std::uint32_t> patient;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (std::isnan(cand[i]) || std::isnan(base[i])) continue;
    a.push_back(cand[i]);
    b.push_back(base[i]);
    truth.push_back(ts.y[rows[i]]);
    patient.push_back(ts.patient[rows[i]]);
  }
  c.oob_auc = a.empty() ? std::nan("") : eval::roc_auc(a, truth);
  const auto d = eval::paired_auc_difference(a, b, truth, patient);
  c.gain = d.difference;
  c.gain_se = d.std_error;
  if (patients) *patients = d.clusters;
}

}  // namespace

std::vector<forest::ForestParams> tune_grid(const forest::ForestParams& base, std::size_t n_features) {
  const int k = base.max_features > 0
                    ? std::min(base.max_features, static_cast<int>(n_features))
                    : std::max(1, static_cast<int>(std::floor(std::sqrt(static_cast<double>(n_features)))));
  std::vector<forest::ForestParams> grid{base};
  auto add = [&](auto change) {
    auto p = base;
    change(p);
    for (const auto& q : grid)
      if (same_settings(p, q)) return;
    grid.push_back(p);
  };
  const int d = base.max_depth;
  add([&](auto& p) { p.max_depth = d > 0 ? std::max(2, (d * 3 + 2) / 5) : 8; });
  add([&](auto& p) { p.max_depth = d > 0 ? (d * 3 + 1) / 2 : 16; });
  add([&](auto& p) { p.min_samples_leaf = std::max(1, base.min_samples_leaf / 4); });
  add([&](auto& p) { p.min_samples_leaf = base.min_samples_leaf * 4; });
  add([&](auto& p) { p.max_features = std::min(2 * k, static_cast<int>(n_features)); });
  add([&](auto& p) { p.leaf_prior = base.leaf_prior > 0 ? base.leaf_prior * 4 : 25.0; });
  return grid;
}

std::string tune_settings_text(const forest::ForestParams& p) {
  std::ostringstream os;
  os << "max_depth=" << p.max_depth << " min_samples_leaf=" << p.min_samples_leaf
     << " max_features=" << p.max_features << " leaf_prior=" << p.leaf_prior;
  return os.str();
}

TuneResult tune_forest(MPI_Comm comm, const TrainingSet& ts, const std::vector<std::uint32_t>& rows,
                       const forest::ForestParams& base, const GrowFn& grow_fn) {
  if (forest::effective_sampling(base) == forest::Bootstrap::none) {
    throw ConfigError("train.tune (--tune) scores settings by their out-of-bag estimate, which needs a sampling "
                      "of rows per tree; set train.bootstrap to 'subsample', 'standard' or 'balanced'.");
  }
  auto grow = [&](const std::string& phase, const forest::ForestParams& p) {
    return grow_fn ? grow_fn(phase, rows, p) : parallel::grow_distributed(comm, ts.xb, ts.y, rows, p);
  };
  TuneResult r;
  const auto grid = tune_grid(base, ts.xb.n_features());
  std::vector<float> base_scores;
  for (const auto& p : grid) {
    auto half = p;
    half.n_trees = std::max(1, p.n_trees / 2);
    const auto local = grow("tune " + std::to_string(r.candidates.size() + 1) + "/" + std::to_string(grid.size()), half);
    auto scores = oob_scores(comm, local, ts, rows, half);
    if (r.candidates.empty()) base_scores = scores;
    r.candidates.push_back({p});
    score_candidate(r.candidates.back(), scores, base_scores, ts, rows, &r.patients);
  }
  // tune_select.hpp: the configured settings (candidate 0) stay unless another candidate's gain
  // exceeds its noise margin.
  std::vector<double> gains, margins;
  for (auto& c : r.candidates) {
    if (&c != &r.candidates[0]) c.margin = tune_margin(c.gain_se, r.patients, r.candidates.size() - 1);
    gains.push_back(c.gain);
    margins.push_back(c.margin);
  }
  r.chosen = choose_tuned(gains, margins);
  r.local = grow("tune chosen (final forest)", r.candidates[r.chosen].params);
  return r;
}

void apply_tuned(TrainSettings& t, const forest::ForestParams& p) {
  t.max_depth = p.max_depth;
  t.min_samples_leaf = p.min_samples_leaf;
  t.max_features = p.max_features;
  t.leaf_prior = p.leaf_prior;
}

namespace {
void settings_json(JsonWriter& j, const forest::ForestParams& p) {
  j.key("max_depth").value(p.max_depth).key("min_samples_leaf").value(p.min_samples_leaf);
  j.key("max_features").value(p.max_features).key("leaf_prior").value(p.leaf_prior);
}
}  // namespace

void write_tune_json(JsonWriter& j, const TuneResult& r) {
  j.begin_object();
  j.key("score").value("oob_roc_auc of the first half of the trees");
  j.key("rule").value("a setting replaces the configured one (first candidate) only when its oob_gain exceeds its "
                      "margin = max(min_margin, t quantile x gain_std_error); the largest oob_gain - margin wins");
  j.key("min_margin").value(kTuneMinGain).key("alpha").value(kTuneAlpha);
  j.key("patients").value(static_cast<std::uint64_t>(r.patients));
  j.key("candidates").begin_array();
  for (const auto& c : r.candidates) {
    j.begin_object();
    settings_json(j, c.params);
    j.key("oob_roc_auc").value(c.oob_auc).key("oob_gain").value(c.gain);
    j.key("gain_std_error").value(c.gain_se).key("margin").value(c.margin);
    j.end_object();
  }
  j.end_array();
  j.key("chosen_index").value(static_cast<std::uint64_t>(r.chosen));
  j.key("chosen").begin_object();
  settings_json(j, r.candidates[r.chosen].params);
  j.end_object();
  j.end_object();
}

std::string tune_summary(const TuneResult& r) {
  std::ostringstream os;
  os << "train: tune: " << r.candidates.size() << " settings scored by out-of-bag ROC AUC (half the trees); a setting "
     << "replaces the configured one when its gain exceeds its margin (noise over " << r.patients << " patients):\n";
  for (std::size_t i = 0; i < r.candidates.size(); ++i) {
    const auto& c = r.candidates[i];
    char auc[96];
    if (i == 0) {
      std::snprintf(auc, sizeof auc, "%.4f  (configured)", c.oob_auc);
    } else {
      std::snprintf(auc, sizeof auc, "%.4f  gain %+.4f  margin %.4f", c.oob_auc, c.gain, c.margin);
    }
    os << "  " << (i == r.chosen ? "* " : "  ") << tune_settings_text(c.params) << "  oob_auc " << auc << "\n";
  }
  os << "train: tune: chosen " << tune_settings_text(r.candidates[r.chosen].params) << "\n";
  return os.str();
}

}  // namespace ecgforest::pipeline

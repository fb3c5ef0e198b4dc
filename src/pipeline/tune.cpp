#include "ecgforest/pipeline/tune.hpp"

#include <algorithm>
#include <cstdio>
#include <cmath>
#include <set>
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

/// The tuning folds of the training rows; each fold's split is made when needed (not kept: at
/// 1M rows the three splits would hold 16 MB for the whole grid).
struct Folds {
  const std::vector<std::uint32_t>& rows;
  const std::vector<int>& fold;
  int k;
  FoldSplit split(int f) const { return split_fold(rows, fold, f); }
};

/// The fold forests of `params` (one per tuning fold): for each fold, tune_fold_trees trees grown
/// on the other folds' rows. Fold seeds as in train's CV.
std::vector<parallel::LocalTrees> grow_fold_forests(MPI_Comm comm, const TrainingSet& ts, const Folds& folds,
                                                    const forest::ForestParams& params, const std::string& phase,
                                                    const GrowFn& grow_fn) {
  std::vector<parallel::LocalTrees> forests;
  const int k = folds.k;
  for (int f = 0; f < k; ++f) {
    auto fp = params;
    fp.n_trees = tune_fold_trees(params.n_trees);
    fp.seed = fold_seed(params.seed, f);
    const auto name = phase + " fold " + std::to_string(f + 1) + "/" + std::to_string(k);
    const auto train_rows = folds.split(f).train_rows;
    forests.push_back(grow_fn ? grow_fn(name, train_rows, fp) : parallel::grow_distributed(comm, ts.xb, ts.y, train_rows, fp));
  }
  return forests;
}

/// COLLECTIVE: whether every rank's trees of `forests` kept their node counts (trees restored
/// from a checkpoint did not), so that other leaf priors can be derived from them.
bool counts_kept(MPI_Comm comm, const std::vector<parallel::LocalTrees>& forests) {
  int kept = 1;
  for (const auto& fold : forests)
    for (const auto& t : fold.trees)
      if (t.count0.size() != t.n_nodes()) kept = 0;
  comm::check_mpi(MPI_Allreduce(MPI_IN_PLACE, &kept, 1, MPI_INT, MPI_MIN, comm), "MPI_Allreduce (tune node counts)");
  return kept != 0;
}

/// The fold forests of `base_forests` with leaf_prior `leaf_prior` (forest::with_leaf_prior).
std::vector<parallel::LocalTrees> with_leaf_prior(std::vector<parallel::LocalTrees> forests, double leaf_prior) {
  for (auto& fold : forests)
    for (auto& t : fold.trees) t = forest::with_leaf_prior(std::move(t), leaf_prior);
  return forests;
}

/// Out-of-fold scores of the fold forests: each fold's forest predicts that fold's rows.
std::vector<float> out_of_fold_scores(MPI_Comm comm, const TrainingSet& ts, const Folds& folds,
                                      const std::vector<parallel::LocalTrees>& forests) {
  std::vector<float> score(folds.rows.size(), std::nanf(""));
  for (int f = 0; f < folds.k; ++f) {
    const FoldSplit split = folds.split(f);
    const auto prob = parallel::predict_distributed_binned(comm, forests[static_cast<std::size_t>(f)], ts.xb, split.test_rows);
    for (std::size_t i = 0; i < split.test_pos.size(); ++i) score[split.test_pos[i]] = prob[i];
  }
  return score;
}

/// Scores a candidate against the configured setting's out-of-fold scores `base` (every row is
/// held out once): its ROC AUC, the paired gain and its patient-clustered standard error.
void score_candidate(TuneCandidate& c, const std::vector<float>& cand, const std::vector<float>& base,
                     const std::vector<std::uint8_t>& truth, const std::vector<std::uint32_t>& patient) {
  c.auc = eval::roc_auc(cand, truth);
  const auto d = eval::paired_auc_difference(cand, base, truth, patient);
  c.gain = d.difference;
  c.gain_se = d.std_error;
}

/// Scores every candidate of `grid` (grid[0] = the configured setting) by out-of-fold ROC AUC on
/// the patient-grouped folds `fold` and its paired gain over grid[0]; appends them to r.candidates.
/// The configured setting's fold trees keep their node counts, so a candidate that differs from it
/// only in leaf_prior is scored with those trees and re-derived leaf values (forest::with_leaf_prior).
void score_grid(MPI_Comm comm, const TrainingSet& ts, const std::vector<std::uint32_t>& rows,
                const std::vector<forest::ForestParams>& grid, const std::vector<int>& fold,
                const std::vector<std::uint8_t>& truth, const std::vector<std::uint32_t>& patient, const GrowFn& grow_fn,
                TuneResult& r) {
  const Folds folds{rows, fold, r.folds};
  const auto& base = grid[0];
  auto counted = base;
  counted.keep_counts = true;
  const auto phase = [&grid](std::size_t k) { return "tune " + std::to_string(k) + "/" + std::to_string(grid.size()); };
  const auto base_forests = grow_fold_forests(comm, ts, folds, counted, phase(1), grow_fn);
  const bool derivable = counts_kept(comm, base_forests);
  std::vector<float> base_scores;
  for (const auto& p : grid) {
    auto same_trees = p;
    same_trees.leaf_prior = base.leaf_prior;
    const bool first = r.candidates.empty();
    const bool derived = !first && derivable && same_settings(same_trees, base);
    const auto scores =
        first ? out_of_fold_scores(comm, ts, folds, base_forests)
              : out_of_fold_scores(comm, ts, folds,
                                   derived ? with_leaf_prior(base_forests, p.leaf_prior)
                                           : grow_fold_forests(comm, ts, folds, p, phase(r.candidates.size() + 1), grow_fn));
    if (first) base_scores = scores;
    r.candidates.push_back({p});
    r.candidates.back().derived = derived;
    score_candidate(r.candidates.back(), scores, base_scores, truth, patient);
  }
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

int tune_fold_trees(int n_trees) { return std::max(1, (n_trees + 5) / 6); }

TuneResult tune_forest(MPI_Comm comm, const TrainingSet& ts, const std::vector<std::uint32_t>& rows,
                       const forest::ForestParams& base, const GrowFn& grow_fn) {
  TuneResult r;
  const auto grid = tune_grid(base, ts.xb.n_features());
  std::vector<std::uint32_t> patient(rows.size());
  std::vector<std::uint8_t> truth(rows.size());
  std::set<std::uint32_t> distinct;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    distinct.insert(patient[i] = ts.patient[rows[i]]);
    truth[i] = ts.y[rows[i]];
  }
  r.patients = distinct.size();
  r.folds = r.patients < 2 ? 0 : static_cast<int>(std::min<std::size_t>(kTuneFolds, r.patients));
  if (r.folds >= 2) {
    r.fold_trees = tune_fold_trees(base.n_trees);
    score_grid(comm, ts, rows, grid, eval::group_kfold(patient, r.folds, base.seed), truth, patient, grow_fn, r);
  } else {  // one patient: no patient-grouped score; the configured settings stay
    for (const auto& p : grid) r.candidates.push_back({p, std::nan(""), std::nan(""), std::nan("")});
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
  const auto& chosen = r.candidates[r.chosen].params;
  r.local = grow_fn ? grow_fn("tune chosen (final forest)", rows, chosen)
                    : parallel::grow_distributed(comm, ts.xb, ts.y, rows, chosen);
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
  j.key("score").value("roc_auc of patient-grouped cross-validation (folds x fold_trees trees, each fold held out)");
  j.key("folds").value(r.folds).key("fold_trees").value(r.fold_trees);
  j.key("rule").value("a setting replaces the configured one (first candidate) only when its gain exceeds its "
                      "margin = max(min_margin, t quantile x gain_std_error); the largest gain - margin wins");
  j.key("min_margin").value(kTuneMinGain).key("alpha").value(kTuneAlpha);
  j.key("patients").value(static_cast<std::uint64_t>(r.patients));
  j.key("candidates").begin_array();
  for (const auto& c : r.candidates) {
    j.begin_object();
    settings_json(j, c.params);
    j.key("roc_auc").value(c.auc).key("gain").value(c.gain);
    j.key("gain_std_error").value(c.gain_se).key("margin").value(c.margin);
    j.key("trees").value(c.derived ? "the configured setting's, leaf values re-derived" : "grown");
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
  os << "train: tune: " << r.candidates.size() << " settings scored by the ROC AUC of " << r.folds << "-fold patient-grouped "
     << "cross-validation (" << r.fold_trees << " trees per fold); a setting replaces the configured one when its "
     << "gain exceeds its margin (noise over " << r.patients << " patients):\n";
  for (std::size_t i = 0; i < r.candidates.size(); ++i) {
    const auto& c = r.candidates[i];
    char auc[96];
    if (i == 0) {
      std::snprintf(auc, sizeof auc, "%.4f  (configured)", c.auc);
    } else {
      std::snprintf(auc, sizeof auc, "%.4f  gain %+.4f  margin %.4f", c.auc, c.gain, c.margin);
    }
    os << "  " << (i == r.chosen ? "* " : "  ") << tune_settings_text(c.params) << "  auc " << auc
       << (c.derived ? "  (configured trees, leaf values re-derived)" : "") << "\n";
  }
  os << "train: tune: chosen " << tune_settings_text(r.candidates[r.chosen].params) << "\n";
  return os.str();
}

}  // namespace ecgforest::pipeline

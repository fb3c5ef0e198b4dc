#pragma once
// `train --tune`: a small grid of forest settings around the configured ones, each scored by the
// ROC AUC of a patient-grouped cross-validation, the best one kept as the model.
//
// Why not the out-of-bag estimate (used until issue 14's last step): out-of-bag rows share
// patients, and with overlapping windows nearly the same feature vectors, with the in-bag rows, so
// it rewards settings that memorise (OOB AUC 0.997 against 0.886 on new patients on the
// benchmark cohort). Held-out patients score what the model is for.
//
// Cost: every candidate grows, for each of kTuneFolds patient-grouped folds, tune_fold_trees(n)
// = n/6 trees on the other folds' rows (the same folds and fold seeds as train's CV) and predicts
// the fold; with 3 folds that is about n/3 trees on all rows per candidate. The winner is then
// grown whole (all n trees), so its forest is exactly the forest a plain `train` with the winner's
// settings gives. With the 7 candidates of tune_grid that is about 3.3 forests in all; the
// leaf_prior candidate grows nothing: the configured setting's fold trees keep their node counts
// and take its prior (forest::with_leaf_prior), the very trees growing would give.
// A candidate replaces the configured settings only when its AUC gain (paired, on the same rows)
// exceeds the noise of that gain: the rule of tune_select.hpp, with the gain's standard error
// clustered by patient (eval/auc_compare.hpp). With one patient nothing is scored and the
// configured settings stay.
// Deterministic and rank-invariant: trees are seeded by (seed, fold, global index), the votes are
// integer sums, and every rank computes the same AUCs.
#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ecgforest/core/config.hpp"
#include "ecgforest/core/json.hpp"
#include "ecgforest/forest/forest.hpp"
#include "ecgforest/parallel/forest.hpp"
#include "ecgforest/pipeline/train_grow.hpp"
#include "ecgforest/pipeline/tune_select.hpp"

namespace ecgforest::pipeline {

struct TrainingSet;

inline constexpr int kTuneFolds = 3;

/// Trees of each fold's forest when scoring a candidate: n_trees / 6 rounded up, at least 1.
int tune_fold_trees(int n_trees);

struct TuneCandidate {
  forest::ForestParams params;
  double auc = 0;       ///< out-of-fold ROC AUC (NaN: undefined, or one patient)
  double gain = 0;      ///< auc - the configured setting's, on the same rows (0 for candidates[0])
  double gain_se = 0;   ///< patient-clustered standard error of gain (NaN: fewer than 2 patients)
  double margin = 0;    ///< gain needed to replace the configured setting (tune_margin; 0 for candidates[0])
  bool derived = false; ///< scored with the configured setting's fold trees and re-derived leaf values
                        ///< (it differs only in leaf_prior; forest::with_leaf_prior): nothing grown
};

struct TuneResult {
  std::vector<TuneCandidate> candidates;  ///< in grid order; candidates[0] = the configured settings
  std::size_t chosen = 0;                 ///< index into candidates (choose_tuned)
  std::size_t patients = 0;               ///< patients among the training rows (clusters of gain_se)
  int folds = 0;                          ///< patient-grouped folds (0: one patient, nothing scored)
  int fold_trees = 0;                     ///< trees per fold forest
  parallel::LocalTrees local;             ///< this rank's trees of the chosen forest (all n_trees)
};

/// The grid around `base` (n_features columns), one setting changed at a time: base itself, then
/// max_depth x 0.6 and x 1.5 (unlimited: 8 and 16), min_samples_leaf / 4 and x 4, max_features
/// x 2 (of the resolved count, at most n_features), leaf_prior x 4 (0: 25). Duplicates of earlier
/// candidates are dropped.
std::vector<forest::ForestParams> tune_grid(const forest::ForestParams& base, std::size_t n_features);

/// COLLECTIVE: scores tune_grid(base) on the training rows `rows` of `ts` and grows the chosen
/// forest. Throws CollectiveError (on every rank) when growth fails.
/// `grow` grows each forest (phases "tune c/C fold f/F" and "tune chosen (final forest)";
/// default: grow_distributed).
TuneResult tune_forest(MPI_Comm comm, const TrainingSet& ts, const std::vector<std::uint32_t>& rows,
                       const forest::ForestParams& base, const GrowFn& grow = {});

/// The tuned settings written back into `t` (for the effective configuration stored in the model).
void apply_tuned(TrainSettings& t, const forest::ForestParams& p);

/// The "tune" object of the metrics JSON: score, rule, candidates with AUC, gain, error, margin; chosen.
void write_tune_json(JsonWriter& j, const TuneResult& r);

/// Human lines for the train summary ("train: tune: ..."), one per candidate and the choice.
std::string tune_summary(const TuneResult& r);

/// "max_depth=10 min_samples_leaf=20 max_features=5 leaf_prior=100" (max_features 0 printed as 0).
std::string tune_settings_text(const forest::ForestParams& p);

}  // namespace ecgforest::pipeline

#pragma once
// `train --tune`: a small grid of forest settings around the configured ones, each scored by its
// out-of-bag ROC AUC (no refit, no extra data), the best one kept as the model.
//
// Cost: every candidate grows the first half of the trees (global indices [0, n/2)) and is scored
// on their out-of-bag votes; the winner is then grown whole (all n trees), so its forest is exactly
// the forest a plain `train` with the winner's settings gives. With the 7 candidates of tune_grid
// that is about 4.5 forests in all (the OOB votes are cheap next to growing).
// A candidate replaces the configured settings only when its OOB AUC gain (paired, on the same
// rows) exceeds the noise of that gain: the rule of tune_select.hpp, with the gain's standard
// error clustered by patient (eval/auc_compare.hpp).
// Deterministic and rank-invariant: trees are seeded by (seed, global index), the OOB votes are
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

struct TuneCandidate {
  forest::ForestParams params;
  double oob_auc = 0;   ///< OOB ROC AUC of the first half of the trees (NaN: undefined)
  double gain = 0;      ///< oob_auc - the configured setting's, on the same rows (0 for candidates[0])
  double gain_se = 0;   ///< patient-clustered standard error of gain (NaN: fewer than 2 patients)
  double margin = 0;    ///< gain needed to replace the configured setting (tune_margin; 0 for candidates[0])
};

struct TuneResult {
  std::vector<TuneCandidate> candidates;  ///< in grid order; candidates[0] = the configured settings
  std::size_t chosen = 0;                 ///< index into candidates (choose_tuned)
  std::size_t patients = 0;               ///< patients among the scored rows (clusters of gain_se)
  parallel::LocalTrees local;             ///< this rank's trees of the chosen forest (all n_trees)
};

/// The grid around `base` (n_features columns), one setting changed at a time: base itself, then
/// max_depth x 0.6 and x 1.5 (unlimited: 8 and 16), min_samples_leaf / 4 and x 4, max_features
/// x 2 (of the resolved count, at most n_features), leaf_prior x 4 (0: 25). Duplicates of earlier
/// candidates are dropped.
std::vector<forest::ForestParams> tune_grid(const forest::ForestParams& base, std::size_t n_features);

/// COLLECTIVE: scores tune_grid(base) on the training rows `rows` of `ts` and grows the chosen
/// forest. Throws CollectiveError (on every rank) when growth fails; ConfigError when the
/// sampling is 'none' (no out-of-bag rows to score with).
/// `grow` grows each forest (phases "tune k/K" and "tune chosen"; default: grow_distributed).
TuneResult tune_forest(MPI_Comm comm, const TrainingSet& ts, const std::vector<std::uint32_t>& rows,
                       const forest::ForestParams& base, const GrowFn& grow = {});

/// The tuned settings written back into `t` (for the effective configuration stored in the model).
void apply_tuned(TrainSettings& t, const forest::ForestParams& p);

/// The "tune" object of the metrics JSON: score, margin, candidates with their OOB AUC, chosen.
void write_tune_json(JsonWriter& j, const TuneResult& r);

/// Human lines for the train summary ("train: tune: ..."), one per candidate and the choice.
std::string tune_summary(const TuneResult& r);

/// "max_depth=10 min_samples_leaf=20 max_features=5 leaf_prior=100" (max_features 0 printed as 0).
std::string tune_settings_text(const forest::ForestParams& p);

}  // namespace ecgforest::pipeline

#include "ecgforest/pipeline/extract.hpp"
#include "ecgforest/pipeline/train.hpp"
#include "ecgforest/pipeline/train_cv.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "ecgforest/core/clock.hpp"
#include "ecgforest/core/error.hpp"
#include "ecgforest/core/json.hpp"
#include "ecgforest/core/privacy.hpp"
#include "ecgforest/core/progress.hpp"
#include "ecgforest/forest/forest.hpp"
#include "ecgforest/io/features_file.hpp"
#include "ecgforest/io/model_file.hpp"
#include "ecgforest/pipeline/model.hpp"
#include "ecgforest/pipeline/privacy.hpp"
#include "ecgforest/parallel/boost.hpp"
#include "ecgforest/parallel/forest.hpp"
#include "ecgforest/comm/mpi.hpp"
#include "ecgforest/pipeline/train_data.hpp"
#include "ecgforest/pipeline/train_grow.hpp"
#include "ecgforest/pipeline/tune.hpp"
#include "ecgforest/core/rng.hpp"
#include "ecgforest/version.hpp"
#include "ecgforest/io/text_file.hpp"
#include "ecgforest/core/text.hpp"

namespace ecgforest::pipeline {
namespace {

forest::ForestParams forest_params(const Config& c) {
  forest::ForestParams p;
  p.n_trees = c.train.trees;
  p.max_features = c.train.max_features;
  p.max_depth = c.train.max_depth;
  p.min_samples_leaf = c.train.min_samples_leaf;
  p.bootstrap = c.train.bootstrap != Bootstrap::none;
  p.sampling = p.bootstrap ? c.train.bootstrap : Bootstrap::standard;
  p.sample_fraction = c.train.sample_fraction;
  p.leaf_prior = c.train.leaf_prior;
  p.class_weight = c.train.class_weight;
  p.seed = c.train.seed;
  p.max_bins = c.train.max_bins;
  return p;
}

/// Out-of-bag metrics and permutation importances of the final forest (COLLECTIVE).
/// Permutation importance of feature f = OOB ROC AUC - OOB ROC AUC with f's codes permuted among
/// an evaluation subset (all positives up to 2000 and negatives up to 8000, taken by stride).
struct OobResult {
  bool done = false;
  eval::BinaryMetrics metrics;
  std::size_t n_rows = 0;        ///< rows with at least one OOB vote
  std::size_t n_eval = 0;        ///< rows of the permutation subset
  std::vector<double> permutation;  ///< per feature (NaN when the AUC is undefined)
};

OobResult out_of_bag(MPI_Comm comm, const parallel::LocalTrees& local, const TrainingSet& ts,
                     const std::vector<std::uint32_t>& rows, const forest::ForestParams& params, double threshold,
                     bool report) {
  OobResult r;
  const auto n_trees = static_cast<std::uint64_t>(params.n_trees);
  auto oob_bar = Progress::to_stderr(report, "train: out-of-bag votes", "trees", n_trees);
  const auto acc = parallel::oob_distributed(comm, local, ts.xb, ts.y, rows, params, oob_bar.callback());
  oob_bar.finish();
  std::vector<float> score;
  std::vector<std::uint8_t> truth;
  std::vector<std::uint32_t> pos_with_vote;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (forest::vote_count(acc[i]) == 0) continue;
    score.push_back(static_cast<float>(forest::vote_mean(acc[i])));
    truth.push_back(ts.y[rows[i]]);
    pos_with_vote.push_back(static_cast<std::uint32_t>(i));
  }
  r.n_rows = score.size();
  if (score.empty()) return r;
  r.metrics = eval::binary_metrics(score, truth, threshold);
  r.done = true;
  // Evaluation subset for the permutations, by stride within each class.
  std::size_t n_cls[2] = {0, 0};
  for (auto t : truth) ++n_cls[t];
  const std::size_t cap[2] = {8000, 2000};
  std::vector<std::uint32_t> eval_pos;
  std::size_t seen[2] = {0, 0};
  for (std::size_t k = 0; k < truth.size(); ++k) {
    const int c = truth[k];
    const std::size_t stride = std::max<std::size_t>(1, (n_cls[c] + cap[c] - 1) / cap[c]);
    if (seen[c]++ % stride == 0) eval_pos.push_back(pos_with_vote[k]);
  }
  r.n_eval = eval_pos.size();
  const std::size_t F = ts.xb.n_features(), m = eval_pos.size();
  std::vector<std::vector<std::uint32_t>> perm(F, std::vector<std::uint32_t>(m));
  for (std::size_t f = 0; f < F; ++f) {
    auto& p = perm[f];
    for (std::size_t k = 0; k < m; ++k) p[k] = static_cast<std::uint32_t>(k);
    Xoshiro256 rng(hash_seed(params.seed ^ 0x7065726dULL, f));
    for (std::size_t k = m; k > 1; --k) std::swap(p[k - 1], p[rng.below(static_cast<std::uint32_t>(k))]);
  }
  auto perm_bar = Progress::to_stderr(report, "train: permutation importance", "trees", n_trees);
  const auto pacc =
      parallel::permutation_distributed(comm, local, ts.xb, ts.y, rows, params, eval_pos, perm, perm_bar.callback());
  perm_bar.finish();
  std::vector<float> base(m), permuted(m);
  std::vector<std::uint8_t> t(m);
  for (std::size_t k = 0; k < m; ++k) {
    base[k] = static_cast<float>(forest::vote_mean(acc[eval_pos[k]]));
    t[k] = ts.y[rows[eval_pos[k]]];
  }
  const double base_auc = eval::roc_auc(base, t);
  r.permutation.resize(F);
  for (std::size_t f = 0; f < F; ++f) {
    for (std::size_t k = 0; k < m; ++k) permuted[k] = static_cast<float>(forest::vote_mean(pacc[f * m + k]));
    r.permutation[f] = base_auc - eval::roc_auc(permuted, t);
  }
  return r;
}

/// Mean impurity decrease per feature over the trees (in tree order), normalised to sum 1.
std::vector<double> impurity_importance(const std::vector<forest::Tree>& trees, std::size_t n_features) {
  std::vector<double> imp(n_features, 0.0);
  for (const auto& t : trees)
    for (std::size_t f = 0; f < n_features && f < t.importance.size(); ++f) imp[f] += t.importance[f];
  double sum = 0;
  for (double v : imp) sum += v;
  if (sum > 0)
    for (double& v : imp) v /= sum;
  return imp;
}

void metrics_json(JsonWriter& j, const eval::BinaryMetrics& m) {
  j.begin_object();
  j.key("tp").value(static_cast<std::uint64_t>(m.tp)).key("fp").value(static_cast<std::uint64_t>(m.fp));
  j.key("tn").value(static_cast<std::uint64_t>(m.tn)).key("fn").value(static_cast<std::uint64_t>(m.fn));
  j.key("sensitivity").value(m.sensitivity).key("specificity").value(m.specificity);
  j.key("precision").value(m.precision).key("f1").value(m.f1);
  j.key("roc_auc").value(m.roc_auc).key("pr_auc").value(m.pr_auc);
  j.end_object();
}

std::string row_text(const std::string& name, std::size_t n_test, std::size_t n_pos, const eval::BinaryMetrics& m) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "  %-8s %8zu %7zu %7.3f %7.3f %7.3f %7.3f %7.3f %7.3f\n", name.c_str(), n_test, n_pos,
                m.sensitivity, m.specificity, m.precision, m.f1, m.roc_auc, m.pr_auc);
  return buf;
}


// Warning when the CV's hours cannot show the budget (eval::cv_shows_budget).
std::string budget_warning(double cv_hours, double budget) {
  return "train: warning: the cross-validation covers " + fixed_text(cv_hours, 1) + " h; showing a false-alarm rate within " +
         fixed_text(budget, -1) + " per 24 h takes at least " + fixed_text(eval::lowering_evidence_hours(budget), 0) +
         " h (no alarm in T hours bounds the rate below 72/T per 24 h at 95 % confidence), so this model's false-alarm "
         "rate is unknown: models trained on 8-h cohorts raised 0 to 18 false alarms per 24 h on real daily-life heart "
         "rhythm (README, Quick start, the 8-h column). Train on more hours before trusting its alarms.\n";
}

// One line for the summary: what CV chose and what it scored (and budget_warning when due).
std::string operating_point_text(const eval::PostprocessChoice& c, double budget) {
  const auto& pp = c.chosen;
  const auto& sc = c.score;
  std::ostringstream os;
  os << "train: operating point chosen by patient-grouped CV " << (c.fits_budget ? "within " : "(nothing met ")
     << fixed_text(budget, -1) << " FA/24h" << (c.fits_budget ? "" : "; fewest false alarms kept)") << " from "
     << c.n_candidates << " settings: smoothing " << choice_name(pp.smoothing) << " x" << pp.smoothing_windows << ", threshold "
     << fixed_text(pp.threshold, -1) << ", min duration " << fixed_text(pp.min_duration_s, -1) << " s, merge gap "
     << fixed_text(pp.merge_gap_s, -1) << " s -> OVLP sensitivity " << fixed_text(sc.ovlp_sensitivity, -1) << " (" << sc.hits << "/"
     << sc.n_ref << "), " << fixed_text(sc.ovlp_fa_per_24h, -1) << " FA/24h (" << sc.false_alarms << " in "
     << fixed_text(sc.hours, -1) << " h), median latency " << fixed_text(sc.latency_median_s, -1)
     << " s (alarm " << fixed_text(sc.alarm_latency_median_s, -1) << " s)";
  if (pp.alarm_within_s > 0)
    os << "; " << sc.alarmed_within << "/" << sc.n_ref << " alarmed within " << fixed_text(pp.alarm_within_s, -1) << " s";
  os << "\n";
  if (pp.alarm_within_s > 0 && c.fits_budget && sc.alarmed_within == 0)
    os << "train: no setting within the budget alarmed a CV seizure within " << fixed_text(pp.alarm_within_s, -1)
       << " s of onset (postprocess.alarm_within_s); chosen by sensitivity as without it.\n";
  if (pp.max_alarm_latency_s > 0 && c.fits_budget && !c.meets_alarm_latency)
    os << "train: no setting within the budget raised its alarms within " << fixed_text(pp.max_alarm_latency_s, -1)
       << " s of onset (median, postprocess.max_alarm_latency_s); chosen as without that limit.\n";
  if (budget > 0 && !eval::cv_shows_budget(sc.hours, budget)) os << budget_warning(sc.hours, budget);
  return os.str();
}

// COLLECTIVE: throws (on every rank) when the training set cannot train a forest: no rows, or
// only one class.
void check_trainable(const TrainingSet& ts, const std::filesystem::path& features, const TrainSettings& train) {
  const std::size_t n_rows = ts.y.size(), n_pos = ts.n_positive();
  if (ts.n_windows == 0) {
    throw CollectiveError("The features file " + features.string() + " holds no windows at all: every recording failed "
                          "or was shorter than one window. `ecgforest inspect " + features.string() +
                          "` lists the recordings with their status and message; fix those inputs and extract again.");
  }
  if (n_rows == 0) {
    throw CollectiveError("The features file " + features.string() + " has no training windows: " +
                          std::to_string(ts.n_nan_label) + " of " + std::to_string(ts.n_windows) +
                          " windows have no label (NaN)" +
                          (ts.sqi_filter ? " and " + std::to_string(ts.n_low_sqi) + " have sqi below train.min_sqi " +
                                               fixed_text(train.min_sqi, -1)
                                         : std::string()) +
                          ". Pair the EDF files with annotation files (.tse_bi, .csv_bi, ...) or --annotation-map and "
                          "run extract again" + (ts.sqi_filter ? ", or lower --min-sqi." : "."));
  }
  if (n_pos == 0 || n_pos == n_rows) {
    throw CollectiveError("The features file " + features.string() + " has " + std::to_string(n_pos) +
                          " positive windows out of " + std::to_string(n_rows) +
                          " training windows (label >= " + fixed_text(train.label_threshold, -1) +
                          "); training needs both seizure and background windows. " +
                          (n_pos == 0 ? "Add recordings with seizures or lower --label-threshold."
                                      : "Add seizure-free recordings or raise --label-threshold."));
  }
}


// Notes about the training set and the run, printed and stored in the metrics.
std::vector<std::string> training_notes(const TrainingSet& ts, const std::vector<std::string>& dropped, int n_ranks,
                                        int n_trees, const TrainSettings& train) {
  std::vector<std::string> notes;
  if (n_ranks > n_trees) {
    notes.push_back(std::to_string(n_ranks) + " ranks for " + std::to_string(n_trees) +
                    " trees: ranks beyond the tree count stay idle during training.");
  }
  if (!dropped.empty()) notes.push_back("Feature columns not used by the model (train.exclude_features): " + joined(dropped) + ".");
  if (!ts.all_nan_columns.empty()) {
    notes.push_back("Feature columns NaN in every training window (never used for splits): " + joined(ts.all_nan_columns) + ".");
  }
  if (train.max_features > static_cast<int>(ts.columns.size())) {
    notes.push_back("train.max_features " + std::to_string(train.max_features) + " is more than the " +
                    std::to_string(ts.columns.size()) + " feature columns: every column is tried at each split.");
  }
  if (ts.sqi_filter) {
    notes.push_back(std::to_string(ts.n_low_sqi) + " labelled windows skipped: sqi below " + fixed_text(train.min_sqi, -1) +
                    " or NaN; the cross-validation's events treat them as quality-gated (they neither start nor "
                    "extend an event).");
  }
  return notes;
}

// Patient-grouped folds: train.cv_folds, reduced to the number of patients (0: no CV).
int cv_fold_count(const TrainingSet& ts, int wanted, std::vector<std::string>& notes) {
  if (wanted >= 2 && ts.patients.size() < 2) {
    notes.push_back("Cross-validation skipped: all training windows belong to one patient (" + ts.patients.front() +
                    "); the model is trained once on all of them.");
    return 0;
  }
  if (wanted > static_cast<int>(ts.patients.size())) {
    notes.push_back("Cross-validation folds reduced from " + std::to_string(wanted) + " to " +
                    std::to_string(ts.patients.size()) + " (one per patient).");
    return static_cast<int>(ts.patients.size());
  }
  return wanted;
}

void write_header_json(JsonWriter& j, const TrainingSet& ts, const std::filesystem::path& features, const Config& config,
                       int n_ranks, int n_trees) {
  j.key("version").value(kVersion);
  j.key("features_file").value(features.string());
  j.key("n_windows").value(static_cast<std::uint64_t>(ts.n_windows));
  j.key("n_windows_labelled").value(static_cast<std::uint64_t>(ts.n_windows - ts.n_nan_label));
  j.key("n_windows_training").value(static_cast<std::uint64_t>(ts.y.size()));
  j.key("n_positive").value(static_cast<std::uint64_t>(ts.n_positive()));
  j.key("n_patients").value(static_cast<std::uint64_t>(ts.patients.size()));
  j.key("n_features").value(static_cast<std::uint64_t>(ts.columns.size()));
  j.key("label_threshold").value(config.train.label_threshold);
  j.key("decision_threshold").value(config.train.decision_threshold);
  j.key("n_ranks").value(n_ranks);
  j.key("trees").value(n_trees);
  if (config.train.learner == Learner::boosted) {  // forests keep the keys they always had
    const auto& t = config.train;
    j.key("learner").value("boosted");
    j.key("boost").begin_object().key("rounds").value(t.boost_rounds).key("depth").value(t.boost_depth);
    j.key("learning_rate").value(t.boost_learning_rate).key("subsample").value(t.boost_subsample);
    j.key("colsample").value(t.boost_colsample).end_object();
  }
}

// COLLECTIVE: patient-grouped k-fold cross-validation (JSON "cv", "cv_events",
// "operating_point"); the table rows go to `table`; rank 0 returns the post-processing CV chose.
// The held-out probabilities of fold f (COLLECTIVE; identical on every rank).
using FoldProbabilities = std::function<std::vector<float>(int f, const FoldSplit& split)>;

std::optional<eval::PostprocessChoice> cross_validate(MPI_Comm comm, const TrainingSet& ts, const FoldProbabilities& fold_prob,
                                                      int k, const Config& config, const std::filesystem::path& features,
                                                      JsonWriter& j, std::string& table, TrainSummary& s,
                                                      io::PredictionsTable* cv_table) {
  const std::size_t n_rows = ts.y.size();
  const auto rows = all_rows(n_rows);
  const auto fold = eval::group_kfold(ts.patient, k, config.train.seed);
  std::vector<float> oof(n_rows, 0.0f);
  j.key("cv").begin_object().key("folds").value(k).key("grouping").value("patient").key("per_fold").begin_array();
  table += "  fold       test     pos    sens    spec    prec      f1 roc_auc  pr_auc\n";
  for (int f = 0; f < k; ++f) {
    const FoldSplit split = split_fold(rows, fold, f);
    const auto prob = fold_prob(f, split);
    std::vector<std::uint8_t> t(split.test_rows.size());
    std::set<std::string> test_patients;
    std::size_t pos = 0;
    for (std::size_t i = 0; i < split.test_rows.size(); ++i) {
      const auto r = split.test_rows[i];
      t[i] = ts.y[r];
      pos += t[i];
      oof[r] = prob[i];
      test_patients.insert(ts.patients[ts.patient[r]]);
    }
    const auto m = eval::binary_metrics(prob, t, config.train.decision_threshold);
    j.begin_object().key("fold").value(f).key("n_test").value(static_cast<std::uint64_t>(split.test_rows.size()));
    j.key("n_test_positive").value(static_cast<std::uint64_t>(pos));
    j.key("test_patients").begin_array();
    for (const auto& tp : test_patients) j.value(tp);
    j.end_array().key("metrics");
    metrics_json(j, m);
    j.end_object();
    table += row_text(std::to_string(f), split.test_rows.size(), pos, m);
  }
  j.end_array();
  s.pooled = eval::binary_metrics(oof, ts.y, config.train.decision_threshold);
  j.key("pooled");
  metrics_json(j, s.pooled);
  j.end_object();
  table += row_text("pooled", n_rows, ts.n_positive(), s.pooled);
  s.folds_used = k;
  // Event-level (NEDC OVLP/TAES/EPOCH) scores of the held-out recordings (train_cv.hpp).
  const bool root = comm::rank(comm) == 0;
  std::optional<eval::PostprocessChoice> choice;
  j.key("cv_events");
  if (root) choice = write_cv_event_scores(j, features, oof, config, cv_table); else j.value("computed on rank 0");
  j.key("operating_point");
  if (choice) {
    eval::write_choice_json(j, *choice, config.postprocess.fa_budget_per_24h);
  } else {
    j.value(root ? "not chosen (postprocess.select = fixed, or no event-level CV scores)" : "computed on rank 0");
  }
  return choice;
}

// What a training run produced, for the summary, the metrics and the model file.
struct TrainOutcome {
  std::optional<TuneResult> tuned;
  forest::ForestParams params;
  int folds = 0;
  std::string table;  // evaluation rows (folds, pooled, oob)
  std::optional<eval::PostprocessChoice> choice;
  OobResult oob;
  std::vector<double> importance;
  std::vector<std::string> notes;
  std::optional<io::PredictionsTable> cv_table;  ///< rank 0, train.cv_predictions: the CV's predictions
};

// COLLECTIVE: cross_validate when there are at least 2 folds (JSON "cv": "none" otherwise), with,
// when train.cv_predictions is set, the out-of-fold predictions kept in o.cv_table (rank 0; a note
// says why when there are none to write).
void validate(MPI_Comm comm, const TrainingSet& ts, const FoldProbabilities& fold_prob, const Config& config,
              const std::filesystem::path& features, JsonWriter& j, TrainOutcome& o, TrainSummary& s) {
  const bool wanted = !config.train.cv_predictions.empty();
  if (o.folds < 2) {
    j.key("cv").value("none");
    if (wanted) o.notes.push_back("train.cv_predictions: not written, there is no cross-validation (fewer than 2 folds).");
    return;
  }
  io::PredictionsTable* table = wanted ? &o.cv_table.emplace() : nullptr;
  o.choice = cross_validate(comm, ts, fold_prob, o.folds, config, features, j, o.table, s, table);
  if (table && table->path.empty()) {  // every rank but 0, and rank 0 when the event scores were skipped
    o.cv_table.reset();
    if (comm::rank(comm) == 0)
      o.notes.push_back("train.cv_predictions: not written, the cross-validation has no event-level scores (see "
                        "cv_events in the metrics).");
  }
}

// COLLECTIVE, train.learner = forest: the CV's fold forests, the final forest (or tune's) and its
// out-of-bag estimate; the final trees on rank 0 (empty elsewhere). Phase end times in t_*.
std::vector<forest::Tree> forest_cv_and_model(MPI_Comm comm, const TrainingSet& ts, const ForestGrower& grower,
                                              const Config& config, const std::filesystem::path& features, JsonWriter& j,
                                              TrainOutcome& o, TrainSummary& s, bool report, double& t_cv, double& t_grow,
                                              double& t_oob) {
  const auto rows = all_rows(ts.y.size());
  const FoldProbabilities forest_folds = [&](int f, const FoldSplit& split) {
    auto fp = o.params;
    fp.seed = fold_seed(o.params.seed, f);
    const auto local = grower.grow("fold " + std::to_string(f + 1) + "/" + std::to_string(o.folds), split.train_rows, fp);
    return parallel::predict_distributed_binned(comm, local, ts.xb, split.test_rows);
  };
  validate(comm, ts, forest_folds, config, features, j, o, s);
  // Final model on every training row.
  t_cv = now_s();
  auto local = o.tuned ? std::move(o.tuned->local) : grower.grow("final forest", rows, o.params);
  t_grow = now_s();
  if (!config.train.skip_oob && o.params.bootstrap) {
    o.oob = out_of_bag(comm, local, ts, rows, o.params, config.train.decision_threshold, report);
  } else {
    o.notes.push_back(config.train.skip_oob ? "Out-of-bag estimate skipped (train.skip_oob)."
                                            : "No out-of-bag estimate: bootstrap is 'none', every tree sees every row.");
  }
  t_oob = now_s();
  std::vector<forest::Tree> trees;
  comm::collective_try(comm, "", [&] { trees = parallel::gather_trees(comm, std::move(local), 0); });
  return trees;
}

forest::BoostParams boost_params(const TrainSettings& t) {
  forest::BoostParams b;
  b.n_rounds = t.boost_rounds;
  b.max_depth = t.boost_depth;
  b.learning_rate = t.boost_learning_rate;
  b.subsample = t.boost_subsample;
  b.colsample = t.boost_colsample;
  b.seed = t.seed;
  return b;
}

// COLLECTIVE, train.learner = boosted: the fold models and the final model as jobs over the ranks
// (parallel/boost.hpp), the folds scored as the forest's are (cross_validate); the final model
// on rank 0 (empty elsewhere).
forest::BoostedTrees boost_and_validate(MPI_Comm comm, const TrainingSet& ts, const Config& config, TrainOutcome& o,
                                        const std::filesystem::path& features, JsonWriter& j, TrainSummary& s, bool report) {
  const auto rows = all_rows(ts.y.size());
  const auto bp = boost_params(config.train);
  std::vector<parallel::BoostJob> jobs;
  if (o.folds >= 2) {
    const auto fold = eval::group_kfold(ts.patient, o.folds, config.train.seed);
    for (int f = 0; f < o.folds; ++f) {
      auto split = split_fold(rows, fold, f);
      auto fp = bp;
      fp.seed = fold_seed(bp.seed, f);
      jobs.push_back({std::move(split.train_rows), std::move(split.test_rows), fp, false});
    }
  }
  jobs.push_back({rows, {}, bp, true});
  const int p = comm::size(comm);
  if (p > static_cast<int>(jobs.size())) {
    o.notes.push_back(std::to_string(p) + " ranks for " + std::to_string(jobs.size()) +
                      " boosted models (cross-validation folds and the final model): ranks beyond that stay idle.");
  }
  const auto total = static_cast<std::uint64_t>(jobs.size()) * static_cast<std::uint64_t>(bp.n_rounds);
  auto bar = Progress::to_stderr(report, "train: boosting " + std::to_string(jobs.size()) + " models", "rounds", total);
  auto out = parallel::run_boost_jobs(comm, ts.xb, ts.y, jobs, 0, [&](std::uint64_t done) {
    bar.update(std::min(total, done * static_cast<std::uint64_t>(p)));  // rank 0's share, scaled
  });
  bar.finish();
  const FoldProbabilities from_jobs = [&](int f, const FoldSplit&) { return out.prob[static_cast<std::size_t>(f)]; };
  validate(comm, ts, from_jobs, config, features, j, o, s);
  o.notes.push_back("No out-of-bag estimate: boosted trees have none (train.learner = boosted); the cross-validation is "
                    "the held-out estimate.");
  return out.model.back() ? std::move(*out.model.back()) : forest::BoostedTrees{};
}

void write_oob_json(JsonWriter& j, TrainOutcome& o) {
  if (!o.oob.done) {
    j.key("oob").value("none");
    return;
  }
  j.key("oob").begin_object().key("n_rows").value(static_cast<std::uint64_t>(o.oob.n_rows)).key("metrics");
  metrics_json(j, o.oob.metrics);
  j.end_object();
  o.table += row_text("oob", o.oob.n_rows, o.oob.metrics.tp + o.oob.metrics.fn, o.oob.metrics);
}

void write_importance_json(JsonWriter& j, const std::vector<std::string>& columns, const std::vector<double>& imp,
                           const OobResult& oob) {
  j.key("importance").begin_object();
  j.key("impurity").begin_object();
  for (std::size_t f = 0; f < columns.size(); ++f) j.key(columns[f]).value(imp[f]);
  j.end_object();
  if (oob.done && !oob.permutation.empty()) {
    j.key("permutation_rows").value(static_cast<std::uint64_t>(oob.n_eval));
    j.key("permutation").begin_object();
    for (std::size_t f = 0; f < columns.size(); ++f) j.key(columns[f]).value(oob.permutation[f]);
    j.end_object();
  }
  j.end_object();
}

// "train: top features (impurity / permutation AUC drop): ..." (the five largest); boosted
// trees' importances are split gains.
std::string top_features_text(const std::vector<std::string>& columns, const std::vector<double>& imp, const OobResult& oob,
                              bool boosted) {
  const std::size_t F = columns.size();
  std::vector<std::size_t> order(F);
  for (std::size_t f = 0; f < F; ++f) order[f] = f;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return imp[a] > imp[b]; });
  std::ostringstream os;
  os << "train: top features (" << (boosted ? "split gain" : "impurity") << (oob.done ? " / permutation AUC drop" : "")
     << "):";
  for (std::size_t i = 0; i < std::min<std::size_t>(5, F); ++i) {
    os << " " << columns[order[i]] << " " << fixed_text(imp[order[i]], -1);
    if (oob.done) os << "/" << fixed_text(oob.permutation[order[i]], -1);
  }
  os << "\n";
  return os.str();
}


// "100 trees" or "300 boosted trees (depth 4, learning rate 0.05)".
std::string learner_text(const TrainSettings& t, int n_trees) {
  if (t.learner != Learner::boosted) return std::to_string(n_trees) + " trees";
  return std::to_string(t.boost_rounds) + " boosted trees (depth " + std::to_string(t.boost_depth) + ", learning rate " +
         fixed_text(t.boost_learning_rate, -1) + ")";
}

// The human summary (also stored in the model file for `inspect`).
std::string summary_text(const TrainingSet& ts, const TrainOutcome& o, const Config& config, int n_ranks) {
  std::ostringstream os;
  os << "train: " << ts.y.size() << " training windows (" << ts.n_positive() << " positive) from " << ts.patients.size()
     << " patients, " << ts.columns.size() << " features, " << learner_text(config.train, o.params.n_trees) << " on "
     << n_ranks << " rank(s)\n";
  if (o.tuned) os << tune_summary(*o.tuned);
  if (o.folds >= 2 || o.oob.done) {
    os << "train: " << (o.folds >= 2 ? "patient-grouped " + std::to_string(o.folds) + "-fold cross-validation" : std::string("evaluation"))
       << (o.oob.done ? " and out-of-bag estimate" : "") << " (threshold " << config.train.decision_threshold << "):\n";
    if (o.folds < 2) os << "  fold       test     pos    sens    spec    prec      f1 roc_auc  pr_auc\n";
    os << o.table;
  }
  os << top_features_text(ts.columns, o.importance, o.oob, config.train.learner == Learner::boosted);
  if (o.choice) os << operating_point_text(*o.choice, config.postprocess.fa_budget_per_24h);
  const auto& pp = config.postprocess;
  if (!o.choice && (pp.max_alarm_latency_s > 0 || pp.alarm_within_s > 0))
    os << "train: note: postprocess.max_alarm_latency_s and alarm_within_s have no effect: no operating point was chosen "
          "(postprocess.select = fixed, or fewer than 2 cross-validation folds).\n";
  for (const auto& n : o.notes) os << "train: note: " << n << "\n";
  return os.str();
}

// "train: phases (s): ..." from the times at start, read, tune, CV, final trees, OOB and end.
std::string phases_text(const double (&t)[7], bool tuned, bool boosted) {
  if (boosted) {
    return "train: phases (s): read and bin " + fixed_text(t[1] - t[0], -1) + ", boosting (cross-validation folds and the " +
           "final model, as jobs over the ranks) " + fixed_text(t[3] - t[2], -1) + ", importances and write " +
           fixed_text(t[6] - t[5], -1) + "\n";
  }
  return "train: phases (s): read and bin " + fixed_text(t[1] - t[0], -1) + (tuned ? ", tune " + fixed_text(t[2] - t[1], -1) : "") +
         ", cross-validation " + fixed_text(t[3] - t[2], -1) + ", final trees " + fixed_text(t[4] - t[3], -1) +
         ", out-of-bag and permutation " + fixed_text(t[5] - t[4], -1) + ", gather, importances and write " +
         fixed_text(t[6] - t[5], -1) + "\n";
}

// Rank 0: model.h5 (trees, typed settings, metrics, summary), the metrics JSON and, with
// train.cv_predictions, the out-of-fold predictions (o.cv_table gets the model's path).
void write_outputs(const std::filesystem::path& model_path, const std::filesystem::path& metrics_json_path,
                   std::vector<forest::Tree> trees, std::optional<double> base_margin, const TrainingSet& ts, TrainOutcome& o, const Config& config,
                   const TrainSummary& s, const std::string& summary) {
  forest::Forest model;
  model.trees = std::move(trees);
  model.boosted_base_margin = base_margin;
  model.feature_names = ts.columns;
  io::ModelMeta meta;
  Config effective = config;
  if (o.tuned) apply_tuned(effective.train, o.params);
  meta.config_toml = stored_config_toml(effective, model_path);
  meta.metrics_json = s.metrics_json;
  meta.summary = summary;
  if (o.choice) meta.postprocess = o.choice->chosen;
  // The features' own settings (predict must compute the same features), else this run's.
  const auto& ex = config.extract;
  meta.extract = ts.extract.value_or(stored_extract(ex));
  meta.bin_edges = ts.xb.upper_edges();
  meta.training = ts.trained_on;
  write_model(model_path, model, meta);
  io::write_text_file_atomic(metrics_json_path, s.metrics_json + "\n");
  if (o.cv_table) {
    const std::filesystem::path out = config.train.cv_predictions;
    const auto dir = std::filesystem::absolute(out).parent_path();
    o.cv_table->model = config.extract.absolute_paths ? model_path.string() : relative_path_text(model_path, dir);
    io::write_predictions_file(out, *o.cv_table, {stored_config_toml(effective, out)});
  }
}

}  // namespace

std::filesystem::path metrics_path_for(const std::filesystem::path& model) {
  auto p = model;
  p.replace_extension("");
  return p.string() + ".metrics.json";
}

TrainSummary run_train(MPI_Comm comm, const Config& config, const std::filesystem::path& features,
                       const std::filesystem::path& model_path, const std::filesystem::path& metrics_json_path,
                       std::ostream* log) {
  const double t0 = now_s();
  const int me = comm::rank(comm), p = comm::size(comm);
  // Training rows (labelled windows, optional sqi filter), binned while reading.
  TrainingSet ts;
  std::vector<std::string> dropped;  // train.exclude_features present in the file
  comm::collective_try(comm, "", [&] {
    ts = read_training_set(comm, features, config.train);
    dropped = drop_columns(ts, config.train.exclude_features);
  });
  const double t_read = now_s();
  TrainSummary s;
  s.n_rows = ts.y.size();
  s.n_positive = ts.n_positive();
  s.n_patients = ts.patients.size();
  check_trainable(ts, features, config.train);
  TrainOutcome o;
  o.params = forest_params(config);
  const bool boosted = config.train.learner == Learner::boosted;
  o.notes = training_notes(ts, dropped, p, boosted ? p : o.params.n_trees, config.train);  // boosted: its own note
  const auto rows = all_rows(s.n_rows);
  // Finished trees are checkpointed next to the model; a resubmitted run grows only the rest.
  const ForestGrower grower(comm, ts, log != nullptr && me == 0, io::checkpoint_dir_for(model_path),
                            train_run_key(config.train, ts));
  if (config.train.tune) {  // tune.hpp: the chosen settings are used for the CV and the final model
    o.tuned = tune_forest(comm, ts, rows, o.params, grower.fn());
    o.params = o.tuned->candidates[o.tuned->chosen].params;
  }
  const double t_tune = now_s();
  o.folds = cv_fold_count(ts, config.train.cv_folds, o.notes);
  JsonWriter j;
  j.begin_object();
  write_header_json(j, ts, features, config, p, boosted ? config.train.boost_rounds : o.params.n_trees);
  if (o.tuned) write_tune_json(j.key("tune"), *o.tuned);
  std::vector<forest::Tree> trees;
  std::optional<double> base_margin;
  double t_cv = 0, t_grow = 0, t_oob = 0;
  if (boosted) {
    auto model = boost_and_validate(comm, ts, config, o, features, j, s, log != nullptr && me == 0);
    t_cv = t_grow = t_oob = now_s();
    trees = std::move(model.trees);
    if (me == 0) base_margin = model.base_margin;
  } else {
    trees = forest_cv_and_model(comm, ts, grower, config, features, j, o, s, log != nullptr && me == 0, t_cv, t_grow, t_oob);
  }
  write_oob_json(j, o);
  // Importances (rank 0 has the trees; the JSON text is only used there).
  o.importance = impurity_importance(trees, ts.columns.size());
  write_importance_json(j, ts.columns, o.importance, o.oob);
  s.seconds = now_s() - t0;
  j.key("notes").begin_array();
  for (const auto& n : o.notes) j.value(n);
  j.end_array();
  j.key("train_seconds").value(s.seconds);
  j.end_object();
  s.metrics_json = j.str();
  const std::string summary = summary_text(ts, o, config, p);
  comm::collective_try(comm, "", [&] {
    if (me == 0) write_outputs(model_path, metrics_json_path, std::move(trees), base_margin, ts, o, config, s, summary);
  });
  if (me == 0) grower.remove_checkpoint();  // the model is in place: its trees are no longer needed
  if (log && me == 0) {
    // Phase times on rank 0 (benchmarks/corpus reads the total): where the serial parts are.
    const double t[] = {t0, t_read, t_tune, t_cv, t_grow, t_oob, now_s()};
    *log << summary << phases_text(t, o.tuned.has_value(), boosted) << "train: model written to " << model_path.string()
         << ", metrics to " << metrics_json_path.string() << " (" << s.seconds << " s)\n";
    if (o.cv_table) *log << "train: out-of-fold predictions written to " << config.train.cv_predictions << "\n";
    *log << std::flush;
  }
  return s;
}

}  // namespace ecgforest::pipeline

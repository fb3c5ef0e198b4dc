#pragma once
// The --tune selection rule (pure): a candidate setting replaces the configured one only when its
// ROC AUC gain over the configured setting (patient-grouped CV, tune.hpp) exceeds the noise of
// that gain.
//
// Each alternative i has a gain g_i = AUC_i - AUC_0 (paired: the same held-out rows) with a
// patient-clustered standard error s_i (eval::paired_auc_difference). Its margin is
//   margin_i = max(kTuneMinGain, q * s_i),
// q the one-sided Student-t quantile at 1 - kTuneAlpha / (number of alternatives) with
// (patients - 1) degrees of freedom: a Bonferroni-corrected test, so that when no alternative is
// really better the configured setting is kept with probability >= 1 - kTuneAlpha. kTuneAlpha is
// 1 %, not 5 %: the target is never to do worse than the configured setting, and the held-out
// patients of the CV are few (on the benchmark cohort, 20 patients at 5 % chose max_features 12
// with a CV gain of +0.0116 against a margin of 0.0116, and it scored 0.0104 below the default on
// 10 new patients). kTuneMinGain
// is a floor: the scoring forests are smaller (n/6 trees on 2/3 of the patients) than the final
// one, so a gain below it is not worth a change of settings. Among the alternatives with g_i > margin_i
// the one with the largest g_i - margin_i (lower confidence bound of its gain) wins, the first on
// ties; otherwise, and whenever a gain or its error is NaN (fewer than 2 patients, one class),
// the configured setting (index 0) stays.
#include <cstddef>
#include <vector>

namespace ecgforest::pipeline {

inline constexpr double kTuneMinGain = 0.002;
inline constexpr double kTuneAlpha = 0.01;

/// One-sided Student-t quantile: t with P(T <= t) = p for `df` >= 1 degrees of freedom, p in
/// [0.5, 1) (integer df: exact CDF by Abramowitz & Stegun 26.7.3-4, inverted by bisection).
double student_t_quantile(double p, std::size_t df);

/// margin_i above for a gain with standard error `se`, `clusters` patients and `alternatives`
/// settings besides the configured one. +infinity when se is NaN or clusters < 2.
double tune_margin(double se, std::size_t clusters, std::size_t alternatives);

/// Index of the chosen setting: gains[0] and margins[0] belong to the configured setting and are
/// ignored; 0 unless some gains[i] > margins[i] (see above).
std::size_t choose_tuned(const std::vector<double>& gains, const std::vector<double>& margins);

}  // namespace ecgforest::pipeline

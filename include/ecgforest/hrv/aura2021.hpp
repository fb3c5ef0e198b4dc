#pragma once
// The old AURA Python workflow (hrvanalysis + nolds, see ../shared/data/hrv/SPEC.md), reproduced
// number for number: cleaning chain, the 27 features on one window, the windowed table on the
// cumulative-RR clock, and the labelling rule. Pure numeric code: no MPI; OpenMP over table rows
// in aura_windowed_table (results identical for any thread count).
//
// All RR/NN values are milliseconds. Arithmetic follows numpy's operation order (pairwise sums,
// sequential cumsum) so that non-spectral features agree bit for bit with the reference.
#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "ecgforest/core/events.hpp"

namespace ecgforest::hrv {

/// Library generation reproduced: `aura2021` = hrv-analysis 1.0.4 + nolds 0.5.2 (what the AURA
/// pipeline ran), `head` = hrv-analysis 1.0.5 + nolds 0.6.1 (leading-NaN back-fill that raises on
/// all-outlier windows; sampen tolerance 0.2006*std1 and NaN when no template matches).
enum class AuraProfile { aura2021, head };

/// Parses "aura2021" or "head"; throws ParameterError naming the valid names otherwise.
AuraProfile parse_aura_profile(const std::string& name);

constexpr std::size_t kAuraFeatureCount = 27;
using AuraFeatures = std::array<double, kAuraFeatureCount>;

/// The 27 feature names in AURA's CSV order (SPEC 8.6 without the two index columns):
/// mean_nni .. std_hr, lf, hf, vlf, lf_hf_ratio, csi, cvi, Modified_csi, sampen, sd1, sd2,
/// ratio_sd2_sd1.
const std::vector<std::string>& aura_feature_names();

/// Column names of the windowed table: interval_index, interval_start_time, then the 27.
const std::vector<std::string>& aura_table_columns();

/// Intermediate results of the cleaning chain (SPEC 2), each the length of the input.
struct AuraCleaning {
  std::vector<double> after_remove_outliers;
  std::vector<double> after_interpolate_1;
  std::vector<double> after_malik;
  std::vector<double> nn;
  /// Empty when the chain ran; otherwise the Python exception it raised ("IndexError: ...").
  std::string error;
};

/// Runs remove_outliers(300, 1800) -> interpolate -> Malik -> interpolate on `rr_ms`.
AuraCleaning aura_clean(const std::vector<double>& rr_ms, AuraProfile profile);

/// Time-domain group (16 values, mean_nni..std_hr) of an NN series; all NaN when n < 2
/// (AURA swallows the ZeroDivisionError), precondition n >= 1.
std::array<double, 16> aura_time_domain(const double* nn, std::size_t n);

/// Welch band powers {lf, hf, vlf, lf_hf_ratio} (ms^2) as hrvanalysis 1.0.4 with scipy 1.10.
/// Returns false (values untouched) when the time axis is NaN (numpy's arange ValueError).
bool aura_welch_bands(const double* nn, std::size_t n, std::array<double, 4>& out);

/// Welch PSD (2049 bins at k/1024 Hz) and the interpolated series, for the debug goldens.
/// Returns false when the time axis is NaN.
bool aura_welch_psd(const double* nn, std::size_t n, std::vector<double>& interpolated,
                    std::vector<double>& psd);

/// Sample entropy with emb_dim 2 (nolds 0.5.2 for aura2021, 0.6.1 for head). n >= 3.
/// `tolerance`, `count_m2`, `count_m3` receive the intermediates when non-null.
double aura_sampen(const double* nn, std::size_t n, AuraProfile profile, double* tolerance = nullptr,
                   long long* count_m2 = nullptr, long long* count_m3 = nullptr);

/// Result of treating one RR series as a single window (all three groups on the same series).
struct AuraWholeResult {
  AuraCleaning cleaning;
  AuraFeatures features{};  ///< NaN where AURA's group failed
  std::string printed;      ///< AURA's printed messages ("Interval 0 - computation issue ...")
};

/// Whole-series features: clean, then the short, medium and large groups with AURA's error
/// handling (SPEC 8.4), as golden `whole/<profile>/<name>.json` "features".
AuraWholeResult aura_whole_series(const std::vector<double>& rr_ms, AuraProfile profile);

/// AURA windowing parameters (milliseconds), SPEC 8.
struct AuraWindowing {
  double sliding_ms = 1000.0;
  double short_ms = 10000.0;
  double medium_ms = 60000.0;
  double large_ms = 150000.0;
};

/// The windowed table of compute_features: one row per second of the cumulative raw-RR clock.
struct AuraTable {
  /// [n_rows, 29]: interval_index, interval_start_time (ms), then the 27 features (NaN = empty).
  Eigen::MatrixXd values;
  std::string printed;  ///< AURA's printed messages, one per line, in row order
  /// Non-empty when AURA raised (head profile on an all-outlier window): the table is not
  /// produced (values has 0 rows); error_row/error_window say where.
  std::string error;
  long long error_row = -1;
  std::string error_window;  ///< "short", "medium" or "large"
};

/// compute_features of the AURA pipeline on the raw RR series (ms). Rows are independent and
/// computed with OpenMP; the result does not depend on the thread count.
AuraTable aura_windowed_table(const std::vector<double>& rr_ms, AuraProfile profile,
                              const AuraWindowing& windowing = {});

/// AURA label of rows 0..n_rows-1 from every annotation row of a tse_bi file (io::read_annotations;
/// event times truncated to integer nanoseconds as AURA holds them): seizure share of [i s, i+1 s) on the annotation clock,
/// rounded to 2 decimals (half to even), 1 above 0.9, NaN after the annotations end.
/// No cropping of first/last rows (the goldens are uncropped).
std::vector<double> aura_labels(const std::vector<AnnotationEvent>& events, std::size_t n_rows);

/// numpy's pairwise float64 sum (np.sum / np.add.reduce on a contiguous array).
double numpy_sum(const double* a, std::size_t n);

}  // namespace ecgforest::hrv

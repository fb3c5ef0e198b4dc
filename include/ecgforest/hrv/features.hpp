#pragma once
// HRV features on sliding windows of one recording. Pure numeric code: no MPI, no HDF5.
// (OpenMP over windows is allowed inside compute_window_features; results must not depend on
// the thread count.)
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "ecgforest/core/choices.hpp"
#include "ecgforest/signal/rpeaks.hpp"

namespace ecgforest::hrv {

/// Row-major float matrix: one row per window, one column per feature.
using FeatureRows = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct WindowSpec {
  double window_s = 10.0;  ///< time-domain window length, seconds (also the label window)
  double step_s = 1.0;     ///< hop between consecutive window ends, seconds
  double nonlinear_window_s = 60.0;   ///< window of csi/cvi/Modified_csi/sampen/sd1/sd2, seconds
  double frequency_window_s = 150.0;  ///< window of vlf/lf/hf/lf_hf_ratio, seconds
  /// "default" (corrected features on the recording clock), "aura2021" or "head" (the old
  /// workflow's table on the cumulative-RR clock; see aura2021.hpp).
  HrvProfile profile = HrvProfile::default_;
  /// Feature columns to output, in this order; empty = all_feature_columns(profile).
  std::vector<std::string> features;
};

/// Reason bits of the `hrv_reason` column (default profile): why a feature group is NaN.
enum HrvReason : unsigned {
  kReasonTimeFewRr = 1,         ///< < 2 valid RR in the time-domain window (sdnn, std_hr, ...)
  kReasonNoSuccessive = 2,      ///< no two adjacent valid RR: sdsd/rmssd/nni_*/pnni_*/cvsd NaN
  kReasonNonlinearFewRr = 4,    ///< < 3 valid RR or < 2 successive differences in the 60 s window
  kReasonSampenNoMatch = 8,     ///< no template pair matched (length 2 or 3): sampen NaN
  kReasonPoincareDegenerate = 16,  ///< sd1 = 0 or negative sd2 radicand: csi/cvi/ratio NaN
  kReasonFreqNotFull = 32,      ///< window end < frequency window (recording too short so far)
  kReasonFreqNoSegment = 64,    ///< no gap-free 64 s Welch segment inside the frequency window
  kReasonHfZero = 128,          ///< hf = 0: lf_hf_ratio NaN
  // Cardiac seizure features (README "HRV features"):
  kReasonBaseline = 256,   ///< no recent baseline ([t-600 s, t-60 s) < 4 min or < 50 % NN) or no NN in
                           ///< [t-10 s, t): hr_*_baseline and the rmssd*_ratio_baseline NaN; or one
                           ///< of rmssd_ratio_baseline, rmssd20_ratio_baseline, rmssd10_ratio_baseline
                           ///< NaN alone (< 5 differences in its window or the baseline's, or baseline
                           ///< RMSSD 0). The bit does not say which of these.
  kReasonSlopeGap = 512,   ///< hr_slope_10b/hr_slope_20s NaN: too few beats or a gap in their window
  kReasonCsi100 = 1024,    ///< < 50 adjacent NN pairs in the CSI100 window, or sd1 = 0
  kReasonOnset = 2048,     ///< hr_rise_30s/tachy_onset/hr_fg_bg_ratio NaN: reference span < 50 % NN
};

struct WindowFeatures {
  std::vector<std::string> columns;  ///< feature names, size F (same for every recording)
  FeatureRows values;                ///< [n_windows, F]; NaN where a feature is undefined
  std::vector<double> window_end_s;  ///< [n_windows] window end, seconds from recording start
};

/// Every column a profile can produce, in its stable order. default: the 27 AURA names
/// (aura_feature_names()) then n_rr, rr_coverage, hrv_reason, then the 18 cardiac seizure
/// features (hr_baseline ... hr_fg_bg_ratio, rmssd20_ratio_baseline, rmssd10_ratio_baseline,
/// README "HRV features"). aura2021/head: the 27 names.
std::vector<std::string> all_feature_columns(HrvProfile profile);

/// Feature column names produced by compute_window_features for this spec (spec.features, or
/// all_feature_columns(spec.profile) when empty). Throws ParameterError for a feature name the
/// profile does not produce (the message lists the valid names).
std::vector<std::string> feature_columns(const WindowSpec& spec);

/// Peak times in seconds version of compute_window_features (default profile only), used by
/// the `hrv` command on RR files. `bad_s` are [begin, end) spans in seconds that RR intervals
/// must not cross. The windows end at window_s, window_s + step_s, ... <= duration_s.
WindowFeatures compute_window_features_s(const std::vector<double>& peak_s, double duration_s,
                                         const std::vector<std::pair<double, double>>& bad_s,
                                         const WindowSpec& spec);

/// Computes features on windows ending at t = window_s, window_s + step_s, ... <= duration_s
/// (recording clock, seconds from the first sample). `peak_sample` are R-peak sample indices at
/// `fs_hz`; RR interval i (ms) is the time between peak i and i+1 and is timed at peak i+1.
/// RR intervals overlapping a bad segment are not used.
/// Profile default: see README "HRV features". Profiles aura2021/head: RR (ms) from consecutive
/// peaks, aura_windowed_table, one window per table row; window_end_s = first peak time + row
/// index seconds (the old cumulative-RR clock; bad segments are ignored as in the old workflow).
WindowFeatures compute_window_features(const std::vector<std::int64_t>& peak_sample, double fs_hz,
                                       double duration_s,
                                       const std::vector<signal::BadSegment>& bad,
                                       const WindowSpec& spec);

}  // namespace ecgforest::hrv

#pragma once
// Per-window ECG signal-quality index (SQI). Pure numeric code: no MPI, no threads, no I/O.
#include <vector>

#include <Eigen/Core>

#include "ecgforest/signal/rpeaks.hpp"

namespace ecgforest::signal {

/// Quality of each detected beat, 0..1 (same order as peaks.sample): the correlation of its QRS
/// segment (R-peak -100 ms .. +100 ms of the raw signal, linear trend removed, unit norm) with
/// the leave-one-out mean of the segments of the 8 neighbouring beats on each side, clipped at 0.
/// Beats of a stable morphology score near 1; beats found in noise, or artefacts, score near 0.
/// `ecg` and `fs_hz` as given to detect_rpeaks. Time O(beats x 17 x 0.2 s x fs); memory O(17 x
/// 0.2 s x fs) plus the result (no whole-signal copy).
std::vector<float> beat_quality(const Eigen::Ref<const Eigen::VectorXd>& ecg, double fs_hz, const RPeaks& peaks);

/// Signal-quality index of each window [end - window_s, end) (seconds from the first sample), one
/// per entry of window_end_s, 0..1, higher = better:
///   sqi = (fraction of the window outside bad segments) x (mean beat_quality of the beats in it),
/// and 0 when the window holds fewer than 3 beats. Flat, saturated or non-finite stretches
/// (bad segments) and noise (beats that do not look like their neighbours) give low values.
std::vector<float> window_sqi(const std::vector<float>& beat_quality, const RPeaks& peaks, double fs_hz,
                              const std::vector<double>& window_end_s, double window_s);

}  // namespace ecgforest::signal

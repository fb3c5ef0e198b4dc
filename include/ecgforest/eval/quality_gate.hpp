#pragma once
// Signal-quality gate for seizure events: windows whose ECG quality (SQI) is too low to trust
// can neither start nor extend an event. Pure numeric code: no MPI, no HDF5, no threads.
#include <cstdint>
#include <string>
#include <vector>

#include "ecgforest/eval/events.hpp"

namespace ecgforest::eval {

/// usable[i] = 1 when sqi[i] >= min_sqi, else 0 (a NaN SQI is not usable). min_sqi <= 0 keeps
/// every window (the gate is off).
std::vector<std::uint8_t> quality_mask(const std::vector<float>& sqi, double min_sqi);

/// windows_to_events (same arguments, same conventions) run separately on every maximal stretch
/// of consecutive usable windows, results concatenated: an unusable window never belongs to an
/// event, and two runs on either side of one are never merged (merge_gap_s does not bridge
/// them). With every window usable the result equals windows_to_events. Throws Error when the
/// three vectors differ in length.
std::vector<Event> quality_gated_events(const std::vector<double>& window_end_s, const std::vector<float>& smoothed,
                                        const std::vector<std::uint8_t>& usable, double step_s, double threshold,
                                        double min_duration_s, double merge_gap_s);

/// quality_mask, then every window within min_run / 2 windows of a window below the gate is
/// made unusable too, and so is every stretch of fewer than `min_run` usable windows with
/// unusable windows on both sides: an artefact's quality wavers around the gate, and a few
/// windows just above it inside an artefact are not trusted (min_run = the windows of one
/// feature window, window_s / step_s, in predict and train). Windows of one recording, in order.
std::vector<std::uint8_t> quality_flags(const std::vector<float>& sqi, double min_sqi, std::size_t min_run);

/// The min_run of quality_flags for windows of `window_s` every `step_s` seconds: the windows of
/// one feature window, round(window_s / step_s), at least 1.
std::size_t gate_min_run(double window_s, double step_s);

/// Smoothing that treats unusable windows as missing: the usable windows are smoothed as one
/// series (smooth_probabilities over the last k usable windows), so the probabilities of
/// unusable windows never enter a usable one's value; the unusable windows are smoothed among
/// themselves (shown in predictions.h5, never part of an event). Empty `usable` = every window
/// usable (the result is smooth_probabilities'). Throws Error when a non-empty `usable` differs
/// in length.
std::vector<float> gated_smoothing(const std::vector<float>& p, const std::vector<std::uint8_t>& usable,
                                   Smoothing method, int k);

/// quality_gated_events; with an empty `usable`, windows_to_events.
std::vector<Event> gated_events(const std::vector<double>& window_end_s, const std::vector<float>& smoothed,
                                const std::vector<std::uint8_t>& usable, double step_s, double threshold,
                                double min_duration_s, double merge_gap_s);

/// gated_smoothing then gated_events with the settings' values: the post-processing of predict
/// and of train's event-level CV scores (postprocess.min_sqi gives `usable` via quality_mask).
std::vector<Event> gated_postprocess(const std::vector<double>& window_end_s, const std::vector<float>& prob,
                                     const std::vector<std::uint8_t>& usable, double step_s,
                                     const PostprocessSettings& s);

}  // namespace ecgforest::eval

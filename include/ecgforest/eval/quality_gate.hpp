#pragma once
// Signal-quality gate for seizure events: windows whose ECG quality (SQI) is too low to trust
// can neither start nor extend an event. Pure numeric code: no MPI, no HDF5, no threads.
#include <cstdint>
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

}  // namespace ecgforest::eval

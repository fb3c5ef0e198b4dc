#pragma once
// Window labels from seizure annotations. Pure numeric code.
#include <vector>

#include "ecgforest/core/events.hpp"

namespace ecgforest::hrv {

/// For each window [end - window_s, end] (seconds from recording start) returns the fraction of
/// the window covered by seizure events (union of overlapping events counted once), in [0, 1].
/// Only events for which is_seizure_label is true count. Parts of a window before time 0
/// are not counted in the denominator (the window is clipped to [0, end]).
/// A window with zero length (end <= 0, or a non-finite end) gives NaN. Events of any order,
/// overlapping or not, are merged once: O((W + E) log E) for W windows and E events.
/// Throws ecgforest::ParameterError when window_s is not a positive finite number of seconds.
std::vector<float> seizure_fraction(const std::vector<AnnotationEvent>& events,
                                    const std::vector<double>& window_end_s, double window_s);

}  // namespace ecgforest::hrv

#pragma once
// NEDC's DP-alignment scoring (nedc_eeg_eval v6.0.0, "DPALIGN"), seizure label: the label
// sequences of the two files (bckg seiz bckg ..., times ignored, background filling the gaps and
// consecutive equal labels collapsed) are aligned by dynamic programming with unit insertion,
// deletion and substitution costs; ties prefer a substitution (or match), then an insertion, then
// a deletion, and the path is traced back from the end. Pure numeric code.
#include <cstddef>
#include <vector>

#include "ecgforest/eval/events.hpp"

namespace ecgforest::eval {

/// Counts of the seizure label: targets = reference seizures aligned to anything or deleted;
/// hits = seizure aligned to seizure; misses = targets - hits; insertions (= false alarms) =
/// hypothesis seizures aligned to nothing; deletions = reference seizures aligned to nothing.
struct DpalignCounts {
  std::size_t targets = 0, hits = 0, misses = 0, false_alarms = 0, insertions = 0, deletions = 0;
};

/// One file pair: seizure events (merged where they overlap or touch) tiled with background over
/// [0, ref_duration_s] and [0, hyp_duration_s].
DpalignCounts score_dpalign(const std::vector<Event>& ref, double ref_duration_s, const std::vector<Event>& hyp,
                            double hyp_duration_s);

/// Sum of the counts of several files (NEDC pools by summing).
DpalignCounts& operator+=(DpalignCounts& a, const DpalignCounts& b);

}  // namespace ecgforest::eval

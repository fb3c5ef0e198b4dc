#pragma once
// SzCORE scores of a set of scored recordings, shared by `score` and `predict` (score.json).
#include <vector>

#include "ecgforest/core/json.hpp"
#include "ecgforest/eval/events.hpp"
#include "ecgforest/eval/szcore.hpp"

namespace ecgforest::eval::szcore {

/// Every recording scored as szcore-evaluation does (a recording without a hypothesis file, i.e.
/// hyp_duration_s NaN, gets an empty hypothesis of the reference's duration), grouped into
/// subjects by `patient` (its name when empty).
DatasetScores score_recordings(const std::vector<ScoredRecording>& recs, const Params& p);

/// The two score.json keys "szcore" (pooled event and sample scores) and "szcore_dataset"
/// (per-subject mean with std, pooled, per subject, parameters) into an open object.
void write_szcore_keys(JsonWriter& j, const DatasetScores& d, const Params& p);

}  // namespace ecgforest::eval::szcore

#pragma once
// Training's event-level cross-validation scores: the out-of-fold probabilities of `train`,
// grouped by recording, post-processed and scored (NEDC OVLP/TAES/EPOCH, threshold sweep,
// responders) against the reference seizures extract stored in the features file (/reference),
// with the window hop and length the file stores as typed attributes: no annotation file, EDF
// header or stored TOML is read again.
#include <filesystem>
#include <optional>
#include <vector>

#include "ecgforest/core/config.hpp"
#include "ecgforest/core/json.hpp"
#include "ecgforest/eval/operating_point.hpp"
#include "ecgforest/io/predictions_file.hpp"

namespace ecgforest::pipeline {

/// Rank 0 only, serial. `oof` holds one probability per training row, where training rows are
/// the windows of `features` with a finite label, in file order (the rows read_training_set keeps
/// without an sqi filter). Windows are grouped by recording, post-processed with
/// config.postprocess (quality gate on the file's `sqi` column included) and scored; writes one
/// JSON value into `j`: the write_score_json object with the threshold sweep, the best point
/// under postprocess.fa_budget_per_24h, "responders" and the "postprocess" used — or a string
/// saying why it was skipped (e.g. a features file written before /reference existed).
/// With postprocess.select = "cv" the smoothing, threshold, minimum duration and merge gap the
/// user did not set are first chosen by eval::choose_postprocess within the FA budget; the scores
/// are then those of the chosen setting, and the choice is returned (nullopt: skipped or fixed).
/// With `cv_table` (train.cv_predictions), also fills it with every scored recording's windows
/// (out-of-fold probabilities, smoothed with the setting used), events and reference seizures,
/// in the predictions.h5 layout; it stays empty when the scores were skipped. Its `model` is the
/// caller's to set.
std::optional<eval::PostprocessChoice> write_cv_event_scores(JsonWriter& j, const std::filesystem::path& features,
                                                             const std::vector<float>& oof, const Config& config,
                                                             io::PredictionsTable* cv_table);

}  // namespace ecgforest::pipeline

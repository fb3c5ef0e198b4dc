#pragma once
// predict --tailor-retrain FEATURES: patient-tailored by retraining. Each patient's seizure-free
// baseline (its --tailor-baseline recordings, or the first --tailor-hours of its --input ones)
// joins the windows the model was trained on (FEATURES,
// e.g. run's DIR/features.h5) --tailor-copies times, and a model is trained for that patient with
// the model's stored training settings; its operating point is chosen by its own patient-grouped
// CV within the FA budget, as `run` chooses one. predict then detects each patient's --input
// recordings (with --tailor-hours, the hours after the baseline) with that patient's model
// (patients without a baseline keep the given model).
#include <mpi.h>

#include <filesystem>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "ecgforest/core/config.hpp"
#include "ecgforest/io/model_file.hpp"
#include "ecgforest/pipeline/inputs.hpp"

namespace ecgforest::pipeline {

/// One patient's retraining: its model (empty when it could not be trained; `note` says why).
struct RetrainedModel {
  std::string patient;
  std::filesystem::path dir;    ///< OUT/tailor/<patient>: baseline.h5, model.h5, metrics.json, log.txt
  std::filesystem::path model;  ///< dir/model.h5, or empty
  std::size_t baseline_recordings = 0;
  double baseline_hours = 0;
  std::string note;
};

/// The configuration a patient's model is trained with: the one stored in the model (`meta`, read
/// from `model`), with the post-processing keys the user set for predict (`user.explicit_keys`)
/// fixed at the user's values and every other choice key left for the new CV to choose; no
/// --cv-predictions. Throws ConfigError naming the model when its stored configuration does not
/// parse (written by another version).
Config retraining_config(const io::ModelMeta& meta, const std::filesystem::path& model, const Config& user);

/// The baseline windows' patient id in the training file: never a training patient's id.
std::string tailored_patient_id(const std::string& patient);

/// COLLECTIVE over `comm`. For every patient of `baseline` (in patient order): extracts its
/// recordings with `config` (predict's extraction settings) into DIR/baseline.h5 (with
/// postprocess.tailor_hours > 0, `baseline` are the inputs: DIR/recordings.h5, of which the
/// patient's first tailor_hours are used, windows within 300 s of an annotated seizure left out),
/// writes DIR/training.h5 = config.tailor_retrain's windows + the baseline's config.tailor_copies
/// times (patient tailored_patient_id; unannotated windows seizure-free), trains DIR/model.h5 and
/// DIR/metrics.json with `training` (retraining_config), then deletes training.h5 (it is the two
/// files above, rebuilt on demand). DIR/retrained.txt records the fingerprint of what the model
/// was made from; a later call with the same fingerprint reuses the model.
/// Output of the steps goes to DIR/log.txt; one line per patient to `log` (rank 0). A patient
/// with no recording in `input_patients`, whose baseline yields no usable recording or less than
/// half the baseline hours asked for seizure-free (as the threshold tailoring's fallback), or whose
/// training fails gets an empty `model` and a note; the others go on. `baseline_hours` are the
/// usable hours (windows taken x hop), `baseline_recordings` the recordings they came from.
std::vector<RetrainedModel> retrain_per_patient(MPI_Comm comm, const Config& config, const Config& training,
                                                const std::vector<InputRecording>& baseline,
                                                const std::set<std::string>& input_patients,
                                                const std::filesystem::path& out_dir, std::ostream* log);

}  // namespace ecgforest::pipeline

#pragma once
// `ecgforest predict --model M --features F --output probs.h5`: apply a model to an existing
// features file. (Prediction on EDF recordings, `predict --input`, is not implemented yet.)
#include <mpi.h>

#include <filesystem>
#include <ostream>

#include "ecgforest/core/config.hpp"

namespace ecgforest::pipeline {

/// COLLECTIVE over `comm`: every rank reads the features and the model and scores a block of
/// rows; rank 0 writes `output` with /windows/probability (float32 [N], P(seizure) per window,
/// same row order as the features file), /windows/record and /windows/time_s copied from the
/// features file, and the attributes config, version, created, model, features.
/// Throws CollectiveError when the model's feature names are not columns of the features file.
void run_predict_features(MPI_Comm comm, const Config& config, const std::filesystem::path& model,
                          const std::filesystem::path& features, const std::filesystem::path& output, std::ostream* log);

}  // namespace ecgforest::pipeline

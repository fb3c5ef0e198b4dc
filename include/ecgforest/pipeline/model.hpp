#pragma once
// The model file as a forest: io stores plain node arrays (io/model_file.hpp), the forest code
// knows nothing of files; this converts between the two.
#include <filesystem>

#include "ecgforest/core/config.hpp"
#include "ecgforest/forest/forest.hpp"
#include "ecgforest/io/model_file.hpp"

namespace ecgforest::pipeline {

/// The forest's trees as the model file's flat arrays (bin codes kept when every tree has them).
io::ModelArrays model_arrays(const forest::Forest& model);

/// The forest held in `arrays` (which io::read_model_file has checked).
forest::Forest forest_from_arrays(const io::ModelArrays& arrays);

/// io::write_model_file of model_arrays(model).
void write_model(const std::filesystem::path& file, const forest::Forest& model, const io::ModelMeta& meta);

/// forest_from_arrays of io::read_model_file (same errors).
forest::Forest read_model(const std::filesystem::path& file, io::ModelMeta* meta = nullptr);

/// Positions in `columns` of the model's features `wanted`, in the model's order; the wanted
/// names `columns` lacks go, comma-separated, into `missing` (empty when none).
std::vector<std::size_t> model_column_positions(const std::vector<std::string>& columns,
                                                const std::vector<std::string>& wanted, std::string& missing);

/// predict trains nothing: the [train] table of the configuration its outputs record is the
/// model's (`meta.config_toml`), without the model's cv_predictions path (relative to the
/// model's folder, and not predict's output). A stored configuration that no longer parses
/// leaves `config.train` as it is.
void record_model_training_settings(const io::ModelMeta& meta, Config& config);

}  // namespace ecgforest::pipeline

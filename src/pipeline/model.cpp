#include "ecgforest/pipeline/model.hpp"

#include <algorithm>
#include <cstddef>

#include "ecgforest/core/error.hpp"

namespace ecgforest::pipeline {
namespace {

template <class V>
void append(std::vector<V>& to, const std::vector<V>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

template <class V>
std::vector<V> slice(const std::vector<V>& v, std::uint64_t b, std::uint64_t e) {
  return std::vector<V>(v.begin() + static_cast<std::ptrdiff_t>(b), v.begin() + static_cast<std::ptrdiff_t>(e));
}

}  // namespace

io::ModelArrays model_arrays(const forest::Forest& model) {
  io::ModelArrays a;
  a.feature_names = model.feature_names;
  a.boosted_base_margin = model.boosted_base_margin;
  bool have_bins = !model.trees.empty();
  for (const auto& t : model.trees) have_bins = have_bins && t.bin.size() == t.feature.size();
  for (const auto& t : model.trees) {
    a.offsets.push_back(a.offsets.back() + t.feature.size());
    append(a.feature, t.feature);
    append(a.threshold, t.threshold);
    append(a.nan_left, t.nan_left);
    append(a.left, t.left);
    append(a.right, t.right);
    append(a.value, t.value);
    if (have_bins) append(a.bin, t.bin);
  }
  return a;
}

forest::Forest forest_from_arrays(const io::ModelArrays& a) {
  forest::Forest model;
  model.feature_names = a.feature_names;
  model.boosted_base_margin = a.boosted_base_margin;
  model.trees.reserve(a.n_trees());
  for (std::size_t t = 0; t < a.n_trees(); ++t) {
    const std::uint64_t b = a.offsets[t], e = a.offsets[t + 1];
    forest::Tree tree;
    tree.feature = slice(a.feature, b, e);
    tree.threshold = slice(a.threshold, b, e);
    tree.nan_left = slice(a.nan_left, b, e);
    tree.left = slice(a.left, b, e);
    tree.right = slice(a.right, b, e);
    tree.value = slice(a.value, b, e);
    if (!a.bin.empty()) tree.bin = slice(a.bin, b, e);
    model.trees.push_back(std::move(tree));
  }
  return model;
}

void write_model(const std::filesystem::path& file, const forest::Forest& model, const io::ModelMeta& meta) {
  io::write_model_file(file, model_arrays(model), meta);
}

forest::Forest read_model(const std::filesystem::path& file, io::ModelMeta* meta) {
  return forest_from_arrays(io::read_model_file(file, meta));
}

std::vector<std::size_t> model_column_positions(const std::vector<std::string>& columns,
                                                const std::vector<std::string>& wanted, std::string& missing) {
  std::vector<std::size_t> out;
  missing.clear();
  for (const auto& name : wanted) {
    const auto it = std::find(columns.begin(), columns.end(), name);
    if (it == columns.end()) missing += (missing.empty() ? "" : ", ") + name;
    else out.push_back(static_cast<std::size_t>(it - columns.begin()));
  }
  return out;
}

void record_model_training_settings(const io::ModelMeta& meta, Config& config) {
  try {
    Config m;
    apply_config_text(m, meta.config_toml, "the configuration stored in the model");
    config.train = m.train;
    config.train.cv_predictions.clear();
  } catch (const ConfigError&) {
  }
}

}  // namespace ecgforest::pipeline

#include "ecgforest/io/model_file.hpp"

#include <cmath>
#include <type_traits>

#include "ecgforest/core/error.hpp"
#include "ecgforest/io/features_file.hpp"
#include "ecgforest/io/h5.hpp"
#include "ecgforest/version.hpp"

namespace ecgforest::io {

using h5::Handle;

void write_model_file(const std::filesystem::path& file, const forest::Forest& model, const ModelMeta& meta) {
  h5::init_error_handling();
  const std::filesystem::path tmp = file.string() + ".partial";
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  std::vector<std::uint64_t> offsets{0};
  bool have_bins = !model.trees.empty();
  for (std::size_t ti = 0; ti < model.trees.size(); ++ti) {
    const auto& t = model.trees[ti];
    const std::size_t n = t.feature.size();
    if (n == 0 || t.threshold.size() != n || t.nan_left.size() != n || t.left.size() != n || t.right.size() != n ||
        t.value.size() != n) {
      throw Error("Cannot write the model " + file.string() + ": tree " + std::to_string(ti) +
                  " is empty or its node arrays have different lengths (internal error).");
    }
    offsets.push_back(offsets.back() + n);
    have_bins = have_bins && t.bin.size() == n;
  }
  const hsize_t n = offsets.back();
  // One flat array at a time (the forest can be large: never hold two copies of all fields).
  auto write_field = [&](hid_t f, const char* name, auto member) {
    using V = typename std::remove_reference_t<decltype(model.trees.front().*member)>::value_type;
    std::vector<V> flat;
    flat.reserve(static_cast<std::size_t>(n));
    for (const auto& t : model.trees) flat.insert(flat.end(), (t.*member).begin(), (t.*member).end());
    h5::write_dataset<V>(f, name, {n}, flat.data());
  };
  std::vector<float> edges;
  std::vector<std::uint64_t> edge_off{0};
  for (const auto& e : meta.bin_edges) {
    edges.insert(edges.end(), e.begin(), e.end());
    edge_off.push_back(edges.size());
  }
  {
    Handle f = h5::file_handle(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
                               "Cannot create the model file " + tmp.string() + "; check that the directory is writable.");
    h5::write_dataset<std::uint64_t>(f, "/trees/offsets", {offsets.size()}, offsets.data());
    write_field(f, "/trees/feature", &forest::Tree::feature);
    write_field(f, "/trees/threshold", &forest::Tree::threshold);
    write_field(f, "/trees/nan_left", &forest::Tree::nan_left);
    write_field(f, "/trees/left", &forest::Tree::left);
    write_field(f, "/trees/right", &forest::Tree::right);
    write_field(f, "/trees/value", &forest::Tree::value);
    if (have_bins) write_field(f, "/trees/bin", &forest::Tree::bin);
    h5::write_dataset<float>(f, "/binning/edges", {edges.size()}, edges.data());
    h5::write_dataset<std::uint64_t>(f, "/binning/offsets", {edge_off.size()}, edge_off.data());
    h5::write_string_attribute(f, "format", "ecgforest-model/1");
    h5::write_string_list_attribute(f, "feature_names", model.feature_names);
    h5::write_string_attribute(f, "config", meta.config_toml);
    h5::write_string_attribute(f, "metrics", meta.metrics_json.empty() ? "{}" : meta.metrics_json);
    if (!meta.summary.empty()) h5::write_string_attribute(f, "summary", meta.summary);
    if (!meta.postprocess_toml.empty()) h5::write_string_attribute(f, "postprocess", meta.postprocess_toml);
    h5::write_string_attribute(f, "version", kVersion);
    h5::write_string_attribute(f, "created", utc_now_iso());
    h5::write_int_attribute(f, "n_trees", static_cast<std::int64_t>(model.trees.size()));
    h5::write_string_attribute(f, "split_rule", "go left when x <= threshold, or x is NaN and nan_left; leaves have left = -1");
    f.close("Closing the model file " + tmp.string() + " failed; the disk may be full.");
  }
  std::filesystem::rename(tmp, file);
}

namespace {

/// `offsets` cut an array of n elements into consecutive parts: it starts at 0, never decreases
/// (strictly increases when parts must not be empty) and ends at n.
void check_offsets(const std::filesystem::path& file, const char* name, const std::vector<std::uint64_t>& offsets,
                   std::size_t n, bool non_empty) {
  bool ok = !offsets.empty() && offsets.front() == 0 && offsets.back() == n;
  for (std::size_t i = 0; ok && i + 1 < offsets.size(); ++i) {
    ok = non_empty ? offsets[i] < offsets[i + 1] : offsets[i] <= offsets[i + 1];
  }
  if (!ok) {
    throw Error("The model file " + file.string() + " is damaged: " + name + " must rise from 0 to " +
                std::to_string(n) + (non_empty ? " in steps of at least 1 (no empty tree)" : "") + "; write the model again with 'ecgforest train'.");
  }
}

}  // namespace

forest::Forest read_model_file(const std::filesystem::path& file, ModelMeta* meta) {
  h5::init_error_handling();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw Error("The model file " + file.string() + " does not exist; train one with 'ecgforest train' or check the path.");
  }
  Handle f = h5::file_handle(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT),
                             "Cannot open the model file " + file.string() + " (not HDF5, or unreadable).");
  if (!h5::has_attribute(f, "format") || h5::read_string_attribute(f, "format") != "ecgforest-model/1") {
    throw Error(file.string() + " is not an ecgforest model file (missing format attribute 'ecgforest-model/1').");
  }
  forest::Forest model;
  model.feature_names = h5::read_string_list_attribute(f, "feature_names");
  const auto offsets = h5::read_dataset<std::uint64_t>(f, "/trees/offsets");
  const auto feature = h5::read_dataset<std::int32_t>(f, "/trees/feature");
  const auto threshold = h5::read_dataset<float>(f, "/trees/threshold");
  const auto nan_left = h5::read_dataset<std::uint8_t>(f, "/trees/nan_left");
  const auto left = h5::read_dataset<std::int32_t>(f, "/trees/left");
  const auto right = h5::read_dataset<std::int32_t>(f, "/trees/right");
  const auto value = h5::read_dataset<float>(f, "/trees/value");
  const std::size_t n = feature.size();
  std::vector<std::uint8_t> bin;
  if (H5Lexists(f, "/trees/bin", H5P_DEFAULT) > 0) bin = h5::read_dataset<std::uint8_t>(f, "/trees/bin");
  if ((!bin.empty() && bin.size() != n) || offsets.empty() || offsets.back() != n || threshold.size() != n || nan_left.size() != n || left.size() != n ||
      right.size() != n || value.size() != n) {
    throw Error("The model file " + file.string() + " is damaged: its tree arrays have inconsistent lengths.");
  }
  check_offsets(file, "/trees/offsets", offsets, n, true);
  for (std::size_t t = 0; t + 1 < offsets.size(); ++t) {
    const auto b = static_cast<std::ptrdiff_t>(offsets[t]);
    const auto e = static_cast<std::ptrdiff_t>(offsets[t + 1]);
    forest::Tree tree;
    tree.feature.assign(feature.begin() + b, feature.begin() + e);
    tree.threshold.assign(threshold.begin() + b, threshold.begin() + e);
    tree.nan_left.assign(nan_left.begin() + b, nan_left.begin() + e);
    tree.left.assign(left.begin() + b, left.begin() + e);
    tree.right.assign(right.begin() + b, right.begin() + e);
    tree.value.assign(value.begin() + b, value.begin() + e);
    if (!bin.empty()) tree.bin.assign(bin.begin() + b, bin.begin() + e);
    const auto nn = static_cast<std::int32_t>(e - b);
    for (std::size_t i = 0; i < tree.n_nodes(); ++i) {
      const bool leaf = tree.left[i] < 0;
      // Children are stored after their parent; anything else (a cycle) would hang predict().
      const auto self = static_cast<std::int32_t>(i);
      if (leaf ? !(tree.value[i] >= 0.0F && tree.value[i] <= 1.0F) : std::isnan(tree.threshold[i])) {
        throw Error("The model file " + file.string() + " is damaged: tree " + std::to_string(t) + " node " +
                    std::to_string(i) + (leaf ? " has a leaf probability outside [0, 1] (or NaN)." : " has a NaN threshold."));
      }
      if (!leaf && (tree.left[i] <= self || tree.right[i] <= self || tree.left[i] >= nn || tree.right[i] < 0 || tree.right[i] >= nn || tree.feature[i] < 0 ||
                    tree.feature[i] >= static_cast<std::int32_t>(model.feature_names.size()))) {
        throw Error("The model file " + file.string() + " is damaged: tree " + std::to_string(t) +
                    " has a node pointing outside the tree or at an unknown feature.");
      }
    }
    model.trees.push_back(std::move(tree));
  }
  if (meta) {
    meta->config_toml = h5::read_string_attribute(f, "config");
    meta->metrics_json = h5::read_string_attribute(f, "metrics");
    meta->summary = h5::has_attribute(f, "summary") ? h5::read_string_attribute(f, "summary") : std::string();
    meta->postprocess_toml =
        h5::has_attribute(f, "postprocess") ? h5::read_string_attribute(f, "postprocess") : std::string();
    meta->version = h5::read_string_attribute(f, "version");
    meta->created = h5::read_string_attribute(f, "created");
    const auto edges = h5::read_dataset<float>(f, "/binning/edges");
    const auto eoff = h5::read_dataset<std::uint64_t>(f, "/binning/offsets");
    check_offsets(file, "/binning/offsets", eoff, edges.size(), false);
    meta->bin_edges.clear();
    for (std::size_t i = 0; i + 1 < eoff.size(); ++i) {
      meta->bin_edges.emplace_back(edges.begin() + static_cast<std::ptrdiff_t>(eoff[i]),
                                   edges.begin() + static_cast<std::ptrdiff_t>(eoff[i + 1]));
    }
  }
  return model;
}

}  // namespace ecgforest::io

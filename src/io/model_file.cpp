#include "ecgforest/io/model_file.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "ecgforest/core/error.hpp"
#include "ecgforest/io/features_file.hpp"
#include "ecgforest/io/h5.hpp"
#include "ecgforest/io/provenance.hpp"

namespace ecgforest::io {

using h5::Handle;

namespace {

/// The node arrays agree with the offsets: every field has offsets.back() elements (bin also
/// none), offsets rise from 0 in steps of at least 1.
bool consistent(const ModelArrays& t) {
  const std::size_t n = t.feature.size();
  bool ok = !t.offsets.empty() && t.offsets.front() == 0 && t.offsets.back() == n && t.threshold.size() == n &&
            t.nan_left.size() == n && t.left.size() == n && t.right.size() == n && t.value.size() == n &&
            (t.bin.empty() || t.bin.size() == n);
  for (std::size_t i = 0; ok && i + 1 < t.offsets.size(); ++i) ok = t.offsets[i] < t.offsets[i + 1];
  return ok;
}

/// /training/recordings and /training/patients: one 64-bit fingerprint per recording and
/// patient the model was trained on.
void write_training_data(hid_t f, const TrainingData& t) {
  h5::write_dataset<std::uint64_t>(f, "/training/recordings", {t.recordings.size()}, t.recordings.data());
  h5::write_dataset<std::uint64_t>(f, "/training/patients", {t.patients.size()}, t.patients.data());
  Handle g = h5::group_handle(H5Gopen2(f, "/training", H5P_DEFAULT), "Opening /training in the model file failed.");
  h5::write_string_attribute(g, "about",
                             "recordings: sorted 64-bit hashes of (file name, duration, beat count) of every recording "
                             "the model was trained on; patients: of their patient ids; 'ecgforest predict' warns when "
                             "it scores one of them");
}

/// Whether the link `name` exists; throws when HDF5 cannot tell (a damaged file).
bool link_exists(hid_t f, const char* name) {
  const htri_t e = H5Lexists(f, name, H5P_DEFAULT);
  h5::check_status(e < 0 ? -1 : 0, std::string("Cannot look up ") + name + " in the model file (damaged?).");
  return e > 0;
}

/// A sorted, unique uint64 dataset; empty when absent.
std::vector<std::uint64_t> read_sorted_set(hid_t f, const char* name) {
  if (!link_exists(f, name)) return {};
  auto v = h5::read_dataset<std::uint64_t>(f, name);
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

/// The group /training, or nullopt when the file has none (models before it existed).
std::optional<TrainingData> read_training_data(hid_t f) {
  if (!link_exists(f, "/training") || !link_exists(f, "/training/recordings")) return std::nullopt;
  return TrainingData{read_sorted_set(f, "/training/recordings"), read_sorted_set(f, "/training/patients")};
}

}  // namespace

void write_model_file(const std::filesystem::path& file, const ModelArrays& model, const ModelMeta& meta) {
  h5::init_error_handling();
  const std::filesystem::path tmp = file.string() + ".partial";
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  if (!consistent(model)) {
    throw Error("Cannot write the model " + file.string() +
                ": a tree is empty or its node arrays have different lengths (internal error).");
  }
  const hsize_t n = model.offsets.back();
  std::vector<float> edges;
  std::vector<std::uint64_t> edge_off{0};
  for (const auto& e : meta.bin_edges) {
    edges.insert(edges.end(), e.begin(), e.end());
    edge_off.push_back(edges.size());
  }
  {
    Handle f = h5::file_handle(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
                               "Cannot create the model file " + tmp.string() + "; check that the directory is writable.");
    h5::write_dataset<std::uint64_t>(f, "/trees/offsets", {model.offsets.size()}, model.offsets.data());
    h5::write_dataset<std::int32_t>(f, "/trees/feature", {n}, model.feature.data());
    h5::write_dataset<float>(f, "/trees/threshold", {n}, model.threshold.data());
    h5::write_dataset<std::uint8_t>(f, "/trees/nan_left", {n}, model.nan_left.data());
    h5::write_dataset<std::int32_t>(f, "/trees/left", {n}, model.left.data());
    h5::write_dataset<std::int32_t>(f, "/trees/right", {n}, model.right.data());
    h5::write_dataset<float>(f, "/trees/value", {n}, model.value.data());
    if (!model.bin.empty()) h5::write_dataset<std::uint8_t>(f, "/trees/bin", {n}, model.bin.data());
    h5::write_dataset<float>(f, "/binning/edges", {edges.size()}, edges.data());
    h5::write_dataset<std::uint64_t>(f, "/binning/offsets", {edge_off.size()}, edge_off.data());
    write_provenance(f, "ecgforest-model/1", meta.config_toml);
    h5::write_string_list_attribute(f, "feature_names", model.feature_names);
    h5::write_string_attribute(f, "metrics", meta.metrics_json.empty() ? "{}" : meta.metrics_json);
    if (!meta.summary.empty()) h5::write_string_attribute(f, "summary", meta.summary);
    if (meta.postprocess) write_stored_postprocess(f, *meta.postprocess);
    if (meta.extract) write_stored_extract(f, *meta.extract);
    if (meta.training) write_training_data(f, *meta.training);
    h5::write_int_attribute(f, "n_trees", static_cast<std::int64_t>(model.n_trees()));
    if (model.boosted_base_margin) {
      h5::write_string_attribute(f, "learner", "boosted");
      h5::write_double_attribute(f, "boost_base_margin", *model.boosted_base_margin);
    }
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

/// Throws when a node of tree t (rows [b, e) of `m`) points outside its tree or backwards (a
/// cycle would hang prediction), at an unknown feature, has a NaN threshold, or is a leaf whose
/// value is outside [0, 1].
void check_tree(const std::filesystem::path& file, const ModelArrays& m, std::size_t t) {
  const auto b = static_cast<std::size_t>(m.offsets[t]);
  const auto nn = static_cast<std::int32_t>(m.offsets[t + 1] - m.offsets[t]);
  const auto n_features = static_cast<std::int32_t>(m.feature_names.size());
  for (std::int32_t i = 0; i < nn; ++i) {
    const std::size_t k = b + static_cast<std::size_t>(i);
    const bool leaf = m.left[k] < 0;
    const bool value_ok = m.boosted_base_margin ? std::isfinite(m.value[k]) : m.value[k] >= 0.0F && m.value[k] <= 1.0F;
    if (leaf ? !value_ok : std::isnan(m.threshold[k])) {
      throw Error("The model file " + file.string() + " is damaged: tree " + std::to_string(t) + " node " +
                  std::to_string(i) +
                  (leaf ? (m.boosted_base_margin ? " has a non-finite leaf margin." : " has a leaf probability outside [0, 1] (or NaN).")
                        : " has a NaN threshold."));
    }
    if (!leaf && (m.left[k] <= i || m.right[k] <= i || m.left[k] >= nn || m.right[k] < 0 || m.right[k] >= nn ||
                  m.feature[k] < 0 || m.feature[k] >= n_features)) {
      throw Error("The model file " + file.string() + " is damaged: tree " + std::to_string(t) +
                  " has a node pointing outside the tree or at an unknown feature.");
    }
  }
}

}  // namespace

ModelArrays read_model_file(const std::filesystem::path& file, ModelMeta* meta) {
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
  ModelArrays model;
  model.feature_names = h5::read_string_list_attribute(f, "feature_names");
  model.offsets = h5::read_dataset<std::uint64_t>(f, "/trees/offsets");
  model.feature = h5::read_dataset<std::int32_t>(f, "/trees/feature");
  model.threshold = h5::read_dataset<float>(f, "/trees/threshold");
  model.nan_left = h5::read_dataset<std::uint8_t>(f, "/trees/nan_left");
  model.left = h5::read_dataset<std::int32_t>(f, "/trees/left");
  model.right = h5::read_dataset<std::int32_t>(f, "/trees/right");
  model.value = h5::read_dataset<float>(f, "/trees/value");
  const std::size_t n = model.feature.size();
  if (H5Lexists(f, "/trees/bin", H5P_DEFAULT) > 0) model.bin = h5::read_dataset<std::uint8_t>(f, "/trees/bin");
  if ((!model.bin.empty() && model.bin.size() != n) || model.offsets.empty() || model.offsets.back() != n ||
      model.threshold.size() != n || model.nan_left.size() != n || model.left.size() != n || model.right.size() != n ||
      model.value.size() != n) {
    throw Error("The model file " + file.string() + " is damaged: its tree arrays have inconsistent lengths.");
  }
  if (h5::has_attribute(f, "learner")) {
    const auto learner = h5::read_string_attribute(f, "learner");
    if (learner != "boosted")
      throw Error("The model file " + file.string() + " names the learner '" + learner +
                  "', which this version does not know (it reads forests and 'boosted'); use the ecgforest that wrote it.");
    model.boosted_base_margin = h5::read_double_attribute(f, "boost_base_margin");
    if (!std::isfinite(*model.boosted_base_margin))
      throw Error("The model file " + file.string() + " is damaged: boost_base_margin is not finite.");
  }
  check_offsets(file, "/trees/offsets", model.offsets, n, true);
  for (std::size_t t = 0; t < model.n_trees(); ++t) check_tree(file, model, t);
  if (meta) {
    meta->config_toml = h5::read_string_attribute(f, "config");
    meta->metrics_json = h5::read_string_attribute(f, "metrics");
    meta->summary = h5::has_attribute(f, "summary") ? h5::read_string_attribute(f, "summary") : std::string();
    meta->postprocess = read_stored_postprocess(f, file.string());
    meta->extract = read_stored_extract(f);
    meta->training = read_training_data(f);
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

#include "ecgforest/pipeline/privacy.hpp"

#include "ecgforest/core/privacy.hpp"
#include "ecgforest/io/beat_file.hpp"

namespace ecgforest::pipeline {
namespace fs = std::filesystem;
namespace {

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

std::string relative_to_dir_of(const std::string& path, const fs::path& output) {
  if (path.empty()) return path;
  return relative_path_text(path, fs::absolute(output).parent_path());
}

}  // namespace

fs::path input_root(const Config& config) {
  if (!config.extract.input_root.empty()) return fs::absolute(config.extract.input_root).lexically_normal();
  std::vector<fs::path> files;
  for (const auto& in : config.input) {
    std::error_code ec;
    files.push_back(fs::is_directory(in, ec) ? fs::path(in) / "x" : fs::path(in));
  }
  return common_directory(files);
}

std::string stored_config_toml(Config c, const fs::path& output) {
  const fs::path root = input_root(c);
  if (!c.extract.pseudonym_key.empty()) {
    c.input.clear();
    c.tailor_baseline.clear();
    c.extract.input_root.clear();
  } else if (root.empty()) {  // no inputs (train): nothing to relativise against
  } else if (c.extract.absolute_paths) {
    c.extract.input_root = root.string();
  } else {
    for (auto& in : c.input) in = relative_path_text(in, root);
    for (auto& in : c.tailor_baseline) in = relative_path_text(in, root);
    c.extract.input_root = relative_path_text(root, fs::absolute(output).parent_path());
  }
  if (!c.extract.absolute_paths) {
    if (!c.extract.annotation_map.empty()) c.extract.annotation_map = relative_path_text(c.extract.annotation_map, root);
    for (auto* p : {&c.output, &c.features, &c.model, &c.extract.rr_csv, &c.train.cv_predictions})
      *p = relative_to_dir_of(*p, output);
  }
  return to_toml(c);
}

StartDateTime public_start(const ExtractSettings& settings, const StartDateTime& start) {
  return settings.drop_dates ? StartDateTime{} : start;
}

PublicNames::PublicNames(const Config& config)
    : root_(input_root(config)), key_(config.extract.pseudonym_key), absolute_(config.extract.absolute_paths) {}

std::string PublicNames::name(const fs::path& recording) const {
  const std::string n = io::recording_name(recording);
  return key_.empty() ? n : pseudonym(key_, "recording", n, "R");
}

// A file of `recording` (itself or its annotation): pseudonymised, its NAME replaced and its
// folders dropped (they may name the patient); else relative to the root, or as given.
std::string PublicNames::public_path(const fs::path& file, const fs::path& recording) const {
  if (!key_.empty()) {
    const std::string n = io::recording_name(recording), f = file.filename().string();
    const std::string rest = f.rfind(n, 0) == 0 ? f.substr(n.size()) : file.extension().string();
    return name(recording) + rest;
  }
  return absolute_ ? file.string() : relative_path_text(file, root_);
}

std::string PublicNames::scrub(const InputRecording& rec, const std::string& annotation, std::string text) const {
  if (absolute_ && key_.empty()) return text;  // paths as given, as before
  if (!annotation.empty()) {
    replace_all(text, fs::absolute(annotation).lexically_normal().string(), public_path(annotation, rec.edf));
    replace_all(text, annotation, public_path(annotation, rec.edf));
  }
  replace_all(text, fs::absolute(rec.edf).lexically_normal().string(), public_path(rec.edf, rec.edf));
  replace_all(text, rec.edf.string(), public_path(rec.edf, rec.edf));
  replace_all(text, root_.string() + "/", "");
  if (!key_.empty()) {
    // A name or id of one or two characters would also hit numbers in the message.
    const std::string n = io::recording_name(rec.edf);
    if (n.size() > 2) replace_all(text, n, name(rec.edf));
    if (rec.patient.size() > 2) replace_all(text, rec.patient, pseudonym(key_, "patient", rec.patient, "P"));
  }
  return text;
}

void PublicNames::apply(const InputRecording& rec, io::RecordRow& row) const {
  row.message = scrub(rec, row.annotation, row.message);
  row.path = public_path(rec.edf, rec.edf);
  if (!row.annotation.empty()) row.annotation = public_path(row.annotation, rec.edf);
  if (!key_.empty()) row.patient = pseudonym(key_, "patient", rec.patient, "P");
}

}  // namespace ecgforest::pipeline

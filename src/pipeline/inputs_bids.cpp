// BIDS recordings among the inputs (see inputs.hpp and io/bids.hpp).
#include "ecgforest/pipeline/inputs_bids.hpp"

#include <map>
#include <tuple>

#include "ecgforest/io/annotation_writer.hpp"
#include "ecgforest/io/beat_file.hpp"
#include "ecgforest/io/bids.hpp"

namespace ecgforest::pipeline {
namespace fs = std::filesystem;

bool bids_skip_dir(const fs::path& dir) { return io::is_bids_non_raw_dir(dir); }

bool bids_skip_file(const fs::path& file) {
  const auto b = io::bids_path(file);
  return b && !io::is_ecg_datatype(b->datatype);
}

void drop_bids_duplicates(std::set<fs::path>& paths) {
  // (root, subject, session, prefix) -> the preferred file of that recording
  std::map<std::tuple<fs::path, std::string, std::string, std::string>, fs::path> best;
  for (const auto& p : paths) {
    const auto b = io::bids_path(p);
    if (!b) continue;
    auto [it, fresh] = best.emplace(std::make_tuple(b->root, b->subject, b->session, b->prefix), p);
    if (!fresh && io::datatype_preference(b->datatype) < io::datatype_preference(io::bids_path(it->second)->datatype)) {
      it->second = p;
    }
  }
  for (auto it = paths.begin(); it != paths.end();) {
    const auto b = io::bids_path(*it);
    const bool drop = b && best.at(std::make_tuple(b->root, b->subject, b->session, b->prefix)) != *it;
    it = drop ? paths.erase(it) : std::next(it);
  }
}

void check_participants(const std::set<fs::path>& paths) {
  std::set<fs::path> roots;
  for (const auto& p : paths) {
    if (const auto b = io::bids_path(p)) roots.insert(b->root);
  }
  for (const auto& r : roots) {
    std::error_code ec;
    if (fs::exists(r / "participants.tsv", ec)) (void)io::read_participants_tsv(r / "participants.tsv");
  }
}

void apply_bids(InputRecording& rec) {
  const auto b = io::bids_path(rec.edf);
  if (!b) {
    rec.note = io::bids_path_mismatch(rec.edf);
    return;
  }
  rec.patient = b->subject;
  if (rec.annotation.empty()) rec.annotation = io::bids_events_file(rec.edf, *b).value_or(fs::path());
  rec.channels = io::bids_channels_file(rec.edf, *b).value_or(fs::path());
}

fs::path hypothesis_events_path(const fs::path& recording) {
  if (const auto b = io::bids_path(recording)) return io::bids_events_relative_path(recording, *b);
  return io::events_tsv_name(io::recording_name(recording));
}

}  // namespace ecgforest::pipeline

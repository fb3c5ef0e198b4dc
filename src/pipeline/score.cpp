// `ecgforest score`: event-level scoring of hypothesis annotation files against reference ones,
// paired by recording name (see README "Score"): NEDC (OVLP, TAES, EPOCH, kappa) and SzCORE
// (event and sample, per subject). The cli parses the options and runs this on rank 0.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "ecgforest/core/config.hpp"
#include "ecgforest/core/error.hpp"
#include "ecgforest/core/json.hpp"
#include "ecgforest/eval/dpalign.hpp"
#include "ecgforest/eval/events.hpp"
#include "ecgforest/eval/szcore.hpp"
#include "ecgforest/eval/szcore_recordings.hpp"
#include "ecgforest/io/annotations.hpp"
#include "ecgforest/io/text_file.hpp"
#include "ecgforest/pipeline/inputs.hpp"
#include "ecgforest/pipeline/preflight.hpp"
#include "ecgforest/pipeline/tools.hpp"

namespace ecgforest::pipeline {

std::vector<eval::Event> seizure_events(const io::Annotations& a) {
  std::vector<eval::Event> out;
  for (const auto& e : a.events) {
    if (is_seizure_label(e.label)) out.push_back({e.start_s, e.stop_s, e.confidence});
  }
  return out;
}

eval::szcore::Params szcore_params(const ScoreSettings& s) {
  return {s.szcore_tolerance_start_s, s.szcore_tolerance_end_s, s.szcore_min_overlap, s.szcore_max_event_duration_s,
          s.szcore_min_event_gap_s};
}

namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Extension rank: the order find_annotation_for uses (.csv_bi first), then BIDS/SzCORE
// *_events.tsv; -1 = not an annotation file. Ranks below 3 must parse.
int ext_rank(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".tsv") return ends_with(p.stem().string(), "_events") ? 2 : -1;
  const char* order[] = {".csv_bi", ".tse_bi", "", ".csv", ".tse"};
  for (int i = 0; i < 5; ++i) {
    if (ext == order[i]) return i;
  }
  return -1;
}

// The name that pairs a reference with a hypothesis file: the stem without a trailing "_events"
// (SzCORE/BIDS events files) and, for a BIDS name (sub-...), without its last "_<suffix>" (eeg,
// ecg, ...), so that sub-01_run-00_events.tsv, sub-01_run-00_ecg.tse_bi and the TUH-style
// NAME.tse_bi / NAME_events.tsv written by predict all pair.
std::string recording_key(std::string stem) {
  if (ends_with(stem, "_events")) return stem.substr(0, stem.size() - 7);
  const auto us = stem.rfind('_');
  if (stem.rfind("sub-", 0) == 0 && us != std::string::npos && stem.find('-', us) == std::string::npos) {
    return stem.substr(0, us);
  }
  return stem;
}

// SzCORE's subject: the <label> of the sub-<label> folder or name prefix (BIDS; the patient id
// extract and predict give a BIDS recording, so score.json of both name subjects alike), else the
// patient id that extract derives from the name (TUH: the 8-letter patient; else the name).
std::string subject_of(const std::filesystem::path& file) {
  for (const auto& part : file) {
    const std::string s = part.string();
    if (s.rfind("sub-", 0) == 0 && part != file.filename()) return s.substr(4);
  }
  const std::string stem = file.stem().string();
  if (stem.rfind("sub-", 0) == 0) return stem.substr(4, stem.find('_') - 4);
  return patient_from_path(file, ExtractSettings{}.patient_regex);
}

// recording key → its annotation files by extension rank.
using AnnotationFiles = std::map<std::string, std::map<int, std::filesystem::path>>;

AnnotationFiles annotation_files(const std::string& dir, const char* flag) {
  if (!std::filesystem::is_directory(dir)) {
    throw ConfigError(std::string(flag) + " '" + dir + "' is not a directory; give a directory of annotation files.");
  }
  AnnotationFiles out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const int r = ext_rank(entry.path());
    if (r < 0) continue;
    out[recording_key(entry.path().stem().string())].emplace(r, entry.path());
  }
  return out;
}

// The hypothesis file of a reference of extension rank `rank`: the one of the same format when
// there is one (a BIDS events.tsv reference is scored against predict's events.tsv, which states
// the reference's duration, not against its .csv_bi), else the first by rank (binary formats first).
const std::filesystem::path& hypothesis_for(const std::map<int, std::filesystem::path>& files, int rank) {
  const auto same = files.find(rank);
  return same != files.end() ? same->second : files.begin()->second;
}

double last_stop(const io::Annotations& a) {
  double t = 0;
  for (const auto& e : a.events) t = std::max(t, e.stop_s);
  return t;
}

std::string num(double v) {
  if (std::isnan(v)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

// The recordings to score: every reference file with its hypothesis (none = no detection).
struct Loaded {
  std::vector<eval::ScoredRecording> recs;
  std::size_t no_hyp = 0, no_ref = 0;
  std::vector<std::string> skipped;
  std::vector<std::string> unreadable;  ///< "path: why" of reference files that did not parse
  std::vector<std::string> duration_mismatch;  ///< hypothesis files stating another whole-second duration
};

Loaded load_recordings(const ScoreRequest& o) {
  const auto refs = annotation_files(o.ref, "--ref");
  const auto hyps = annotation_files(o.hyp, "--hyp");
  if (refs.empty()) {
    throw ConfigError("--ref " + o.ref + " holds no annotation file (.csv_bi, .tse_bi, *_events.tsv, .csv, .tse).");
  }
  Loaded l;
  for (const auto& [key, ref_files] : refs) {
    const std::filesystem::path& ref_path = ref_files.begin()->second;  // binary formats first
    io::Annotations ref;
    try {
      ref = io::read_annotations(ref_path, annotation_start(ref_path));
    } catch (const RecordError& e) {
      // Plain .csv/.tse files may be other tables (e.g. NAME.rpeaks.csv): skipped quietly.
      if (ext_rank(ref_path) < 3) l.unreadable.push_back(ref_path.string() + ": " + e.what());
      else l.skipped.push_back(ref_path.string());
      continue;
    }
    eval::ScoredRecording r;
    r.name = key;
    r.patient = subject_of(std::filesystem::relative(ref_path, o.ref));
    r.ref = seizure_events(ref);
    const auto ref_duration = io::stated_duration(ref);
    double duration = ref_duration.value_or(last_stop(ref));
    auto h = hyps.find(key);
    if (h != hyps.end()) {
      const std::filesystem::path& hyp_path = hypothesis_for(h->second, ext_rank(ref_path));
      const auto hyp = io::read_annotations(hyp_path, annotation_start(hyp_path));
      r.hyp = seizure_events(hyp);
      r.hyp_duration_s = io::stated_duration(hyp).value_or(last_stop(hyp));
      if (!ref_duration) duration = std::max(duration, r.hyp_duration_s);
      if (std::trunc(r.hyp_duration_s) != std::trunc(duration))  // SzCORE's masks differ in length
        l.duration_mismatch.push_back(hyp_path.string() + " (" + num(r.hyp_duration_s) + " s against " + num(duration) + " s)");
    } else {
      ++l.no_hyp;
    }
    r.duration_s = duration;
    l.recs.push_back(std::move(r));
  }
  for (const auto& [key, p] : hyps) l.no_ref += refs.count(key) ? 0 : 1;
  return l;
}

eval::DpalignCounts score_dpalign(const std::vector<eval::ScoredRecording>& recs) {
  eval::DpalignCounts c;
  for (const auto& r : recs) {
    c += eval::score_dpalign(r.ref, r.duration_s, r.hyp, std::isnan(r.hyp_duration_s) ? r.duration_s : r.hyp_duration_s);
  }
  return c;
}

void write_dpalign_json(JsonWriter& j, const eval::DpalignCounts& c) {
  j.begin_object();
  j.key("targets").value(static_cast<std::uint64_t>(c.targets)).key("hits").value(static_cast<std::uint64_t>(c.hits));
  j.key("misses").value(static_cast<std::uint64_t>(c.misses));
  j.key("false_alarms").value(static_cast<std::uint64_t>(c.false_alarms));
  j.key("insertions").value(static_cast<std::uint64_t>(c.insertions));
  j.key("deletions").value(static_cast<std::uint64_t>(c.deletions));
  j.end_object();
}

void print_nedc(const eval::ScoreSummary& s, const eval::DpalignCounts& dp, double epoch_s) {
  std::printf("NEDC (v6.0.0 conventions%s)\n", s.taes_overlap == eval::TaesOverlap::exact ? ", exact-overlap TAES" : "");
  std::printf("  OVLP   sensitivity %s (%zu/%zu hits), false alarms %zu = %s per 24 h\n", num(s.ovlp_sensitivity).c_str(),
              s.ovlp.hits, s.ovlp.n_ref, s.ovlp.false_alarms, num(s.ovlp_fa_per_24h).c_str());
  std::printf("  TAES   sensitivity %s (%.2f hits, %.2f misses), false alarms %.2f = %s per 24 h\n",
              num(s.taes_sensitivity).c_str(), s.taes.hits, s.taes.misses, s.taes.false_alarms, num(s.taes_fa_per_24h).c_str());
  std::printf("  EPOCH  (%.2f s) sensitivity %s, specificity %s, %s FA/24h, kappa %s\n", epoch_s,
              num(s.epoch_sensitivity).c_str(), num(s.epoch_specificity).c_str(), num(s.epoch_fa_per_24h).c_str(),
              num(s.epoch_kappa).c_str());
  std::printf("  DPALIGN %zu/%zu seizures aligned, %zu insertions, %zu deletions\n", dp.hits, dp.targets, dp.insertions,
              dp.deletions);
  std::printf("  latency median %s s, 90th percentile %s s\n", num(s.latency_median_s).c_str(), num(s.latency_p90_s).c_str());
}

void print_szcore(const eval::szcore::DatasetScores& d) {
  const auto line = [](const char* what, double se, double pr, double f1, double fa) {
    std::printf("  %-28s sensitivity %s, precision %s, F1 %s, %s FA/24h\n", what, num(se).c_str(), num(pr).c_str(),
                num(f1).c_str(), num(fa).c_str());
  };
  const auto& pe = d.pooled.event;
  std::printf("SzCORE (timescoring v0.0.7 conventions), %zu subject(s)\n", d.subjects.size());
  std::printf("  event  pooled: %llu/%llu seizures detected, %llu false alarms\n", static_cast<unsigned long long>(pe.tp),
              static_cast<unsigned long long>(pe.ref_true), static_cast<unsigned long long>(pe.fp));
  line("event  pooled", pe.sensitivity, pe.precision, pe.f1, pe.fp_rate);
  line("event  mean over subjects", d.event_mean.sensitivity, d.event_mean.precision, d.event_mean.f1, d.event_mean.fp_rate);
  const auto& ps = d.pooled.sample;
  line("sample pooled (FA = s/24h)", ps.sensitivity, ps.precision, ps.f1, ps.fp_rate);
  line("sample mean over subjects", d.sample_mean.sensitivity, d.sample_mean.precision, d.sample_mean.f1,
       d.sample_mean.fp_rate);
}

// score.json: the NEDC keys at the top level (as before) with "dpalign", then "szcore" (pooled
// event and sample scores) and "szcore_dataset" (per-subject mean with std, pooled, per subject).
std::string score_json_text(const eval::ScoreSummary* nedc, const eval::DpalignCounts* dp,
                            const eval::szcore::DatasetScores* sz, const eval::szcore::Params& p) {
  JsonWriter j;
  j.begin_object();
  if (nedc) eval::write_score_fields(j, *nedc);
  if (dp) {
    j.key("dpalign");
    write_dpalign_json(j, *dp);
  }
  if (sz) eval::szcore::write_szcore_keys(j, *sz, p);
  j.end_object();
  return j.str();
}

}  // namespace

void run_score(const ScoreRequest& o) {
  const ScoreSettings& st = o.settings;
  if (!o.json.empty()) check_output_path(o.json, false, "--json");
  const Loaded l = load_recordings(o);
  for (const auto& f : l.unreadable) std::fprintf(stderr, "score: warning: %s This reference is not scored.\n", f.c_str());
  if (l.recs.empty()) throw Error("No reference annotation file in " + o.ref + " could be read.");
  std::size_t n_ref = 0, n_hyp = 0;
  double total_s = 0;
  for (const auto& r : l.recs) {
    n_ref += r.ref.size();
    n_hyp += r.hyp.size();
    total_s += r.duration_s;
  }
  std::printf("score: %zu recordings, %.2f hours, %zu reference seizures, %zu hypothesis events\n", l.recs.size(),
              total_s / 3600.0, n_ref, n_hyp);
  if (l.no_hyp) std::printf("score: note: %zu reference file(s) have no hypothesis file; scored as no detection\n", l.no_hyp);
  for (const auto& f : l.skipped) std::printf("score: note: %s is not an annotation file; skipped\n", f.c_str());
  if (l.no_ref) std::printf("score: note: %zu hypothesis file(s) have no reference file and were not scored\n", l.no_ref);
  for (const auto& f : l.duration_mismatch) {
    std::printf("score: note: %s states another recording duration than its reference; SzCORE scores it as no "
                "detection (szcore-evaluation's duration tolerance is 0)\n", f.c_str());
  }
  std::optional<eval::ScoreSummary> nedc;
  std::optional<eval::DpalignCounts> dp;
  std::optional<eval::szcore::DatasetScores> sz;
  const auto params = szcore_params(st);
  if (total_s / st.epoch_s > 1e8) {  // epoch scoring is linear in the epoch count
    throw ConfigError("--epoch-s " + num(st.epoch_s) + " over " + num(total_s) +
                      " s of recordings gives more than 1e8 epochs; use a longer --epoch-s.");
  }
  if (st.scorer != Scorer::szcore) {
    nedc = eval::score_recordings(l.recs, st.epoch_s,
                                  st.taes_overlap);
    dp = score_dpalign(l.recs);
    print_nedc(*nedc, *dp, st.epoch_s);
  }
  if (st.scorer != Scorer::nedc) {
    sz = eval::szcore::score_recordings(l.recs, params);
    print_szcore(*sz);
  }
  if (!o.json.empty()) {
    const auto folder = std::filesystem::absolute(o.json).parent_path();
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);  // as the other commands create their output folders
    if (ec) throw Error("Cannot create the folder " + folder.string() + " for --json: " + ec.message() + ".");
    io::write_text_file_atomic(o.json, score_json_text(nedc ? &*nedc : nullptr, dp ? &*dp : nullptr, sz ? &*sz : nullptr, params) + "\n");
    std::printf("score: JSON written to %s\n", o.json.c_str());
  }
  std::fflush(stdout);
  if (!l.unreadable.empty()) {
    throw Error(std::to_string(l.unreadable.size()) + " reference annotation file(s) could not be read and are left out of "
                "the scores above (each named in a warning); fix or remove them, or score without them.");
  }
}

}  // namespace ecgforest::pipeline

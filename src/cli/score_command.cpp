// `ecgforest score --ref DIR --hyp DIR [--json FILE]`: event-level scoring of hypothesis
// annotation files against reference ones, paired by basename (see README "Scoring").
// Runs on rank 0; other ranks (if any) only wait for the exit status.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "ecgforest/cli/score_command.hpp"
#include "ecgforest/core/error.hpp"
#include "ecgforest/eval/events.hpp"
#include "ecgforest/io/annotation_writer.hpp"
#include "ecgforest/io/annotations.hpp"
#include "ecgforest/parallel/mpi.hpp"

namespace ecgforest::cli {
namespace {

struct ScoreOptions {
  std::string ref, hyp, json;
  double epoch_s = 0.25;
};

// Extension rank: the order find_annotation_for uses (.csv_bi first); -1 = not an annotation file.
int ext_rank(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const char* order[] = {".csv_bi", ".tse_bi", ".csv", ".tse"};
  for (int i = 0; i < 4; ++i) {
    if (ext == order[i]) return i;
  }
  return -1;
}

// basename (stem) → annotation file, preferring the binary formats.
std::map<std::string, std::filesystem::path> annotation_files(const std::string& dir, const char* flag) {
  if (!std::filesystem::is_directory(dir)) {
    throw ConfigError(std::string(flag) + " '" + dir + "' is not a directory; give a directory of annotation files.");
  }
  std::map<std::string, std::filesystem::path> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const int r = ext_rank(entry.path());
    if (r < 0) continue;
    const std::string stem = entry.path().stem().string();
    auto it = out.find(stem);
    if (it == out.end() || r < ext_rank(it->second)) out[stem] = entry.path();
  }
  return out;
}

std::vector<eval::Event> seizures(const io::Annotations& a) {
  std::vector<eval::Event> out;
  for (const auto& e : a.events) {
    if (io::is_seizure_label(e.label)) out.push_back({e.start_s, e.stop_s, e.confidence});
  }
  return out;
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

int run_score(const ScoreOptions& o, MPI_Comm comm) {
  std::string err;
  int status = 1;
  if (parallel::rank(comm) == 0) {
    try {
      if (!(o.epoch_s > 0)) throw ConfigError("--epoch-s must be > 0 seconds.");
      if (!(o.epoch_s >= 0.001 && o.epoch_s <= 3600)) throw ConfigError("--epoch-s must be between 0.001 and 3600 seconds.");
      const auto refs = annotation_files(o.ref, "--ref");
      const auto hyps = annotation_files(o.hyp, "--hyp");
      if (refs.empty()) throw ConfigError("--ref " + o.ref + " holds no annotation file (.csv_bi, .tse_bi, .csv, .tse).");
      std::vector<eval::ScoredRecording> recs;
      std::size_t no_hyp = 0;
      std::vector<std::string> skipped;
      for (const auto& [stem, ref_path] : refs) {
        io::Annotations ref;
        try {
          ref = io::read_annotations(ref_path);
        } catch (const RecordError& e) {
          // Plain .csv/.tse files may be other tables (e.g. NAME.rpeaks.csv); binary files must parse.
          if (ext_rank(ref_path) < 2) throw;
          skipped.push_back(ref_path.string());
          continue;
        }
        eval::ScoredRecording r;
        r.name = stem;
        r.ref = seizures(ref);
        double duration = ref.duration_s.value_or(last_stop(ref));
        auto h = hyps.find(stem);
        if (h != hyps.end()) {
          const auto hyp = io::read_annotations(h->second);
          r.hyp = seizures(hyp);
          if (!ref.duration_s) duration = std::max(duration, hyp.duration_s.value_or(last_stop(hyp)));
        } else {
          ++no_hyp;
        }
        r.duration_s = duration;
        recs.push_back(std::move(r));
      }
      std::size_t no_ref = 0;
      for (const auto& [stem, p] : hyps) {
        no_ref += std::any_of(recs.begin(), recs.end(), [&](const eval::ScoredRecording& r) { return r.name == stem; }) ? 0 : 1;
      }
      double total_s = 0;
      for (const auto& r : recs) total_s += r.duration_s;
      if (total_s / o.epoch_s > 1e8) {  // epoch scoring is linear in the epoch count
        throw ConfigError("--epoch-s " + num(o.epoch_s) + " over " + num(total_s) + " s of recordings gives more than 1e8 epochs; use a longer --epoch-s.");
      }
      const auto s = eval::score_recordings(recs, o.epoch_s);
      std::printf("score: %zu recordings, %.2f hours, %zu reference seizures, %zu hypothesis events\n", s.n_recordings,
                  s.total_s / 3600.0, s.ovlp.n_ref, s.ovlp.n_hyp);
      if (no_hyp) std::printf("score: note: %zu reference file(s) have no hypothesis file; scored as no detection\n", no_hyp);
      for (const auto& f : skipped) std::printf("score: note: %s is not an annotation file; skipped\n", f.c_str());
      if (recs.empty()) throw Error("No reference annotation file in " + o.ref + " could be read.");
      if (no_ref) std::printf("score: note: %zu hypothesis file(s) have no reference file and were not scored\n", no_ref);
      std::printf("  OVLP   sensitivity %s (%zu/%zu hits), false alarms %zu = %s per 24 h\n", num(s.ovlp_sensitivity).c_str(),
                  s.ovlp.hits, s.ovlp.n_ref, s.ovlp.false_alarms, num(s.ovlp_fa_per_24h).c_str());
      std::printf("  TAES   sensitivity %s (%.2f hits, %.2f misses), false alarms %.2f = %s per 24 h\n",
                  num(s.taes_sensitivity).c_str(), s.taes.hits, s.taes.misses, s.taes.false_alarms,
                  num(s.taes_fa_per_24h).c_str());
      std::printf("  EPOCH  (%.2f s) sensitivity %s, specificity %s, %s FA/24h\n", o.epoch_s,
                  num(s.epoch_sensitivity).c_str(), num(s.epoch_specificity).c_str(), num(s.epoch_fa_per_24h).c_str());
      std::printf("  latency median %s s, 90th percentile %s s\n", num(s.latency_median_s).c_str(),
                  num(s.latency_p90_s).c_str());
      if (!o.json.empty()) {
        io::write_text_file_atomic(o.json, eval::score_json(s) + "\n");
        std::printf("score: JSON written to %s\n", o.json.c_str());
      }
      std::fflush(stdout);
    } catch (const ConfigError& e) {
      err = e.what();
      status = 2;
    } catch (const std::exception& e) {
      err = e.what();
    }
  }
  if (auto e = parallel::agree_on_error(comm, err); !e.empty()) {
    if (parallel::rank(comm) == 0) std::fprintf(stderr, "ecgforest: error: %s\n", e.c_str());
    int st = status;
    MPI_Bcast(&st, 1, MPI_INT, 0, comm);
    return st;
  }
  return 0;
}

}  // namespace

ToolCommand score_command() {
  auto o = std::make_shared<ScoreOptions>();
  ToolCommand t;
  t.name = "score";
  t.help = "NEDC-style event scoring (OVLP, TAES, 0.25 s EPOCH, latency) of --hyp annotation files against --ref ones, paired by basename";
  t.add_options = [o](CLI::App& sub) {
    sub.add_option("--ref", o->ref, "directory of reference annotations (.csv_bi, .tse_bi, .csv, .tse; searched recursively)")
        ->required();
    sub.add_option("--hyp", o->hyp, "directory of hypothesis annotations (e.g. the output directory of predict --input)")
        ->required();
    sub.add_option("--json", o->json, "also write the scores as JSON to this file");
    sub.add_option("--epoch-s", o->epoch_s, "epoch length for epoch scoring, seconds (NEDC: 0.25)");
  };
  t.run = [o](MPI_Comm comm) { return run_score(*o, comm); };
  return t;
}

}  // namespace ecgforest::cli

#include "ecgforest/pipeline/inputs.hpp"

#include <glob.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "ecgforest/core/error.hpp"
#include "ecgforest/io/beat_file.hpp"
#include "ecgforest/io/edf_reader.hpp"
#include "ecgforest/core/file_check.hpp"
#include "ecgforest/pipeline/inputs_bids.hpp"

namespace ecgforest::pipeline {
namespace fs = std::filesystem;
namespace {

std::string lower_ext(const fs::path& p) {
  std::string e = p.extension().string();
  for (auto& c : e) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return e;
}

// A recording found in a directory or by a glob: *.edf, or a beat file NAME_rr.csv[.gz] /
// NAME_beats.csv[.gz] (any letter case).
bool is_recording_name(const fs::path& p) {
  return lower_ext(p) == ".edf" || io::recording_kind(p) != io::RecordingKind::edf;
}

// An EDF and a beat file (or two beat files) of one NAME in one directory would be the same
// recording twice: ConfigError naming both.
void check_one_file_per_name(const std::set<fs::path>& paths) {
  std::map<fs::path, fs::path> seen;  // directory/NAME -> first file
  for (const auto& p : paths) {
    const auto [it, fresh] = seen.emplace(p.parent_path() / io::recording_name(p), p);
    if (fresh) continue;
    if (io::recording_kind(p) == io::RecordingKind::edf && io::recording_kind(it->second) == io::RecordingKind::edf) continue;
    throw ConfigError("The inputs hold two files of the recording " + io::recording_name(p) + ": " + it->second.string() +
                      " and " + p.string() + ". Keep one of them (or put them in separate directories and runs).");
  }
}

bool is_list_file(const fs::path& p) {
  const auto e = lower_ext(p);
  return e == ".txt" || e == ".list" || e == ".lst";
}

/// `lists`: the list files being read, outermost first (a list met again is a loop).
using ListChain = std::vector<fs::path>;
void add_path(const fs::path& p, std::set<fs::path>& out, ListChain& lists);

bool is_pattern(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

// The matches of a glob pattern: EDF and beat files, and directories (searched); a glob never
// reads list files or other files. False when nothing matches.
bool add_glob(const std::string& pattern, std::set<fs::path>& out, ListChain& lists) {
  glob_t g{};
  const int rc = glob(pattern.c_str(), 0, nullptr, &g);
  std::error_code ec;
  if (rc == 0) {
    for (std::size_t i = 0; i < g.gl_pathc; ++i) {
      const fs::path m = g.gl_pathv[i];
      if (fs::is_directory(m, ec) || is_recording_name(m)) add_path(m, out, lists);
    }
  }
  globfree(&g);
  return rc == 0;
}

void add_list_file(const fs::path& list, std::set<fs::path>& out, ListChain& lists) {
  std::error_code canon_ec;
  const fs::path canon = fs::weakly_canonical(list, canon_ec);
  if (std::find(lists.begin(), lists.end(), canon) != lists.end()) {
    std::string loop;
    for (const auto& l : lists) loop += l.string() + " -> ";
    throw ConfigError("The input list " + canon.string() + " includes itself (" + loop + canon.string() +
                      "); remove the line that closes the loop.");
  }
  if (lists.size() >= 8) throw ConfigError("Input list files nest more than 8 levels deep at " + canon.string() + ".");
  lists.push_back(canon);
  if (auto why = regular_file_problem(list, kMaxListBytes); !why.empty()) {
    throw ConfigError("Cannot read the input list file " + list.string() + ": it " + why + ".");
  }
  std::ifstream in(list);
  if (!in) throw ConfigError("Cannot read the input list file " + list.string() + "; check its permissions.");
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto b = line.find_first_not_of(" \t");
    if (b == std::string::npos || line[b] == '#') continue;
    const auto e = line.find_last_not_of(" \t");
    fs::path p = line.substr(b, e - b + 1);
    if (p.is_relative()) p = list.parent_path() / p;
    if (!fs::exists(p) && is_pattern(p.string())) {
      if (!add_glob(p.string(), out, lists)) {
        throw ConfigError("Line " + std::to_string(n) + " of the input list " + list.string() + " is the pattern " +
                          p.string() + ", which matches no file; fix or remove that line.");
      }
      continue;
    }
    if (!fs::exists(p)) {
      throw ConfigError("Line " + std::to_string(n) + " of the input list " + list.string() + " names " + p.string() +
                        ", which does not exist; fix or remove that line.");
    }
    add_path(p, out, lists);
  }
  lists.pop_back();
}

void add_path(const fs::path& p, std::set<fs::path>& out, ListChain& lists) {
  std::error_code ec;
  if (fs::is_directory(p, ec)) {
    for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      if (it->is_directory(ec) && bids_skip_dir(it->path())) {
        it.disable_recursion_pending();
        continue;
      }
      // A directory named *.edf is still a directory: it is searched, not opened.
      if (is_recording_name(it->path()) && !it->is_directory(ec) && !bids_skip_file(it->path())) {
        out.insert(fs::absolute(it->path()).lexically_normal());
      }
    }
    return;
  }
  if (is_list_file(p)) {
    add_list_file(p, out, lists);
    return;
  }
  out.insert(fs::absolute(p).lexically_normal());
}

// One row of an annotation map: the recording and annotation file it pairs, and its line.
struct MapRow {
  fs::path annotation;
  int line = 0;
};

std::map<fs::path, MapRow> read_annotation_map_rows(const std::string& file) {
  std::map<fs::path, MapRow> m;
  if (file.empty()) return m;
  if (auto why = regular_file_problem(file, kMaxListBytes); !why.empty()) {
    throw ConfigError("Cannot read the annotation map " + file + " (extract.annotation_map): it " + why + ".");
  }
  std::ifstream in(file);
  if (!in) throw ConfigError("Cannot read the annotation map " + file + " (extract.annotation_map); check the path.");
  std::string line;
  int n = 0;
  const fs::path base = fs::path(file).parent_path();
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#' || (n == 1 && line.rfind("edf,", 0) == 0)) continue;
    const auto comma = line.find(',');
    if (comma == std::string::npos) {
      throw ConfigError("Line " + std::to_string(n) + " of the annotation map " + file +
                        " is not 'edf,annotation': '" + line + "'.");
    }
    fs::path edf = line.substr(0, comma), ann = line.substr(comma + 1);
    if (edf.is_relative()) edf = base / edf;
    if (ann.is_relative()) ann = base / ann;
    const auto key = fs::absolute(edf).lexically_normal();
    if (const auto it = m.find(key); it != m.end()) {
      throw ConfigError("Lines " + std::to_string(it->second.line) + " and " + std::to_string(n) + " of the annotation map " +
                        file + " both name " + key.string() + "; keep one of them.");
    }
    m[key] = {fs::absolute(ann).lexically_normal(), n};
  }
  return m;
}

}  // namespace

std::string patient_from_path(const fs::path& edf, const std::string& regex) {
  std::regex re;
  try {
    re = std::regex(regex);
  } catch (const std::regex_error& e) {
    throw ConfigError("extract.patient_regex '" + regex + "' is not a valid regular expression (" + e.what() + ").");
  }
  for (const std::string& s : {edf.filename().string(), edf.string()}) {
    std::smatch m;
    if (std::regex_search(s, m, re)) {
      for (std::size_t i = 1; i < m.size(); ++i) {
        if (m[i].matched && m[i].length() > 0) return m[i].str();
      }
      return m[0].str();
    }
  }
  return io::recording_name(edf);
}

std::vector<InputRecording> expand_inputs(const std::vector<std::string>& inputs, const ExtractSettings& settings,
                                          const char* flag) {
  if (inputs.empty()) {
    throw ConfigError("No input given; pass --input with EDF files, directories, globs or list files (or set input in the config).");
  }
  std::set<fs::path> paths;
  ListChain lists;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (fs::exists(in, ec)) {
      add_path(in, paths, lists);
      continue;
    }
    if (is_pattern(in)) {
      if (!add_glob(in, paths, lists)) throw ConfigError("The input pattern '" + in + "' matches no file; check the pattern.");
      continue;
    }
    throw ConfigError("The input " + in + " does not exist; check the path.");
  }
  if (paths.empty()) {
    throw ConfigError("No EDF file (*.edf) or heart-beat file (NAME_rr.csv[.gz], NAME_beats.csv[.gz]) was found in " +
                      std::string(flag) + "; check it.");
  }
  drop_bids_duplicates(paths);
  check_one_file_per_name(paths);
  check_participants(paths);
  const auto amap = read_annotation_map_rows(settings.annotation_map);
  // Validate the regex once, before any work.
  (void)patient_from_path("x.edf", settings.patient_regex);
  std::vector<InputRecording> out;
  for (const auto& p : paths) {
    InputRecording r;
    r.edf = p;
    std::error_code ec;
    const auto sz = fs::file_size(p, ec);
    r.size_bytes = ec ? 0 : sz;
    r.patient = patient_from_path(p, settings.patient_regex);
    if (auto it = amap.find(p); it != amap.end()) r.annotation = it->second.annotation;
    apply_bids(r);
    out.push_back(std::move(r));
  }
  return out;
}

std::optional<StartDateTime> recording_start(const fs::path& file) {
  switch (io::recording_kind(file)) {
    case io::RecordingKind::edf: return io::EdfFile(file).info().start;
    case io::RecordingKind::rr_csv: return io::read_beat_file(file).start;
    case io::RecordingKind::beats_csv: break;
  }
  return std::nullopt;
}

std::optional<StartDateTime> annotation_start(const fs::path& annotation) {
  const fs::path dir = annotation.parent_path();
  const std::string name = annotation.stem().string();
  for (const std::string& f : {name + ".edf", name + "_rr.csv", name + "_rr.csv.gz"}) {
    std::error_code ec;
    if (!fs::is_regular_file(dir / f, ec)) continue;
    try {
      return recording_start(dir / f);
    } catch (const std::exception&) {
      return std::nullopt;  // an unreadable recording: the annotations then say what they lack
    }
  }
  return std::nullopt;
}

std::vector<std::string> annotation_map_problems(const ExtractSettings& settings, const std::vector<InputRecording>& recs) {
  std::vector<std::string> notes;
  if (settings.annotation_map.empty()) return notes;
  const auto rows = read_annotation_map_rows(settings.annotation_map);
  std::set<fs::path> inputs;
  for (const auto& r : recs) inputs.insert(r.edf);
  std::size_t matched = 0;
  std::string first_unmatched;
  for (const auto& [edf, row] : rows) {
    const std::string where = "line " + std::to_string(row.line) + " of the annotation map " + settings.annotation_map;
    if (!inputs.count(edf)) {
      if (first_unmatched.empty()) first_unmatched = edf.string();
      notes.push_back(where + " names " + edf.string() + ", which is not among the inputs (paths in the map are "
                      "relative to the map's folder); its annotations are not used.");
      continue;
    }
    ++matched;
    std::error_code ec;
    if (!fs::exists(row.annotation, ec)) {  // (a FIFO or device fails its recording later, with the reason)
      throw ConfigError(where + " pairs " + edf.filename().string() + " with " + row.annotation.string() +
                        ", which does not exist (paths in the map are relative to the map's folder); fix the row.");
    }
  }
  if (matched == 0 && !rows.empty()) {
    throw ConfigError("No row of the annotation map " + settings.annotation_map + " names one of the inputs (of its " +
                      std::to_string(rows.size()) + " rows the first names " + first_unmatched +
                      "); paths in the map are relative to the map's folder: fix the map or the inputs.");
  }
  return notes;
}

std::vector<InputRecording> baseline_then_inputs(const Config& config, std::uint64_t& n_baseline) {
  std::vector<InputRecording> recs;
  if (!config.tailor_baseline.empty()) recs = expand_inputs(config.tailor_baseline, config.extract, "--tailor-baseline");
  n_baseline = recs.size();
  std::set<fs::path> base;
  for (const auto& r : recs) base.insert(fs::weakly_canonical(r.edf));
  std::map<std::string, std::string> seen;  // NAME -> path: OUTPUT/NAME.tse_bi per input recording
  for (auto& r : expand_inputs(config.input, config.extract)) {
    if (base.count(fs::weakly_canonical(r.edf)))
      throw ConfigError("Recording " + r.edf.string() + " is both a --tailor-baseline recording and an --input one: a "
                        "baseline is never scored. Give it once, in one of the two.");
    const auto [it, fresh] = seen.emplace(io::recording_name(r.edf), r.edf.string());
    if (!fresh) {
      throw ConfigError("Two inputs share the file name '" + it->first + "': " + it->second + " and " + r.edf.string() +
                        "; their annotation files in the output folder would overwrite each other. Predict them in "
                        "separate runs (different --output).");
    }
    recs.push_back(std::move(r));
  }
  return recs;
}

}  // namespace ecgforest::pipeline

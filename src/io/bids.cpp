#include "ecgforest/io/bids.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/file_check.hpp"
#include "ecgforest/core/text.hpp"

namespace ecgforest::io {
namespace fs = std::filesystem;
namespace {

bool starts_with(const std::string& s, const std::string& head) { return s.rfind(head, 0) == 0; }

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The value of entity `key` ("sub", "ses") in a BIDS file name, empty when absent.
std::string entity(const std::string& name, const std::string& key) {
  std::size_t b = 0;
  while (b < name.size()) {
    const auto e = std::min(name.find('_', b), name.size());
    const std::string part = name.substr(b, e - b);
    if (starts_with(part, key + "-")) return part.substr(key.size() + 1);
    b = e + 1;
  }
  return {};
}

// A BIDS label: one or more letters or digits.
bool is_label(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) != 0; });
}

struct TsvRow {
  std::size_t line = 0;  ///< 1-based
  std::vector<std::string> fields;
};

using Fail = std::function<void(std::size_t line, const std::string& what)>;

// Tab-separated rows of a small text file (UTF-8 BOM, \r\n and blank lines tolerated); the
// first row is the header. `fail` throws (line 0 = the file as a whole).
std::vector<TsvRow> read_tsv(const fs::path& file, const Fail& fail) {
  if (auto why = regular_file_problem(file, kMaxAnnotationBytes); !why.empty()) fail(0, "it " + why);
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(0, "it cannot be opened; check its permissions");
  std::vector<TsvRow> rows;
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    if (n == 1 && starts_with(line, "\xEF\xBB\xBF")) line.erase(0, 3);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    TsvRow r{n, {}};
    std::stringstream ss(line);
    for (std::string f; std::getline(ss, f, '\t');) r.fields.push_back(f);
    if (line.back() == '\t') r.fields.emplace_back();
    rows.push_back(std::move(r));
  }
  if (rows.empty()) fail(0, "it is empty; it needs a header row");
  return rows;
}

// Column of `name` in the header, or -1.
int column(const TsvRow& header, const std::string& name) {
  const auto it = std::find(header.fields.begin(), header.fields.end(), name);
  return it == header.fields.end() ? -1 : static_cast<int>(it - header.fields.begin());
}

// Every row has the header's number of fields.
void check_widths(const std::vector<TsvRow>& rows, const Fail& fail) {
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (rows[i].fields.size() != rows[0].fields.size()) {
      fail(rows[i].line, "it has " + std::to_string(rows[i].fields.size()) + " tab-separated fields, the header " +
                             std::to_string(rows[0].fields.size()));
    }
  }
}

std::string where(const fs::path& file, std::size_t line) {
  return file.string() + (line ? " line " + std::to_string(line) : std::string());
}

}  // namespace

std::optional<BidsPath> bids_path(const fs::path& file) {
  const std::string name = file.filename().string();
  const std::string stem = file.stem().string();
  const auto us = stem.rfind('_');
  if (!starts_with(name, "sub-") || us == std::string::npos) return std::nullopt;
  BidsPath b;
  b.subject = entity(stem, "sub");
  b.session = entity(stem, "ses");
  b.prefix = stem.substr(0, us);
  b.suffix = stem.substr(us + 1);
  const fs::path dt_dir = file.parent_path();
  b.datatype = dt_dir.filename().string();
  if (!is_label(b.subject) || !is_label(b.suffix) || !is_label(b.datatype)) return std::nullopt;
  fs::path sub_dir = dt_dir.parent_path();
  if (!b.session.empty()) {
    if (sub_dir.filename().string() != "ses-" + b.session) return std::nullopt;
    sub_dir = sub_dir.parent_path();
  }
  if (sub_dir.filename().string() != "sub-" + b.subject) return std::nullopt;
  b.root = sub_dir.parent_path();
  return b;
}

std::string bids_path_mismatch(const fs::path& file) {
  const std::string stem = file.stem().string();
  if (!starts_with(file.filename().string(), "sub-") || bids_path(file)) return "";
  if (stem.find('_') == std::string::npos) return "";
  const std::string subject = entity(stem, "sub"), session = entity(stem, "ses");
  // The two folders above the datatype folder: [ses-<label>/] then sub-<label>/.
  fs::path up = file.parent_path().parent_path();
  const std::string tail = " so it is not read as a BIDS recording (no _channels.tsv, no _events.tsv, patient = the "
                           "file name); rename the file or the folder.";
  if (starts_with(up.filename().string(), "ses-")) {
    if (up.filename().string() != "ses-" + session)
      return "Its name says " + (session.empty() ? std::string("no session") : "ses-" + session) + " but it lies in the folder " +
             up.filename().string() + "," + tail;
    up = up.parent_path();
  } else if (!session.empty() && starts_with(up.filename().string(), "sub-")) {
    return "Its name says ses-" + session + " but it lies in no ses- folder," + tail;
  }
  const std::string sub = up.filename().string();
  if (starts_with(sub, "sub-") && sub != "sub-" + subject)
    return "Its name says sub-" + subject + " but it lies in the folder " + sub + "," + tail;
  return "";
}

bool is_ecg_datatype(const std::string& datatype) { return datatype_preference(datatype) < 3; }

int datatype_preference(const std::string& datatype) {
  static const std::vector<std::string> kOrder{"ecg", "eeg", "ieeg"};
  const auto it = std::find(kOrder.begin(), kOrder.end(), datatype);
  return static_cast<int>(it - kOrder.begin());
}

bool is_bids_non_raw_dir(const fs::path& dir) {
  const std::string n = dir.filename().string();
  std::error_code ec;
  return (n == "derivatives" || n == "sourcedata" || n == "code") &&
         fs::is_regular_file(dir.parent_path() / "dataset_description.json", ec);
}

std::optional<fs::path> bids_channels_file(const fs::path& file, const BidsPath& b) {
  const fs::path p = file.parent_path() / (b.prefix + "_channels.tsv");
  std::error_code ec;
  if (fs::exists(p, ec)) return p;
  return std::nullopt;
}

std::optional<fs::path> bids_events_file(const fs::path& file, const BidsPath& b) {
  const std::string name = b.prefix + "_events.tsv";
  std::error_code ec;
  if (fs::exists(file.parent_path() / name, ec)) return file.parent_path() / name;
  std::set<fs::path> siblings;  // sorted: the same folder is chosen on every run
  for (const auto& d : fs::directory_iterator(file.parent_path().parent_path(), ec)) {
    if (d.is_directory(ec) && fs::exists(d.path() / name, ec)) siblings.insert(d.path() / name);
  }
  if (siblings.empty()) return std::nullopt;
  return *siblings.begin();
}

fs::path bids_events_relative_path(const fs::path& file, const BidsPath& b) {
  if (auto ev = bids_events_file(file, b)) return ev->lexically_relative(b.root);
  return file.parent_path().lexically_relative(b.root) / (b.prefix + "_events.tsv");
}

std::string ecg_channel_from_channels_tsv(const fs::path& tsv) {
  const Fail fail = [&](std::size_t line, const std::string& what) {
    throw RecordError("bad_channels", "The BIDS channels file " + escape_text(where(tsv, line)) + " is malformed: " + what +
                                          ". It needs tab-separated columns 'name type units ...' with one row per "
                                          "channel (type ECG for the ECG); fix it or remove it.");
  };
  const auto rows = read_tsv(tsv, fail);
  const int c_name = column(rows[0], "name"), c_type = column(rows[0], "type");
  if (c_name < 0 || c_type < 0) fail(rows[0].line, "the header lacks the column 'name' or 'type'");
  check_widths(rows, fail);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const std::string type = lower(rows[i].fields[static_cast<std::size_t>(c_type)]);
    if (type == "ecg" || type == "ekg") {
      const std::string& name = rows[i].fields[static_cast<std::size_t>(c_name)];
      if (name.empty()) fail(rows[i].line, "its ECG row has an empty name");
      return name;
    }
  }
  return {};
}

Participants read_participants_tsv(const fs::path& tsv) {
  const Fail fail = [&](std::size_t line, const std::string& what) {
    throw ConfigError("The BIDS participants file " + escape_text(where(tsv, line)) + " is malformed: " + what +
                      ". It needs a tab-separated header with the column participant_id and one row per subject "
                      "(sub-<label>); fix it or remove it.");
  };
  const auto rows = read_tsv(tsv, fail);
  const int c_id = column(rows[0], "participant_id");
  if (c_id < 0) fail(rows[0].line, "the header lacks the column 'participant_id'");
  check_widths(rows, fail);
  Participants p;
  p.columns = rows[0].fields;
  std::set<std::string> seen;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const std::string& id = rows[i].fields[static_cast<std::size_t>(c_id)];
    if (!starts_with(id, "sub-") || !is_label(id.substr(4))) {
      fail(rows[i].line, "participant_id '" + escape_text(id) + "' is not sub-<label>");
    }
    if (!seen.insert(id).second) fail(rows[i].line, id + " is listed twice");
    p.ids.push_back(id);
  }
  return p;
}

}  // namespace ecgforest::io

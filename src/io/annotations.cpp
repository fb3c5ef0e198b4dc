// Seizure annotation readers: TUH .tse/.tse_bi (seconds or La Teppe ISO-8601 timestamps) and
// TUSZ v2 .csv/.csv_bi. See include/ecgforest/io/annotations.hpp.
#include "ecgforest/io/annotations.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string_view>
#include <system_error>

#include "ecgforest/core/error.hpp"
#include "ecgforest/io/beat_file.hpp"
#include "ecgforest/core/file_check.hpp"
#include "ecgforest/core/text.hpp"

namespace ecgforest::io {
namespace {

constexpr const char* kKind = "bad_annotation";

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// Offending text for messages: trimmed, cut to a readable length and escaped (escape_text).
std::string excerpt(std::string_view s) {
  s = trim(s);
  constexpr std::size_t kMax = 120;
  if (s.size() <= kMax) return escape_text(s);
  return escape_text(s.substr(0, kMax)) + "...";
}

/// `s` in single quotes (built by appending: avoids a GCC 12 -Wrestrict false positive).
std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '\'';
  out += escape_text(s);
  out += '\'';
  return out;
}

struct Line {
  std::size_t number = 0;  ///< 1-based
  std::string_view text;   ///< trimmed
  std::string_view raw;    ///< without the line ending
};

/// Context for error messages of one file.
struct Source {
  std::string path;
  [[noreturn]] void fail(const Line& line, const std::string& what) const {
    throw RecordError(kKind, "Annotation file '" + path + "' line " + std::to_string(line.number) +
                                 " ('" + excerpt(line.raw) + "'): " + what);
  }
};

/// Splits the file content (BOM removed) into lines; '\n', "\r\n" and lone '\r' end a line.
std::vector<Line> split_lines(std::string_view content) {
  std::vector<Line> lines;
  std::size_t number = 1;
  std::size_t begin = 0;
  for (std::size_t i = 0; i <= content.size(); ++i) {
    const bool end = i == content.size();
    if (!end && content[i] != '\n' && content[i] != '\r') continue;
    if (end && begin == i) break;  // no empty line after a final line ending
    const std::string_view raw = content.substr(begin, i - begin);
    lines.push_back({number++, trim(raw), raw});
    if (!end && content[i] == '\r' && i + 1 < content.size() && content[i + 1] == '\n') ++i;
    begin = i + 1;
  }
  return lines;
}

std::string read_file(const std::filesystem::path& file) {
  if (auto why = regular_file_problem(file, kMaxAnnotationBytes); !why.empty()) {
    throw RecordError(kKind, "Cannot read the annotation file '" + file.string() + "': it " + why + ".");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw RecordError(kKind, "Cannot open annotation file '" + file.string() +
                                 "'; check that it exists and is readable.");
  }
  std::string content;
  std::array<char, 65536> buf{};
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
    content.append(buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) {
    throw RecordError(kKind, "Reading annotation file '" + file.string() +
                                 "' failed part-way; check the disk and file permissions.");
  }
  if (content.size() >= 3 && static_cast<unsigned char>(content[0]) == 0xEF &&
      static_cast<unsigned char>(content[1]) == 0xBB &&
      static_cast<unsigned char>(content[2]) == 0xBF) {
    content.erase(0, 3);
  }
  return content;
}

/// Parses a whole token as a finite double (no inf/nan, no trailing characters).
std::optional<double> parse_number(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  double v = 0.0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

bool valid_label(std::string_view s) {
  if (s.empty() || std::isalpha(static_cast<unsigned char>(s.front())) == 0) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
  });
}

std::vector<std::string_view> split_ws(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    const std::size_t b = i;
    while (i < s.size() && !is_space(s[i])) ++i;
    if (i > b) out.push_back(s.substr(b, i - b));
  }
  return out;
}

std::vector<std::string_view> split_commas(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t b = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == ',') {
      out.push_back(trim(s.substr(b, i - b)));
      b = i + 1;
    }
  }
  return out;
}

// ------------------------------------------------------------------ ISO-8601 timestamps

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}

bool valid_civil(int y, int mo, int d, int h, int mi, int s) {
  return y >= 1 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= days_in_month(y, mo) &&
         h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 59;
}

/// Whole seconds since 1970-01-01T00:00:00 plus a fraction in [0, 1).
struct WallTime {
  std::int64_t whole_s = 0;
  double frac_s = 0.0;
};

/// "YYYY-MM-DDTHH:MM:SS[.fff...][Z]" (also a space-free lower-case 't').
std::optional<WallTime> parse_iso(std::string_view s) {
  if (!s.empty() && (s.back() == 'Z' || s.back() == 'z')) s.remove_suffix(1);
  if (s.size() < 19) return std::nullopt;
  auto digits = [&](std::size_t pos, std::size_t n) -> std::optional<int> {
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (std::isdigit(static_cast<unsigned char>(s[i])) == 0) return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
      s[16] != ':') {
    return std::nullopt;
  }
  const auto y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2), h = digits(11, 2),
             mi = digits(14, 2), sec = digits(17, 2);
  if (!y || !mo || !d || !h || !mi || !sec || !valid_civil(*y, *mo, *d, *h, *mi, *sec)) {
    return std::nullopt;
  }
  WallTime t;
  if (s.size() > 19) {
    if (s[19] != '.' || s.size() == 20) return std::nullopt;
    for (std::size_t i = 20; i < s.size(); ++i) {
      if (std::isdigit(static_cast<unsigned char>(s[i])) == 0) return std::nullopt;
    }
    const std::string frac = "0" + std::string(s.substr(19));
    const auto f = parse_number(frac);
    if (!f) return std::nullopt;
    t.frac_s = *f;
  }
  t.whole_s = days_from_civil(*y, static_cast<unsigned>(*mo), static_cast<unsigned>(*d)) * 86400 +
              *h * 3600 + *mi * 60 + *sec;
  return t;
}

/// A start token that is not a plain number but a date/time (La Teppe flavour).
bool looks_like_timestamp(std::string_view tok) {
  if (tok.find_first_of("Tt:") != std::string_view::npos) return true;
  return tok.size() > 1 && tok.find('-', 1) != std::string_view::npos &&
         tok.find_first_of("eE") == std::string_view::npos;
}

// ------------------------------------------------------------------ row checks

constexpr double kMaxEventSeconds = 1e7;

void check_interval(const Source& src, const Line& line, double start, double stop) {
  if (start < 0.0 || stop < 0.0) {
    src.fail(line,
             "negative time (start " + number_text(start) + " s, stop " + number_text(stop) +
                 " s); times must be seconds from the recording "
                 "start, >= 0. Fix the row or check that the annotation belongs to this EDF.");
  }
  if (!(stop > start)) {
    src.fail(line, "the stop time (" + number_text(stop) + " s) is not after the start time (" +
                       number_text(start) + " s); each event needs stop > start. Fix the row.");
  }
  // Bounded, so that no later step (labels, event scoring epochs) works in proportion to it.
  if (stop > kMaxEventSeconds) {
    src.fail(line, "an event ends after 1e7 s (116 days), which no recording lasts; fix the row.");
  }
}

// ------------------------------------------------------------------ TSE

// The recording start as a wall time, to turn absolute annotation timestamps into seconds.
WallTime recording_origin(const Source& src, const StartDateTime& start) {
  if (!valid_civil(start.year, start.month, start.day, start.hour, start.minute, start.second) ||
      !(start.subsecond >= 0.0 && start.subsecond < 1.0)) {
    throw RecordError(kKind, "Annotation file '" + src.path +
                                 "' uses absolute timestamps but the "
                                 "recording start given to convert them is not a valid date-time (" +
                                 std::to_string(start.year) + "-" + std::to_string(start.month) + "-" +
                                 std::to_string(start.day) + " " + std::to_string(start.hour) + ":" +
                                 std::to_string(start.minute) + ":" + std::to_string(start.second) + " + " +
                                 number_text(start.subsecond) + " s); check the EDF header's startdate/starttime.");
  }
  return WallTime{days_from_civil(start.year, static_cast<unsigned>(start.month), static_cast<unsigned>(start.day)) *
                          86400 +
                      start.hour * 3600 + start.minute * 60 + start.second,
                  start.subsecond};
}

// Start and stop of a row with ISO-8601 date-times, in seconds from the recording start (t0 is set
// from `start` at the first such row).
void read_iso_times(const Source& src, const Line& line, const std::vector<std::string_view>& tok,
                    const std::optional<StartDateTime>& start, std::optional<WallTime>& t0, const char* expected,
                    AnnotationEvent& ev) {
  const auto a = parse_iso(tok[0]);
  const auto b = parse_iso(tok[1]);
  if (!a || !b) {
    src.fail(line, quoted(!a ? tok[0] : tok[1]) +
                       " is not a valid ISO-8601 date-time (the file's first row uses "
                       "absolute timestamps); " +
                       expected);
  }
  if (!start) {
    src.fail(line,
             "the file uses absolute ISO-8601 timestamps, which need the start date and "
             "time of its recording to become seconds, and that recording was not found or "
             "has none: keep NAME.edf (or NAME_rr.csv) beside the annotation file, with a "
             "valid startdate/starttime in its EDF header.");
  }
  if (!t0) t0 = recording_origin(src, *start);
  auto rel = [&](const WallTime& t) { return static_cast<double>(t.whole_s - t0->whole_s) + (t.frac_s - t0->frac_s); };
  ev.start_s = rel(*a);
  ev.stop_s = rel(*b);
}

Annotations read_tse(const Source& src, const std::vector<Line>& lines, const std::string& ext,
                     const std::optional<StartDateTime>& start) {
  Annotations out;
  out.format = ext;
  bool in_header = true;
  std::optional<bool> iso;  // decided by the first data row
  std::optional<WallTime> t0;
  for (const Line& line : lines) {
    if (line.text.empty()) continue;
    if (in_header && line.text.find('=') != std::string_view::npos) continue;  // "key = value"
    in_header = false;
    const auto tok = split_ws(line.text);
    if (!iso) iso = !tok.empty() && looks_like_timestamp(tok[0]);
    const char* expected =
        *iso ? "expected 'start stop label probability' with ISO-8601 date-times such as "
               "'2017-01-10T14:30:00.441406 2017-01-10T14:32:23.062500 seiz 1'."
             : "expected 'start stop label probability' with start and stop in seconds from the "
               "recording start, such as '46.2734 52.0742 seiz 1.0000'.";
    if (tok.size() != 4) {
      src.fail(line, "found " + std::to_string(tok.size()) + " fields; " + expected);
    }
    AnnotationEvent ev;
    if (*iso) {
      read_iso_times(src, line, tok, start, t0, expected, ev);
    } else {
      const auto a = parse_number(tok[0]);
      const auto b = parse_number(tok[1]);
      if (!a || !b) src.fail(line, quoted(!a ? tok[0] : tok[1]) + " is not a number; " + expected);
      ev.start_s = *a;
      ev.stop_s = *b;
    }
    check_interval(src, line, ev.start_s, ev.stop_s);
    if (!valid_label(tok[2])) {
      src.fail(line, quoted(tok[2]) + " is not a label (letters, digits, '_'); " + expected);
    }
    ev.label = to_lower(tok[2]);
    const auto p = parse_number(tok[3]);
    if (!p) src.fail(line, "probability '" + std::string(tok[3]) + "' is not a number; " + expected);
    ev.confidence = *p;
    out.events.push_back(std::move(ev));
  }
  if (iso && *iso) out.format += "_iso";
  return out;
}

// ------------------------------------------------------------------ CSV (TUSZ v2)

constexpr const char* kCsvHeader = "channel,start_time,stop_time,label,confidence";

// A '# duration = 1750.00 secs' comment line sets the file's duration; other comments are ignored.
void read_csv_comment(const Source& src, const Line& line, Annotations& out) {
  std::string_view body = trim(line.text.substr(1));
  const auto eq = body.find('=');
  if (eq == std::string_view::npos || to_lower(trim(body.substr(0, eq))) != "duration") return;
  const auto tok = split_ws(body.substr(eq + 1));
  const auto d = tok.empty() ? std::nullopt : parse_number(tok[0]);
  if (!d || *d < 0.0 || *d > kMaxEventSeconds || (tok.size() > 1 && to_lower(tok[1]).rfind("sec", 0) != 0)) {
    src.fail(line, "the duration header is malformed; expected '# duration = 1750.00 secs'.");
  }
  out.duration_s = *d;
}

// Column positions, from the column header line.
struct CsvColumns {
  std::optional<std::size_t> channel, start, stop, label, confidence;
  std::size_t count = 0;
};

CsvColumns read_csv_header(const Source& src, const Line& line, const std::vector<std::string_view>& fields) {
  CsvColumns c;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::string name = to_lower(fields[i]);
    std::optional<std::size_t>* slot = name == "channel"      ? &c.channel
                                       : name == "start_time" ? &c.start
                                       : name == "stop_time"  ? &c.stop
                                       : name == "label"      ? &c.label
                                       : name == "confidence" ? &c.confidence
                                                              : nullptr;
    if (slot == nullptr) continue;
    if (*slot) src.fail(line, "column '" + name + "' appears twice; expected '" + std::string(kCsvHeader) + "'.");
    *slot = i;
  }
  if (!c.start || !c.stop || !c.label) {
    src.fail(line, "expected the column header '" + std::string(kCsvHeader) +
                       "' (after the '#' comment lines) before the data rows.");
  }
  c.count = fields.size();
  return c;
}

AnnotationEvent read_csv_row(const Source& src, const Line& line, const std::vector<std::string_view>& fields,
                             const CsvColumns& c) {
  const std::string expected = std::string("expected a row matching '") + kCsvHeader +
                               "' such as 'TERM,42.2786,81.7760,seiz,1.00' (times in seconds).";
  if (fields.size() != c.count) {
    src.fail(line, "found " + std::to_string(fields.size()) + " comma-separated fields, not " +
                       std::to_string(c.count) + "; " + expected);
  }
  AnnotationEvent ev;
  const auto a = parse_number(fields[*c.start]);
  const auto b = parse_number(fields[*c.stop]);
  if (!a || !b) {
    src.fail(line, quoted(!a ? fields[*c.start] : fields[*c.stop]) + " is not a number; " + expected);
  }
  ev.start_s = *a;
  ev.stop_s = *b;
  check_interval(src, line, ev.start_s, ev.stop_s);
  if (!valid_label(fields[*c.label])) src.fail(line, quoted(fields[*c.label]) + " is not a label; " + expected);
  ev.label = to_lower(fields[*c.label]);
  if (c.confidence) {
    const auto p = parse_number(fields[*c.confidence]);
    if (!p) src.fail(line, "confidence '" + std::string(fields[*c.confidence]) + "' is not a number; " + expected);
    ev.confidence = *p;
  }
  if (c.channel) {
    if (fields[*c.channel].empty()) src.fail(line, "the channel is empty; " + expected);
    ev.channel = std::string(fields[*c.channel]);
  }
  return ev;
}

Annotations read_csv(const Source& src, const std::vector<Line>& lines, const std::string& ext) {
  Annotations out;
  out.format = ext;
  std::optional<CsvColumns> columns;
  for (const Line& line : lines) {
    if (line.text.empty()) continue;
    if (line.text.front() == '#') {
      read_csv_comment(src, line, out);
      continue;
    }
    const auto fields = split_commas(line.text);
    if (!columns) {
      columns = read_csv_header(src, line, fields);
      continue;
    }
    out.events.push_back(read_csv_row(src, line, fields, *columns));
  }
  return out;
}

// ------------------------------------------------------------------ BIDS / SzCORE events.tsv

/// Tab-separated with a header naming at least onset, duration and eventType (the HED-SCORE
/// columns onset duration eventType confidence channels dateTime recordingDuration). An event
/// spans [onset, onset + duration] (the sum as SzCORE's loader computes it); rows of duration 0
/// carry no time and are skipped. recordingDuration (first row with a number) is the duration.
Annotations read_events_tsv(const Source& src, const std::vector<Line>& lines) {
  Annotations out;
  out.format = "events_tsv";
  constexpr const char* kExpected =
      "expected tab-separated 'onset duration eventType confidence channels dateTime recordingDuration' "
      "rows such as '120.00\t60.00\tsz\t1.00\tn/a\t2000-01-01 00:00:00\t3600.00' (SzCORE / BIDS events.tsv).";
  std::optional<std::size_t> c_onset, c_dur, c_type, c_conf, c_rec;
  std::size_t n_columns = 0;
  for (const Line& line : lines) {
    if (line.text.empty()) continue;
    std::vector<std::string_view> fields;
    for (std::size_t b = 0;;) {
      const auto t = line.raw.find('\t', b);
      fields.push_back(trim(line.raw.substr(b, t == std::string_view::npos ? std::string_view::npos : t - b)));
      if (t == std::string_view::npos) break;
      b = t + 1;
    }
    if (n_columns == 0) {
      for (std::size_t i = 0; i < fields.size(); ++i) {
        if (fields[i] == "onset") c_onset = i;
        else if (fields[i] == "duration") c_dur = i;
        else if ((fields[i] == "eventType" || fields[i] == "trial_type") && !c_type) c_type = i;
        else if (fields[i] == "confidence") c_conf = i;
        else if (fields[i] == "recordingDuration") c_rec = i;
      }
      if (!c_onset || !c_dur || !c_type) src.fail(line, std::string("the header lacks onset, duration or eventType; ") + kExpected);
      n_columns = fields.size();
      continue;
    }
    if (fields.size() != n_columns) {
      src.fail(line, "found " + std::to_string(fields.size()) + " tab-separated fields, not " + std::to_string(n_columns) +
                         "; " + kExpected);
    }
    const auto onset = parse_number(fields[*c_onset]);
    const auto dur = parse_number(fields[*c_dur]);
    if (!onset || !dur) src.fail(line, quoted(!onset ? fields[*c_onset] : fields[*c_dur]) + " is not a number; " + kExpected);
    if (c_rec && !out.duration_s) {
      const auto rec = parse_number(fields[*c_rec]);
      if (rec && *rec >= 0) out.duration_s = *rec;
    }
    if (*dur == 0.0) continue;
    AnnotationEvent ev;
    ev.start_s = *onset;
    ev.stop_s = *onset + *dur;
    check_interval(src, line, ev.start_s, ev.stop_s);
    if (!valid_label(fields[*c_type])) src.fail(line, quoted(fields[*c_type]) + " is not an event type; " + kExpected);
    // HED-SCORE seizure types (sz, sz_foc_ia, ...) are seizures as SzCORE reads them, and so is a
    // BIDS trial_type "seizure" (or "seizure_...").
    ev.label = to_lower(fields[*c_type]);
    if (ev.label.rfind("sz", 0) == 0 || ev.label.rfind("seiz", 0) == 0) ev.label = "seiz";
    if (c_conf) ev.confidence = parse_number(fields[*c_conf]).value_or(1.0);  // "n/a" allowed
    out.events.push_back(std::move(ev));
  }
  if (n_columns == 0) {
    throw RecordError(kKind, "Annotation file '" + src.path + "' is empty; " + kExpected);
  }
  return out;
}

}  // namespace

Annotations read_annotations(const std::filesystem::path& file,
                             const std::optional<StartDateTime>& start) {
  const std::string ext = to_lower(file.extension().string());
  const bool tse = ext == ".tse" || ext == ".tse_bi";
  const bool csv = ext == ".csv" || ext == ".csv_bi";
  const bool tsv = ext == ".tsv";
  if (!tse && !csv && !tsv) {
    throw RecordError(kKind, "Annotation file '" + file.string() +
                                 "' has the unsupported "
                                 "extension '" +
                                 file.extension().string() +
                                 "'; supported are .csv_bi, .tse_bi, .csv and .tse (TUH/TUSZ and "
                                 "La Teppe formats) and BIDS/SzCORE *_events.tsv. Rename or convert the file.");
  }
  const std::string content = read_file(file);
  const auto lines = split_lines(content);
  const Source src{file.string()};
  Annotations out = tsv ? read_events_tsv(src, lines)
                    : tse ? read_tse(src, lines, ext.substr(1), start) : read_csv(src, lines, ext.substr(1));
  std::stable_sort(
      out.events.begin(), out.events.end(),
      [](const AnnotationEvent& x, const AnnotationEvent& y) { return x.start_s < y.start_s; });
  return out;
}

std::optional<std::filesystem::path> find_annotation_for(const std::filesystem::path& edf) {
  static constexpr std::array<const char*, 4> kExtensions{".csv_bi", ".tse_bi", ".csv", ".tse"};
  for (const char* ext : kExtensions) {
    std::filesystem::path candidate = edf.parent_path() / recording_name(edf);
    candidate += ext;
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
  }
  return std::nullopt;
}

std::optional<double> stated_duration(const Annotations& a) {
  if (a.duration_s) return a.duration_s;
  if (a.format.rfind("tse", 0) != 0) return std::nullopt;
  double t = 0;
  for (const auto& e : a.events) t = std::max(t, e.stop_s);
  return t;
}

}  // namespace ecgforest::io

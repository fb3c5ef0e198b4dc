// Heart-beat recordings without ECG: RR tables and beat lists, plain or gzip-compressed.
// See include/ecgforest/io/beat_file.hpp.
#include "ecgforest/io/beat_file.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/file_check.hpp"
#include "ecgforest/core/text.hpp"

namespace ecgforest::io {
namespace {

constexpr const char* kBad = "bad_beats";
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

constexpr std::array<std::pair<std::string_view, RecordingKind>, 4> kSuffixes{{
    {"_rr.csv", RecordingKind::rr_csv},
    {"_rr.csv.gz", RecordingKind::rr_csv},
    {"_beats.csv", RecordingKind::beats_csv},
    {"_beats.csv.gz", RecordingKind::beats_csv},
}};

// Length of the beat-file suffix of `name` (0 when it has none).
std::size_t beat_suffix_length(const std::string& name) {
  const std::string l = lower(name);
  for (const auto& [suffix, kind] : kSuffixes) {
    if (l.size() > suffix.size() && ends_with(l, suffix)) return suffix.size();
  }
  return 0;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// The lines of a CSV text with their cells (RFC 4180 quoting: "a,b" and "" inside quotes).
class CsvLines {
 public:
  CsvLines(std::string_view text, std::string file) : text_(text), file_(std::move(file)) {
    if (text_.size() >= 3 && text_.substr(0, 3) == "\xEF\xBB\xBF") text_.remove_prefix(3);
  }
  /// Next non-blank line split into cells; false at the end.
  bool next(std::vector<std::string>& cells) {
    while (pos_ < text_.size()) {
      const auto nl = text_.find('\n', pos_);
      const auto end = nl == std::string_view::npos ? text_.size() : nl;
      const std::string_view line = text_.substr(pos_, end - pos_);
      pos_ = end + 1;
      ++line_no_;
      if (trim(line).empty()) continue;
      split(line, cells);
      return true;
    }
    return false;
  }
  long long line() const { return line_no_; }
  const std::string& file() const { return file_; }
  [[noreturn]] void fail(const std::string& what) const {
    throw RecordError(kBad, "Line " + std::to_string(line_no_) + " of " + file_ + ": " + what);
  }

 private:
  static void split(std::string_view line, std::vector<std::string>& cells) {
    cells.clear();
    std::string cell;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (quoted) {
        if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
          cell += '"';
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          cell += c;
        }
      } else if (c == '"' && trim(cell).empty()) {
        cell.clear();
        quoted = true;
      } else if (c == ',') {
        cells.emplace_back(trim(cell));
        cell.clear();
      } else {
        cell += c;
      }
    }
    cells.emplace_back(trim(cell));
  }
  std::string_view text_;
  std::string file_;
  std::size_t pos_ = 0;
  long long line_no_ = 0;
};

// Column positions named in the header; -1 when absent.
struct Columns {
  std::vector<std::string> header;
  int find(std::string_view name) const {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (lower(header[i]) == name) return static_cast<int>(i);
    }
    return -1;
  }
  std::string text() const {
    std::string s;
    for (const auto& h : header) s += (s.empty() ? "" : ",") + h;
    return s;
  }
};

Columns read_header(CsvLines& lines, const std::string& needs) {
  Columns c;
  if (!lines.next(c.header)) {
    throw RecordError(kBad, "The beat file " + lines.file() + " is empty; it needs a header line with " + needs + ".");
  }
  return c;
}

// Cell `col` of a row, failing with the column's name when the row is too short.
const std::string& cell(const std::vector<std::string>& cells, int col, const Columns& c, const CsvLines& lines) {
  if (col >= static_cast<int>(cells.size())) {
    lines.fail("the row has " + std::to_string(cells.size()) + " cells but column " +
               c.header[static_cast<std::size_t>(col)] + " is number " + std::to_string(col + 1) + "; fix the file.");
  }
  return cells[static_cast<std::size_t>(col)];
}

// A number cell ("+" sign, exponent, nan and inf allowed); false when not a number.
bool parse_number(std::string_view s, double& v) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool parse_int(std::string_view s, std::int64_t& v) {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// "YYYY-MM-DD HH:MM:SS[.fraction]" (or 'T') → nanoseconds since 1970-01-01; false when not one.
bool parse_datetime_ns(std::string_view s, std::int64_t& ns) {
  auto digits = [&](std::size_t at, std::size_t n, int& out) {
    if (at + n > s.size()) return false;
    out = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':') {
    return false;
  }
  if (!digits(0, 4, y) || !digits(5, 2, mo) || !digits(8, 2, d) || !digits(11, 2, h) || !digits(14, 2, mi) ||
      !digits(17, 2, sec)) {
    return false;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  // Nanoseconds since 1970 in int64 reach 1677..2262; recordings are dated 1900..2200.
  if (!ymd.ok() || y < 1900 || y > 2200 || h > 23 || mi > 59 || sec > 60) return false;
  std::int64_t frac_ns = 0;
  if (s.size() > 19) {
    if (s[19] != '.' || s.size() == 20) return false;
    std::int64_t scale = 100000000;
    for (std::size_t i = 20; i < s.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
      frac_ns += (s[i] - '0') * scale;  // digits beyond nanoseconds add 0
      scale /= 10;
    }
  }
  const auto days = std::chrono::sys_days{ymd}.time_since_epoch().count();
  ns = ((static_cast<std::int64_t>(days) * 86400 + h * 3600 + mi * 60 + sec) * 1000000000) + frac_ns;
  return true;
}

StartDateTime start_from_ns(std::int64_t ns) {
  constexpr std::int64_t kDay = 86400LL * 1000000000LL;
  std::int64_t days = ns / kDay, rest = ns % kDay;
  if (rest < 0) {
    rest += kDay;
    --days;
  }
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  StartDateTime s;
  s.year = static_cast<int>(ymd.year());
  s.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  s.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  const std::int64_t secs = rest / 1000000000;
  s.hour = static_cast<int>(secs / 3600);
  s.minute = static_cast<int>(secs / 60 % 60);
  s.second = static_cast<int>(secs % 60);
  s.subsecond = static_cast<double>(rest % 1000000000) / 1e9;
  return s;
}

std::string read_gzip(const std::filesystem::path& file) {
  {
    std::ifstream probe(file, std::ios::binary);
    char magic[2] = {0, 0};
    probe.read(magic, 2);
    if (probe.gcount() == 0) return {};  // empty: reported by the parser
    if (probe.gcount() < 2 || static_cast<unsigned char>(magic[0]) != 0x1f || static_cast<unsigned char>(magic[1]) != 0x8b) {
      throw RecordError(kBad, file.string() + " ends in .gz but is not gzip-compressed; decompress it correctly or "
                                              "remove the .gz from its name.");
    }
  }
  gzFile gz = gzopen(file.c_str(), "rb");
  if (!gz) throw RecordError("unreadable", "Cannot open " + file.string() + " (zlib could not open it); check its permissions.");
  std::string out;
  std::array<char, 1 << 16> buf{};
  for (;;) {
    const int n = gzread(gz, buf.data(), static_cast<unsigned>(buf.size()));
    if (n > 0) out.append(buf.data(), static_cast<std::size_t>(n));
    if (out.size() > kMaxTableBytes) {
      gzclose(gz);
      throw RecordError(kBad, file.string() + " decompresses to more than 1 GiB; split the recording into smaller files.");
    }
    if (n < static_cast<int>(buf.size())) {
      int code = Z_OK;
      const char* msg = gzerror(gz, &code);
      std::string why = n < 0 || (code != Z_OK && code != Z_STREAM_END) ? std::string(msg ? msg : "error") : "";
      if (why.rfind(file.string() + ": ", 0) == 0) why.erase(0, file.string().size() + 2);  // zlib prefixes the path
      gzclose(gz);
      if (!why.empty()) {
        throw RecordError(kBad, file.string() + " is a damaged or truncated gzip file (zlib: " + why +
                                    "); copy it again or export it anew.");
      }
      return out;
    }
  }
}

// Appends [begin, end) to sorted non-overlapping spans (begin >= the last span's begin).
void add_bad(std::vector<std::pair<double, double>>& bad, double begin, double end) {
  if (!bad.empty() && begin <= bad.back().second) {
    bad.back().second = std::max(bad.back().second, end);
  } else {
    bad.emplace_back(begin, end);
  }
}

// One row of an RR table.
struct RrRow {
  std::int64_t t_ns = 0;  // timestamp, ns (since 1970 for date-times)
  double rr_ms = kNan;
  std::int64_t frame = -1;
};

// Second 0 of an RR table in the timestamps' ns: the time of frame 0 when frames are given (the
// rate from the first and last rows), else the first timestamp.
std::int64_t rr_origin_ns(const std::vector<RrRow>& rows, bool has_frame) {
  const RrRow &a = rows.front(), &b = rows.back();
  if (!has_frame || rows.size() < 2 || b.frame <= a.frame || a.frame < 0) return a.t_ns;
  const double fs = static_cast<double>(b.frame - a.frame) / (static_cast<double>(b.t_ns - a.t_ns) / 1e9);
  const auto offset = static_cast<std::int64_t>(std::llround(static_cast<double>(a.frame) / fs * 1e9));
  return offset >= 0 ? a.t_ns - offset : a.t_ns;
}

}  // namespace

RecordingKind recording_kind(const std::filesystem::path& file) {
  const std::string l = lower(file.filename().string());
  for (const auto& [suffix, kind] : kSuffixes) {
    if (l.size() > suffix.size() && ends_with(l, suffix)) return kind;
  }
  return RecordingKind::edf;
}

std::string kind_name(RecordingKind kind) {
  switch (kind) {
    case RecordingKind::rr_csv: return "rr_csv";
    case RecordingKind::beats_csv: return "beats_csv";
    case RecordingKind::edf: break;
  }
  return "edf";
}

std::string recording_name(const std::filesystem::path& file) {
  const std::string name = file.filename().string();
  const std::size_t n = beat_suffix_length(name);
  return n ? name.substr(0, name.size() - n) : file.stem().string();
}

std::string read_text_file(const std::filesystem::path& file) {
  if (auto why = regular_file_problem(file, kMaxTableBytes); !why.empty()) {
    throw RecordError("unreadable", "Cannot read the beat file " + file.string() + ": it " + why +
                                        "; remove it from the inputs or give a regular file.");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw RecordError("unreadable", "Cannot open " + file.string() + "; check the path and its permissions.");
  if (ends_with(lower(file.filename().string()), ".gz")) return read_gzip(file);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw RecordError("unreadable", "Reading " + file.string() + " failed (I/O error).");
  return ss.str();
}

std::vector<double> read_rr_intervals(const std::filesystem::path& file) {
  const std::string text = read_text_file(file);
  CsvLines lines(text, file.string());
  const Columns c = read_header(lines, "an rr_interval column");
  const int col = c.find("rr_interval");
  if (col < 0) {
    throw Error("The RR file " + file.string() + " has no rr_interval column (header: '" + c.text() +
                "'); write one column rr_interval in ms, or the old timestamp,frame,rr_interval table.");
  }
  std::vector<double> rr;
  std::vector<std::string> cells;
  while (lines.next(cells)) {
    const std::string& s = cell(cells, col, c, lines);
    double v = kNan;
    if (!s.empty() && !parse_number(s, v)) lines.fail("rr_interval '" + s + "' is not a number (milliseconds expected); fix the file.");
    rr.push_back(v);
  }
  return rr;
}

BeatClass classify_beat_symbol(std::string_view s) {
  static constexpr std::array<std::string_view, 6> kNormal{"N", "L", "R", "B", "?", "Q"};
  static constexpr std::array<std::string_view, 15> kIgnored{"+", "\"", "=", "@", "p", "t", "u", "(",
                                                             ")", "`", "'", "s", "T", "*", "D"};
  if (s.empty() || std::find(kNormal.begin(), kNormal.end(), s) != kNormal.end()) return BeatClass::normal;
  if (std::find(kIgnored.begin(), kIgnored.end(), s) != kIgnored.end()) return BeatClass::ignored;
  return BeatClass::breaks;
}

namespace {

// The rows of an RR table, in file order, with the line each came from.
struct RrRows {
  std::vector<RrRow> rows;
  std::vector<long long> line_of;
  bool datetime = false;  // timestamps are date-times (else seconds); decided by the first row
};

// One row of an RR table (columns ct, cr and, when >= 0, cf); failures name the line. `datetime`
// is the table's form of timestamp (1 date-times, 0 seconds, -1 not decided yet: this row decides).
RrRow read_rr_row(const std::vector<std::string>& cells, const Columns& c, int ct, int cr, int cf, CsvLines& lines,
                  int& datetime) {
  RrRow r;
  const std::string& ts = cell(cells, ct, c, lines);
  double sec = 0;
  const bool is_dt = parse_datetime_ns(ts, r.t_ns);
  if (!is_dt) {
    if (!parse_number(ts, sec) || !std::isfinite(sec)) {
      lines.fail("timestamp '" + ts + "' is neither a date-time (YYYY-MM-DD HH:MM:SS.fff) nor seconds; fix the file.");
    }
    r.t_ns = std::llround(sec * 1e9);
  }
  if (datetime < 0) datetime = is_dt ? 1 : 0;
  if (datetime != (is_dt ? 1 : 0)) lines.fail("timestamp '" + ts + "' mixes date-times and seconds; use one form.");
  const std::string& rr = cell(cells, cr, c, lines);
  if (!rr.empty() && !parse_number(rr, r.rr_ms)) {
    lines.fail("rr_interval '" + rr + "' is not a number (milliseconds expected); fix the file.");
  }
  if (!std::isnan(r.rr_ms) && !(r.rr_ms > 0 && std::isfinite(r.rr_ms))) {
    lines.fail("rr_interval " + rr + " ms is not positive; an RR interval must be > 0 ms (leave the cell empty for a gap).");
  }
  if (cf >= 0) {
    const std::string& fr = cell(cells, cf, c, lines);
    if (!fr.empty() && !parse_int(fr, r.frame)) lines.fail("frame '" + fr + "' is not a whole number; fix the file.");
  }
  return r;
}

// Every row of the table: one form of timestamp throughout, strictly increasing, at least one row.
RrRows read_rr_rows(CsvLines& lines, const Columns& c, int ct, int cr, int cf, const std::string& file) {
  RrRows out;
  std::vector<std::string> cells;
  int datetime = -1;
  while (lines.next(cells)) {
    const RrRow r = read_rr_row(cells, c, ct, cr, cf, lines, datetime);
    if (!out.rows.empty() && r.t_ns <= out.rows.back().t_ns) {
      lines.fail("timestamp " + cell(cells, ct, c, lines) +
                 " does not come after the previous row's; rows must be in time order, one per beat.");
    }
    out.rows.push_back(r);
    out.line_of.push_back(lines.line());
  }
  if (out.rows.empty()) throw RecordError(kBad, "The RR file " + file + " has a header but no rows; it holds no beats.");
  out.datetime = datetime == 1;
  return out;
}

// The beats of the rows, in seconds from `origin`: every row's beat is a beat; the end of its
// interval is added only when the next row does not start there (the last row, or a hole), and a
// hole is a bad stretch that no RR interval may bridge.
void add_rr_beats(const RrRows& t, std::int64_t origin, const std::string& file, BeatSeries& out) {
  auto secs = [&](std::int64_t ns) { return static_cast<double>(ns - origin) / 1e9; };
  const auto& rows = t.rows;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const double t_s = secs(rows[i].t_ns);
    out.beat_s.push_back(t_s);  // > the previous beat: timestamps increase, hole ends lie before `next`
    const bool last = i + 1 == rows.size();
    const double next = last ? kNan : secs(rows[i + 1].t_ns);
    if (std::isnan(rows[i].rr_ms)) {  // unknown interval: a hole up to the next row
      if (!last) add_bad(out.bad_s, t_s, next);
      continue;
    }
    const double end = t_s + rows[i].rr_ms / 1000.0;
    if (!last && std::abs(next - end) <= kRrContinuityToleranceS) continue;
    if (!last && next < end) {
      throw RecordError(kBad, "Line " + std::to_string(t.line_of[i]) + " of " + file + ": rr_interval " +
                                  number_text(rows[i].rr_ms) + " ms ends at " + number_text(end) + " s, after the next row's beat at " +
                                  number_text(next) + " s; the RR intervals overlap. Fix the timestamps or the intervals.");
    }
    out.beat_s.push_back(end);
    if (!last) add_bad(out.bad_s, end, next);  // missing rows: no RR may bridge the hole
  }
}

}  // namespace

BeatSeries parse_rr_table(std::string_view text, const std::string& file) {
  CsvLines lines(text, file);
  const Columns c = read_header(lines, "the columns timestamp and rr_interval (and optionally frame)");
  const int ct = c.find("timestamp"), cr = c.find("rr_interval"), cf = c.find("frame");
  if (ct < 0 || cr < 0) {
    throw RecordError(kBad, "The RR file " + file + " has no " + std::string(ct < 0 ? "timestamp" : "rr_interval") +
                                " column (header: '" + c.text() +
                                "'); a recording needs timestamp,frame,rr_interval (rr_interval in ms).");
  }
  const RrRows t = read_rr_rows(lines, c, ct, cr, cf, file);
  const std::int64_t origin = rr_origin_ns(t.rows, cf >= 0);
  BeatSeries out;
  out.n_rows = t.rows.size();
  if (t.datetime) out.start = start_from_ns(origin);
  add_rr_beats(t, origin, file, out);
  return out;
}

BeatSeries parse_beats_table(std::string_view text, const std::string& file) {
  CsvLines lines(text, file);
  const Columns c = read_header(lines, "a time_s column (and optionally sample and symbol)");
  const int ct = c.find("time_s"), cs = c.find("symbol");
  if (ct < 0) {
    throw RecordError(kBad, "The beat file " + file + " has no time_s column (header: '" + c.text() +
                                "'); write time_s (seconds from the recording start) and optionally symbol.");
  }
  BeatSeries out;
  std::vector<std::string> cells;
  double prev_t = -std::numeric_limits<double>::infinity();
  bool broken = false;  // a non-normal beat or mark since the last normal beat
  while (lines.next(cells)) {
    ++out.n_rows;
    const std::string& ts = cell(cells, ct, c, lines);
    double t = kNan;
    if (!parse_number(ts, t) || !std::isfinite(t) || t < 0) {
      lines.fail("time_s '" + ts + "' is not a time in seconds >= 0; fix the file.");
    }
    if (t < prev_t) {
      lines.fail("time_s " + ts + " comes before the previous row's " + number_text(prev_t) + " s; rows must be in time order.");
    }
    prev_t = t;
    const BeatClass k = cs >= 0 ? classify_beat_symbol(cell(cells, cs, c, lines)) : BeatClass::normal;
    if (k == BeatClass::ignored) continue;
    if (k == BeatClass::breaks) {
      ++out.n_non_normal;
      broken = true;
      continue;
    }
    if (!out.beat_s.empty()) {
      const double a = out.beat_s.back();
      if (t == a) lines.fail("two normal beats at " + ts + " s; each beat needs its own time.");
      if (broken || t - a > kMaxBeatGapS) add_bad(out.bad_s, a, t);
    }
    out.beat_s.push_back(t);
    broken = false;
  }
  if (out.n_rows == 0) throw RecordError(kBad, "The beat file " + file + " has a header but no rows; it holds no beats.");
  return out;
}

BeatSeries read_beat_file(const std::filesystem::path& file) {
  const RecordingKind kind = recording_kind(file);
  if (kind == RecordingKind::edf) {
    throw RecordError(kBad, file.string() + " is not named like a beat file (NAME_rr.csv or NAME_beats.csv, optionally .gz).");
  }
  const std::string text = read_text_file(file);
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw RecordError(kBad, "The beat file " + file.string() + " is empty; it needs a header line and one row per beat.");
  }
  return kind == RecordingKind::rr_csv ? parse_rr_table(text, file.string()) : parse_beats_table(text, file.string());
}

}  // namespace ecgforest::io

#include "ecgforest/io/edf_reader.hpp"

#include <edflib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>

#include <fcntl.h>
#include <unistd.h>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/text.hpp"

namespace ecgforest::io {
namespace {

// EDFlib keeps a process-global table of open files: every EDFlib call goes through this lock,
// so that recordings can be opened on several threads at once (read_channel itself uses pread
// on its own descriptor and needs no lock).
std::mutex& edflib_mutex() {
  static std::mutex m;
  return m;
}

std::string trim(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string open_error_text(int code) {
  switch (code) {
    case EDFLIB_MALLOC_ERROR: return "EDFlib ran out of memory";
    case EDFLIB_NO_SUCH_FILE_OR_DIRECTORY: return "the file does not exist or cannot be opened (check the path and permissions)";
    case EDFLIB_FILE_CONTAINS_FORMAT_ERRORS: return "the header is not valid EDF/EDF+ (wrong byte counts, bad numbers, digital min = max, truncated data, or not an EDF file at all)";
    case EDFLIB_MAXFILES_REACHED: return "too many EDF files are open at once";
    case EDFLIB_FILE_READ_ERROR: return "reading the file failed (truncated or I/O error)";
    case EDFLIB_FILE_ALREADY_OPENED: return "the file is already open in this process";
    case EDFLIB_FILETYPE_ERROR: return "the file is not EDF, EDF+, BDF or BDF+";
    case EDFLIB_NUMBER_OF_SIGNALS_INVALID: return "the number of signals in the header is invalid";
    case EDFLIB_FILE_IS_DISCONTINUOUS: return "discontinuous";
    default: return "EDFlib error " + std::to_string(code);
  }
}


// ------------------------------------------------------------------ independent header check
// EDF header layout (bytes): 0 version(8) 8 patient(80) 88 recording(80) 168 start date(8)
// 176 start time(8) 184 header bytes(8) 192 reserved(44) 236 records(8) 244 record duration(8)
// 252 signals(4); then per field, ns entries of: label 16, transducer 80, unit 8, phys min 8,
// phys max 8, dig min 8, dig max 8, prefilter 80, samples per record 8, reserved 32.
struct FixedField {
  std::size_t offset, width;
  const char* name;
};
constexpr std::array<FixedField, 11> kFixed{{{0, 8, "version"},
                                             {8, 80, "patient field"},
                                             {88, 80, "recording field"},
                                             {168, 8, "start date"},
                                             {176, 8, "start time"},
                                             {184, 8, "header byte count"},
                                             {192, 44, "reserved field"},
                                             {236, 8, "number of data records"},
                                             {244, 8, "record duration"},
                                             {252, 4, "number of signals"},
                                             {256, 0, ""}}};
struct SignalField {
  std::size_t width;
  const char* name;
};
constexpr std::array<SignalField, 10> kSignal{{{16, "label"},
                                               {80, "transducer"},
                                               {8, "physical dimension"},
                                               {8, "physical minimum"},
                                               {8, "physical maximum"},
                                               {8, "digital minimum"},
                                               {8, "digital maximum"},
                                               {80, "prefilter"},
                                               {8, "samples per record"},
                                               {32, "reserved field"}}};
constexpr long kMaxSignals = 640;  // EDFlib's limit (EDFLIB_MAXSIGNALS)

// Bytes shown in a message: printable ASCII as is, anything else as \xNN; at most 40 bytes.
std::string shown(std::string_view b) {
  std::string out;
  for (std::size_t i = 0; i < b.size() && i < 40; ++i) {
    const auto c = static_cast<unsigned char>(b[i]);
    if (c >= 32 && c <= 126) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    }
  }
  if (b.size() > 40) out += "...";
  return out;
}

std::string_view trimmed(std::string_view v) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  return v;
}

std::optional<long long> parse_int(std::string_view field) {
  auto v = trimmed(field);
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  if (v.empty()) return std::nullopt;
  long long x = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
  return x;
}

// EDF numbers are plain decimals ("-3.5", "+250", "1"): EDFlib misreads an exponent ("1E0" as a
// record duration of 310 s), so anything else is not a number here.
bool plain_decimal(std::string_view v) {
  if (!v.empty() && (v.front() == '+' || v.front() == '-')) v.remove_prefix(1);
  const auto digits = std::count_if(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
  const auto dots = std::count(v.begin(), v.end(), '.');
  return digits > 0 && dots <= 1 && static_cast<std::size_t>(digits + dots) == v.size();
}

std::optional<double> parse_num(std::string_view field) {
  auto v = trimmed(field);
  if (!plain_decimal(v)) return std::nullopt;
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  if (v.empty()) return std::nullopt;
  double x = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc() || end != v.data() + v.size() || !std::isfinite(x)) return std::nullopt;
  return x;
}

// "dd.mm.yy" / "hh.mm.ss": two digits, dot, two digits, dot, two digits.
bool two_two_two(std::string_view f) {
  if (f.size() != 8 || f[2] != '.' || f[5] != '.') return false;
  for (std::size_t i : {0u, 1u, 3u, 4u, 6u, 7u}) {
    if (f[i] < '0' || f[i] > '9') return false;
  }
  return true;
}

// The three two-digit numbers of a field that passed two_two_two.
std::array<int, 3> two_digit_parts(std::string_view f) {
  auto at = [&](std::size_t i) { return (f[i] - '0') * 10 + (f[i + 1] - '0'); };
  return {at(0), at(3), at(6)};
}

// What EDFlib rejects with only its generic sentence, found here first: a start date or time
// out of range, and EDF+/BDF+ without its annotation signal (`labels`: the signal labels).
std::string date_time_plus_problem(std::string_view head, const std::vector<std::string_view>& labels) {
  const auto d = two_digit_parts(head.substr(168, 8));
  if (d[0] < 1 || d[0] > 31 || d[1] < 1 || d[1] > 12) {
    return "the start date '" + shown(head.substr(168, 8)) + "' is not a date (day 01-31, month 01-12)";
  }
  const auto t = two_digit_parts(head.substr(176, 8));
  if (t[0] > 23 || t[1] > 59 || t[2] > 59) {
    return "the start time '" + shown(head.substr(176, 8)) + "' is not a time of day (hours 00-23, minutes and seconds 00-59)";
  }
  const std::string_view reserved = head.substr(192, 44);
  const bool bdf = static_cast<unsigned char>(head[0]) == 0xFF;
  const std::string_view plus_mark = bdf ? "BDF+" : "EDF+";
  const std::string_view annot_label = bdf ? "BDF Annotations" : "EDF Annotations";
  if (reserved.substr(0, 4) == plus_mark && std::find(labels.begin(), labels.end(), annot_label) == labels.end()) {
    return "the header says " + shown(trimmed(reserved)) + " but no signal is labelled '" + std::string(annot_label) +
           "', which " + std::string(plus_mark) + " requires";
  }
  return {};
}

}  // namespace

namespace {

// Field f (kSignal order) of signal s in a header with n_sig signals.
std::string_view signal_field(std::string_view head, std::size_t n_sig, std::size_t f, std::size_t s) {
  std::size_t off = 256;
  for (std::size_t k = 0; k < f; ++k) off += kSignal[k].width * n_sig;
  return head.substr(off + s * kSignal[f].width, kSignal[f].width);
}

// Fixed part: printable ASCII only (the BDF marker byte excepted).
std::string fixed_ascii_problem(std::string_view head, bool bdf) {
  for (std::size_t f = 0; f + 1 < kFixed.size(); ++f) {
    const auto& fld = kFixed[f];
    for (std::size_t i = fld.offset; i < fld.offset + fld.width; ++i) {
      if (bdf && i == 0) continue;
      const auto c = static_cast<unsigned char>(head[i]);
      if (c < 32 || c > 126) {
        return std::string("the ") + fld.name + " has non-ASCII bytes ('" + shown(head.substr(fld.offset, fld.width)) +
               "'); EDF headers must be printable ASCII";
      }
    }
  }
  return {};
}

// Per-signal part: names the signal and field of the first non-ASCII byte.
std::string signal_ascii_problem(std::string_view head, std::size_t n_sig) {
  for (std::size_t f = 0; f < kSignal.size(); ++f) {
    for (std::size_t s = 0; s < n_sig; ++s) {
      const auto v = signal_field(head, n_sig, f, s);
      for (const char ch : v) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 32 || c > 126) {
          return std::string("the ") + kSignal[f].name + " of signal " + std::to_string(s + 1) + " has non-ASCII bytes ('" +
                 shown(v) + "'); EDF headers must be printable ASCII";
        }
      }
    }
  }
  return {};
}

// Start date and time, EDF+ date fields, record count and duration.
std::string timing_problem(std::string_view head, std::size_t n_sig) {
  if (!two_two_two(head.substr(168, 8))) return "the start date '" + shown(head.substr(168, 8)) + "' is not dd.mm.yy";
  if (!two_two_two(head.substr(176, 8))) return "the start time '" + shown(head.substr(176, 8)) + "' is not hh.mm.ss";
  std::vector<std::string_view> labels;
  for (std::size_t s = 0; s < n_sig; ++s) labels.push_back(trimmed(signal_field(head, n_sig, 0, s)));
  if (auto problem = date_time_plus_problem(head, labels); !problem.empty()) return problem;
  const auto n_rec = parse_int(head.substr(236, 8));
  if (!n_rec) return "the number of data records '" + shown(trimmed(head.substr(236, 8))) + "' is not a whole number";
  if (*n_rec < 1) {
    return "the number of data records is " + std::to_string(*n_rec) +
           (*n_rec == -1 ? " (the recording was never closed properly)" : "") + "; it must be at least 1";
  }
  const auto rec_s = parse_num(head.substr(244, 8));
  if (!rec_s) {
    return "the record duration '" + shown(trimmed(head.substr(244, 8))) +
           "' is not a number (EDF numbers are plain decimals such as 1 or 0.5, without exponents)";
  }
  if (!(*rec_s > 0)) return "the record duration is " + number_text(*rec_s) + " s; it must be positive";
  return {};
}

// Samples per record, digital and physical range of signal s; adds its bytes per record.
std::string signal_problem(std::string_view head, std::size_t n_sig, std::size_t s, bool bdf, std::uint64_t& record_bytes) {
  auto field = [&](std::size_t f) { return signal_field(head, n_sig, f, s); };
  const long long dig_lo = bdf ? -8388608 : -32768, dig_hi = bdf ? 8388607 : 32767;
  const std::string name = "signal " + std::to_string(s + 1) + " '" + std::string(trimmed(field(0))) + "'";
  const auto spr = parse_int(field(8));
  if (!spr) return name + " has samples per record '" + shown(trimmed(field(8))) + "', not a whole number";
  if (*spr < 1) return name + " has " + std::to_string(*spr) + " samples per record; it must be at least 1";
  const auto dmin = parse_int(field(5)), dmax = parse_int(field(6));
  if (!dmin) return name + " has digital minimum '" + shown(trimmed(field(5))) + "', not a whole number";
  if (!dmax) return name + " has digital maximum '" + shown(trimmed(field(6))) + "', not a whole number";
  if (*dmin == *dmax) return name + " has digital min = max = " + std::to_string(*dmin);
  if (*dmin > *dmax) return name + " has digital min " + std::to_string(*dmin) + " > max " + std::to_string(*dmax);
  if (*dmin < dig_lo || *dmax > dig_hi) {
    return name + " has digital range " + std::to_string(*dmin) + ".." + std::to_string(*dmax) + ", outside the " +
           (bdf ? "24" : "16") + "-bit range " + std::to_string(dig_lo) + ".." + std::to_string(dig_hi);
  }
  const auto pmin = parse_num(field(3)), pmax = parse_num(field(4));
  if (!pmin) return name + " has physical minimum '" + shown(trimmed(field(3))) + "', not a number";
  if (!pmax) return name + " has physical maximum '" + shown(trimmed(field(4))) + "', not a number";
  if (*pmin == *pmax) return name + " has physical min = max = " + number_text(*pmin);
  record_bytes += static_cast<std::uint64_t>(*spr) * (bdf ? 3u : 2u);  // <= 640 * 1e8 * 3: no overflow
  return {};
}

// The data section must hold exactly the header's record count.
std::string data_size_problem(std::string_view head, std::uint64_t file_size, std::uint64_t header_bytes,
                              std::uint64_t record_bytes) {
  const std::uint64_t data_bytes = file_size - header_bytes;
  const auto n_records = static_cast<std::uint64_t>(*parse_int(head.substr(236, 8)));  // checked: 1..1e8
  std::uint64_t want = 0;
  if (!__builtin_mul_overflow(n_records, record_bytes, &want) && data_bytes == want) return {};
  const double holds = static_cast<double>(data_bytes) / static_cast<double>(record_bytes);
  return "the data section holds " + number_text(holds) + " records of " + std::to_string(record_bytes) +
         " bytes but the header says " + std::to_string(n_records) +
         (data_bytes < want ? " (the file is truncated, or the record count is wrong)"
                            : " (extra bytes after the last record, or the record count is wrong)");
}

}  // namespace

std::string edf_header_problem(std::string_view head, std::uint64_t file_size) {
  if (file_size == 0 || head.empty()) return "the file is empty (0 bytes)";
  const bool bdf = static_cast<unsigned char>(head[0]) == 0xFF;
  const std::string_view want_version = bdf ? std::string_view("\xFF" "BIOSEMI") : std::string_view("0       ");
  if (head.substr(0, 8) != want_version.substr(0, std::min<std::size_t>(8, head.size()))) {
    return "the first 8 bytes are '" + shown(head.substr(0, 8)) +
           "', not the EDF version '0' (or BDF's '\\xFFBIOSEMI'): this is not an EDF file";
  }
  if (file_size < 256 || head.size() < 256) {
    return "the file is " + std::to_string(file_size) +
           " bytes, shorter than the 256-byte fixed EDF header (truncated, or not an EDF file)";
  }
  if (auto problem = fixed_ascii_problem(head, bdf); !problem.empty()) return problem;
  const auto ns = parse_int(head.substr(252, 4));
  if (!ns || *ns < 1 || *ns > kMaxSignals) {
    return "the number of signals is '" + shown(trimmed(head.substr(252, 4))) + "'; it must be a whole number from 1 to " +
           std::to_string(kMaxSignals);
  }
  const auto n_sig = static_cast<std::size_t>(*ns);
  const std::uint64_t need = 256 * (static_cast<std::uint64_t>(n_sig) + 1);
  const auto hdr_bytes = parse_int(head.substr(184, 8));
  if (!hdr_bytes) return "the header byte count '" + shown(trimmed(head.substr(184, 8))) + "' is not a whole number";
  if (static_cast<std::uint64_t>(*hdr_bytes) != need || *hdr_bytes < 0) {
    return "the header says " + std::to_string(*hdr_bytes) + " header bytes but " + std::to_string(n_sig) +
           " signals need " + std::to_string(need) + " (256 + 256 per signal)";
  }
  if (file_size < need || head.size() < need) {
    return "the file is " + std::to_string(file_size) + " bytes but its header alone needs " + std::to_string(need) +
           " (" + std::to_string(n_sig) + " signals): it is truncated inside the header";
  }
  if (auto problem = signal_ascii_problem(head, n_sig); !problem.empty()) return problem;
  if (auto problem = timing_problem(head, n_sig); !problem.empty()) return problem;
  std::uint64_t record_bytes = 0;
  for (std::size_t s = 0; s < n_sig; ++s) {
    if (auto problem = signal_problem(head, n_sig, s, bdf, record_bytes); !problem.empty()) return problem;
  }
  return data_size_problem(head, file_size, need, record_bytes);
}

namespace {

// Reads the header bytes of `path` (256 + 256 per signal, as far as the file has them) and throws
// RecordError("unreadable") naming the problem when edf_header_problem finds one.
std::string read_checked_header(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    throw RecordError("unreadable", "Cannot open " + path.string() + ": " + ec.message() + " (check the path and permissions).");
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    throw RecordError("unreadable", "Cannot open " + path.string() + ": " + std::strerror(errno) +
                                        " (check the permissions).");
  }
  std::string head(static_cast<std::size_t>(std::min<std::uintmax_t>(size, 256)), '\0');
  f.read(head.data(), static_cast<std::streamsize>(head.size()));
  if (head.size() == 256 && f) {  // the whole header: 256 bytes per signal more
    const auto ns = parse_int(std::string_view(head).substr(252, 4));
    if (ns && *ns >= 1 && *ns <= kMaxSignals) {
      const auto want = std::min<std::uintmax_t>(size, 256 * (static_cast<std::uintmax_t>(*ns) + 1));
      head.resize(static_cast<std::size_t>(want));
      f.read(head.data() + 256, static_cast<std::streamsize>(want - 256));
    }
  }
  if (!f) throw RecordError("unreadable", "Cannot read the header of " + path.string() + " (I/O error).");
  if (const auto problem = edf_header_problem(head, size); !problem.empty()) {
    throw RecordError("unreadable", path.string() + " is not a valid EDF file: " + problem +
                                        ". Repair or re-export the recording, or remove it from the input list.");
  }
  return head;
}

}  // namespace

namespace {

// The onset of a data record's time-keeping TAL: "+<onset>" or "-<onset>", then 0x14 (EDF+ spec
// 2.2.4); nullopt when `text` (the record's annotation signal bytes) does not start with one.
std::optional<double> tal_onset(std::string_view text) {
  const auto end = text.find('\x14');
  double onset = 0;
  const char* b = text.data() + (text.empty() ? 0 : 1);
  const auto [ptr, ec] = std::from_chars(b, text.data() + std::min(end, text.size()), onset);
  const bool ok = end != std::string_view::npos && end >= 2 && (text[0] == '+' || text[0] == '-') &&
                  ec == std::errc() && ptr == text.data() + end && std::isfinite(onset);
  if (!ok) return std::nullopt;
  return text[0] == '-' ? -onset : onset;
}

// Why EDFlib refused an EDF+/BDF+ file whose header passed edf_header_problem, when the reason is
// the first data record's time-keeping annotation (EDFlib reads it while opening); empty when the
// file is not EDF+ or that annotation is well formed.
std::string first_record_onset_problem(const std::filesystem::path& path, std::string_view h) {
  const bool bdf = static_cast<unsigned char>(h[0]) == 0xFF;
  if (h.substr(192, 4) != (bdf ? "BDF+" : "EDF+")) return {};
  const auto n_sig = static_cast<std::size_t>(*parse_int(h.substr(252, 4)));
  std::size_t spr_field = 256;  // the "samples per record" block follows fields 0..7 of kSignal
  for (std::size_t k = 0; k < 8; ++k) spr_field += kSignal[k].width * n_sig;
  std::uint64_t offset = 256 * (static_cast<std::uint64_t>(n_sig) + 1);
  for (std::size_t s = 0; s < n_sig; ++s) {
    const auto bytes = static_cast<std::uint64_t>(*parse_int(h.substr(spr_field + 8 * s, 8))) * (bdf ? 3u : 2u);
    if (trimmed(h.substr(256 + 16 * s, 16)) == (bdf ? "BDF Annotations" : "EDF Annotations")) {
      std::string text(static_cast<std::size_t>(std::min<std::uint64_t>(bytes, 4096)), '\0');
      std::ifstream f(path, std::ios::binary);
      f.seekg(static_cast<std::streamoff>(offset));
      f.read(text.data(), static_cast<std::streamsize>(text.size()));
      if (!f || tal_onset(text)) return {};
      return " is EDF+ but data record 0 does not start with its onset (a time-keeping annotation such as "
             "'+0\\x14\\x14'; it starts with '" + shown(text.substr(0, 16)) + "'); the file is damaged: repair or "
             "re-export it.";
    }
    offset += bytes;
  }
  return {};
}

}  // namespace

void check_edf_header(const std::filesystem::path& path) { (void)read_checked_header(path); }

EdfFile::EdfFile(const std::filesystem::path& path) {
  info_.path = path;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw RecordError("unreadable", path.string() + " is a directory, not an EDF file; remove it from the input list.");
  }
  const std::string head = read_checked_header(path);  // names the exact problem; EDFlib's own checks still follow
  auto hdr = std::make_unique<edf_hdr_struct>();
  std::unique_lock<std::mutex> edflib_lock(edflib_mutex());
  const int rc = edfopen_file_readonly(path.c_str(), hdr.get(), EDFLIB_DO_NOT_READ_ANNOTATIONS);
  if (rc < 0) {
    const int code = hdr->filetype;
    if (code == EDFLIB_FILE_IS_DISCONTINUOUS) {
      throw RecordError("discontinuous", path.string() +
                        " is EDF+D (discontinuous, with gaps); ecgforest rejects gapped recordings "
                        "rather than splice across gaps: split it into continuous EDF+C files "
                        "(e.g. with EDFbrowser) and run again.");
    }
    if (code == EDFLIB_FILE_CONTAINS_FORMAT_ERRORS) {
      if (const auto why = first_record_onset_problem(path, head); !why.empty()) {
        throw RecordError("unreadable", path.string() + why);
      }
    }
    throw RecordError("unreadable", "Cannot open " + path.string() + ": " + open_error_text(code) + ".");
  }
  handle_ = hdr->handle;
  switch (hdr->filetype) {
    case EDFLIB_FILETYPE_EDF: info_.type = "EDF"; break;
    case EDFLIB_FILETYPE_EDFPLUS: info_.type = "EDF+C"; break;
    case EDFLIB_FILETYPE_BDF: info_.type = "BDF"; break;
    case EDFLIB_FILETYPE_BDFPLUS: info_.type = "BDF+C"; break;
    default: info_.type = "unknown";
  }
  info_.n_records = hdr->datarecords_in_file;
  info_.record_duration_s = static_cast<double>(hdr->datarecord_duration) / EDFLIB_TIME_DIMENSION;
  info_.duration_s = static_cast<double>(hdr->file_duration) / EDFLIB_TIME_DIMENSION;
  info_.start = StartDateTime{hdr->startdate_year, hdr->startdate_month, hdr->startdate_day,
                              hdr->starttime_hour, hdr->starttime_minute, hdr->starttime_second,
                              static_cast<double>(hdr->starttime_subsecond) / EDFLIB_TIME_DIMENSION};
  if (!(info_.record_duration_s > 0)) {
    edfclose_file(handle_);
    throw RecordError("unreadable", path.string() + " declares a data record duration of " +
                      std::to_string(info_.record_duration_s) + " s; it must be positive.");
  }
  for (int i = 0; i < hdr->edfsignals; ++i) {
    const auto& p = hdr->signalparam[i];
    EdfChannel ch;
    ch.index = i;
    ch.label = trim(p.label);
    ch.fs_hz = p.smp_in_datarecord / info_.record_duration_s;
    ch.n_samples = p.smp_in_file;
    ch.unit = trim(p.physdimension);
    info_.channels.push_back(std::move(ch));
  }
  build_raw_layout(head, hdr.get());
}

void EdfFile::build_raw_layout(const std::string& head, const void* edflib_hdr) {
  // The data-record layout from our own (already validated) header parse, so that read_channel
  // can pull one channel out of large contiguous reads instead of EDFlib's byte-by-byte fgetc.
  // EDFlib hides the "EDF Annotations" / "BDF Annotations" signals of EDF+/BDF+ files; its
  // signal i is the i-th other raw signal. Any disagreement with EDFlib's view leaves raw_
  // empty, and read_channel then uses EDFlib.
  const auto* hdr = static_cast<const edf_hdr_struct*>(edflib_hdr);
  raw_.clear();
  raw_annot_offset_ = raw_annot_bytes_ = 0;
  const std::string_view h(head);
  const auto n_sig = static_cast<std::size_t>(*parse_int(h.substr(252, 4)));
  const bool plus = hdr->filetype == EDFLIB_FILETYPE_EDFPLUS || hdr->filetype == EDFLIB_FILETYPE_BDFPLUS;
  const bool bdf = hdr->filetype == EDFLIB_FILETYPE_BDF || hdr->filetype == EDFLIB_FILETYPE_BDFPLUS;
  raw_bytes_per_sample_ = bdf ? 3 : 2;
  raw_header_bytes_ = 256 * (n_sig + 1);
  std::uint64_t offset = 0;
  std::vector<RawSignal> raw;
  std::size_t spr_field = 256;  // the "samples per record" field block follows fields 0..7 of kSignal
  for (std::size_t k = 0; k < 8; ++k) spr_field += kSignal[k].width * n_sig;
  for (std::size_t s = 0; s < n_sig; ++s) {
    const std::string label(trimmed(h.substr(256 + 16 * s, 16)));
    const auto spr = parse_int(h.substr(spr_field + 8 * s, 8));
    if (!spr || *spr < 1) return;
    const bool annotation = plus && (label == "EDF Annotations" || label == "BDF Annotations");
    if (annotation && raw_annot_bytes_ == 0) {
      raw_annot_offset_ = offset;
      raw_annot_bytes_ = static_cast<std::uint64_t>(*spr) * static_cast<std::uint64_t>(raw_bytes_per_sample_);
    }
    if (!annotation) {
      const std::size_t i = raw.size();
      if (i >= static_cast<std::size_t>(hdr->edfsignals)) return;
      const auto& p = hdr->signalparam[i];
      if (p.smp_in_datarecord != *spr || p.dig_max == p.dig_min) return;
      RawSignal r;
      r.offset_bytes = offset;
      r.samples_per_record = static_cast<int>(*spr);
      // Exactly EDFlib's conversion (edflib.c): value = bitvalue * (offset + digital).
      r.bitvalue = (p.phys_max - p.phys_min) / static_cast<double>(p.dig_max - p.dig_min);
      r.phys_offset = p.phys_max / r.bitvalue - static_cast<double>(p.dig_max);
      raw.push_back(r);
    }
    offset += static_cast<std::uint64_t>(*spr) * static_cast<std::uint64_t>(raw_bytes_per_sample_);
  }
  if (raw.size() != static_cast<std::size_t>(hdr->edfsignals)) return;
  raw_record_bytes_ = offset;
  raw_ = std::move(raw);
}

void EdfFile::check_record_onset(const unsigned char* tal, std::int64_t r, double& first_onset) const {
  const auto parsed = tal_onset({reinterpret_cast<const char*>(tal), static_cast<std::size_t>(raw_annot_bytes_)});
  if (!parsed) {
    throw RecordError("unreadable", info_.path.string() + " is EDF+ but data record " + std::to_string(r) +
                                        " does not start with its onset (a time-keeping annotation); the file is damaged.");
  }
  const double onset = *parsed;
  if (r == 0) first_onset = onset;
  const double expected = first_onset + static_cast<double>(r) * info_.record_duration_s;
  if (std::abs(onset - expected) > 1e-3) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "data record %lld starts at %.10g s instead of %.10g s", static_cast<long long>(r), onset, expected);
    throw RecordError("discontinuous", info_.path.string() + " is marked EDF+C (continuous) but " + buf +
                                           " (a gap or jump); ecgforest does not splice recordings across gaps: "
                                           "split it into continuous EDF+C files and run again.");
  }
}

EdfFile::~EdfFile() {
  if (handle_ >= 0) {
    std::lock_guard<std::mutex> lock(edflib_mutex());
    edfclose_file(handle_);
  }
}

void EdfFile::check_index(int index) const {
  if (index < 0 || index >= static_cast<int>(info_.channels.size())) {
    throw RecordError("unreadable", "Channel index " + std::to_string(index) + " is out of range for " + info_.path.string() + ".");
  }
}

Eigen::VectorXd EdfFile::read_channel(int index) const {
  check_index(index);
  if (raw_.empty()) return read_channel_edflib(index);
  const RawSignal& sig = raw_[static_cast<std::size_t>(index)];
  const std::int64_t n = info_.channels[static_cast<std::size_t>(index)].n_samples;
  const auto spr = static_cast<std::int64_t>(sig.samples_per_record);
  const std::int64_t n_records = n / spr;  // n = records * spr (EDFlib's smp_in_file)
  Eigen::VectorXd out(n);
  const int fd = ::open(info_.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw RecordError("unreadable", "Cannot open " + info_.path.string() + " to read channel '" +
                                        info_.channels[static_cast<std::size_t>(index)].label + "': " + std::strerror(errno) + ".");
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  // Whole data records in blocks of about 256 KiB (fits in L2; larger blocks measured no faster):
  // one contiguous read per block, the pattern parallel file systems and readahead like; then
  // only this channel's bytes are decoded.
  const std::uint64_t rec_bytes = raw_record_bytes_;
  const std::int64_t per_block = std::max<std::int64_t>(1, static_cast<std::int64_t>((std::uint64_t{256} << 10) / rec_bytes));
  std::vector<unsigned char> buf(static_cast<std::size_t>(std::min(per_block, std::max<std::int64_t>(n_records, 1)) *
                                                          static_cast<std::int64_t>(rec_bytes)));
  const unsigned bps = static_cast<unsigned>(raw_bytes_per_sample_);
  double* dst = out.data();
  double first_onset = 0;
  for (std::int64_t r0 = 0; r0 < n_records; r0 += per_block) {
    const std::int64_t nr = std::min(per_block, n_records - r0);
    const std::size_t want = static_cast<std::size_t>(nr) * rec_bytes;
    const auto pos = static_cast<off_t>(raw_header_bytes_ + static_cast<std::uint64_t>(r0) * rec_bytes);
    std::size_t got = 0;
    while (got < want) {
      const ssize_t k = ::pread(fd, buf.data() + got, want - got, pos + static_cast<off_t>(got));
      if (k < 0 && errno == EINTR) continue;
      if (k <= 0) {
        throw RecordError("unreadable", "Reading channel '" + info_.channels[static_cast<std::size_t>(index)].label + "' of " +
                                            info_.path.string() + " stopped at data record " + std::to_string(r0) + " of " +
                                            std::to_string(n_records) + (k < 0 ? std::string(": ") + std::strerror(errno) : std::string()) +
                                            "; the file is truncated or unreadable.");
      }
      got += static_cast<std::size_t>(k);
    }
    for (std::int64_t r = 0; r < nr; ++r) {
      const unsigned char* rec = buf.data() + static_cast<std::size_t>(r) * rec_bytes;
      if (raw_annot_bytes_ > 0) check_record_onset(rec + raw_annot_offset_, r0 + r, first_onset);
      const unsigned char* p = rec + sig.offset_bytes;
      if (bps == 2) {
        for (std::int64_t k = 0; k < spr; ++k, p += 2) {
          const auto d = static_cast<std::int16_t>(static_cast<std::uint16_t>(p[0] | (p[1] << 8)));
          *dst++ = sig.bitvalue * (sig.phys_offset + static_cast<double>(d));
        }
      } else {
        for (std::int64_t k = 0; k < spr; ++k, p += 3) {
          std::int32_t d = static_cast<std::int32_t>(p[0] | (p[1] << 8) | (p[2] << 16));
          if (d & 0x800000) d -= 0x1000000;  // sign-extend 24 bits
          *dst++ = sig.bitvalue * (sig.phys_offset + static_cast<double>(d));
        }
      }
    }
  }
  return out;
}

Eigen::VectorXd EdfFile::read_channel_edflib(int index) const {
  check_index(index);
  std::lock_guard<std::mutex> lock(edflib_mutex());
  const std::int64_t n = info_.channels[static_cast<std::size_t>(index)].n_samples;
  Eigen::VectorXd out(n);
  if (edfseek(handle_, index, 0, EDFSEEK_SET) < 0) {
    throw RecordError("unreadable", "Cannot seek in " + info_.path.string() + "; the file may be truncated.");
  }
  constexpr std::int64_t kChunk = 1 << 20;
  for (std::int64_t pos = 0; pos < n;) {
    const int want = static_cast<int>(std::min<std::int64_t>(kChunk, n - pos));
    const int got = edfread_physical_samples(handle_, index, want, out.data() + pos);
    if (got != want) {
      throw RecordError("unreadable", "Reading channel '" + info_.channels[static_cast<std::size_t>(index)].label +
                        "' of " + info_.path.string() + " stopped at sample " + std::to_string(pos + std::max(got, 0)) +
                        " of " + std::to_string(n) + "; the file is truncated or unreadable.");
    }
    pos += got;
  }
  return out;
}

bool is_ecg_label(const std::string& label) {
  const std::string l = lower(label);
  for (const char* key : {"ecg", "ekg"}) {
    for (std::size_t pos = l.find(key); pos != std::string::npos; pos = l.find(key, pos + 1)) {
      if (pos == 0 || !std::isalpha(static_cast<unsigned char>(l[pos - 1]))) return true;
    }
  }
  return false;
}

std::size_t find_ecg_channel(const EdfInfo& info, const std::string& override_label) {
  auto labels = [&] {
    std::string s;
    for (const auto& c : info.channels) s += (s.empty() ? "'" : ", '") + c.label + "'";
    return s.empty() ? std::string("(none)") : s;
  };
  if (!override_label.empty()) {
    const std::string want = lower(trim(override_label));
    for (std::size_t i = 0; i < info.channels.size(); ++i) {
      if (lower(info.channels[i].label) == want) return i;
    }
    throw RecordError("no_ecg", info.path.string() + " has no channel labelled '" + override_label +
                      "' (set by --ecg-channel); labels are: " + labels() + ".");
  }
  for (std::size_t i = 0; i < info.channels.size(); ++i) {
    if (is_ecg_label(info.channels[i].label)) return i;
  }
  throw RecordError("no_ecg", info.path.string() + " has no ECG channel; labels are: " + labels() +
                    ". Name the ECG channel with --ecg-channel LABEL.");
}

}  // namespace ecgforest::io

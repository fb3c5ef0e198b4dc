#include "ecgforest/io/edf_reader.hpp"

#include <edflib.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "ecgforest/core/error.hpp"

namespace ecgforest::io {
namespace {

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

}  // namespace

EdfFile::EdfFile(const std::filesystem::path& path) {
  info_.path = path;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw RecordError("unreadable", path.string() + " is a directory, not an EDF file; remove it from the input list.");
  }
  auto hdr = std::make_unique<edf_hdr_struct>();
  const int rc = edfopen_file_readonly(path.c_str(), hdr.get(), EDFLIB_DO_NOT_READ_ANNOTATIONS);
  if (rc < 0) {
    const int code = hdr->filetype;
    if (code == EDFLIB_FILE_IS_DISCONTINUOUS) {
      throw RecordError("discontinuous", path.string() +
                        " is EDF+D (discontinuous, with gaps); ecgforest rejects gapped recordings "
                        "rather than splice across gaps: split it into continuous EDF+C files "
                        "(e.g. with EDFbrowser) and run again.");
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
}

EdfFile::~EdfFile() {
  if (handle_ >= 0) edfclose_file(handle_);
}

Eigen::VectorXd EdfFile::read_channel(int index) const {
  if (index < 0 || index >= static_cast<int>(info_.channels.size())) {
    throw RecordError("unreadable", "Channel index " + std::to_string(index) + " is out of range for " + info_.path.string() + ".");
  }
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

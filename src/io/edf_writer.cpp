// EDF/EDF+ writer on top of EDFlib. EDFlib keeps a global, unsynchronised handle table: call
// write_edf from one thread at a time.
#include "ecgforest/io/edf_writer.hpp"

#include <edflib.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <cmath>
#include <string>
#include <system_error>
#include <vector>

#include "ecgforest/core/error.hpp"

namespace ecgforest::io {
namespace {

std::string open_error_text(int code) {
  switch (code) {
    case EDFLIB_MALLOC_ERROR: return "out of memory";
    case EDFLIB_NO_SUCH_FILE_OR_DIRECTORY: return "the file cannot be created (missing directory or no permission)";
    case EDFLIB_MAXFILES_REACHED: return "too many EDF files are open at once";
    case EDFLIB_FILE_ALREADY_OPENED: return "the file is already open in EDFlib";
    case EDFLIB_NUMBER_OF_SIGNALS_INVALID: return "the number of signals is invalid";
    case EDFLIB_ARCH_ERROR: return "EDFlib does not support this architecture";
    default: return "EDFlib error code " + std::to_string(code);
  }
}

std::string first_write_error_text(int code) {
  switch (code) {
    case EDFLIB_NO_SIGNALS: return "there are no signals";
    case EDFLIB_TOO_MANY_SIGNALS: return "there are too many signals";
    case EDFLIB_NO_SAMPLES_IN_RECORD: return "a signal has no samples per record";
    case EDFLIB_DIGMIN_IS_DIGMAX: return "a digital minimum equals its maximum";
    case EDFLIB_DIGMAX_LOWER_THAN_DIGMIN: return "a digital maximum is below its minimum";
    case EDFLIB_PHYSMIN_IS_PHYSMAX: return "a physical minimum equals its maximum";
    case EDFLIB_DATARECORD_SIZE_TOO_BIG: return "a data record is larger than EDF allows (10 MB)";
    default: return "EDFlib error code " + std::to_string(code);
  }
}

/// Copies the EDF+ file `in` (as written by EDFlib) to a plain EDF file `out`: drops the
/// "EDF Annotations" signal from the header and from every data record and blanks the reserved
/// field ("EDF+C"). EDFlib itself only writes EDF+/BDF+. Returns an empty string on success,
/// otherwise what went wrong.
std::string edfplus_to_edf(const std::filesystem::path& in, const std::filesystem::path& out) {
  std::ifstream is(in, std::ios::binary);
  if (!is) return "cannot reopen '" + in.string() + "'";
  std::string fixed(256, ' ');
  if (!is.read(fixed.data(), 256)) return "cannot read the header of '" + in.string() + "'";
  const int ns = std::atoi(fixed.substr(252, 4).c_str());
  const long long n_records = std::atoll(fixed.substr(236, 8).c_str());
  if (ns < 1 || n_records < 1) return "unexpected header in '" + in.string() + "'";
  const auto uns = static_cast<std::size_t>(ns);
  std::string sig(uns * 256, ' ');
  if (!is.read(sig.data(), static_cast<std::streamsize>(sig.size())))
    return "cannot read the signal headers of '" + in.string() + "'";
  // Field widths of the per-signal header, in file order.
  const std::array<std::size_t, 10> widths = {16, 80, 8, 8, 8, 8, 8, 80, 8, 32};
  std::vector<bool> keep(uns);
  std::vector<std::size_t> spr(uns);
  std::size_t n_keep = 0;
  for (std::size_t i = 0; i < uns; ++i) {
    keep[i] = sig.substr(i * 16, 15) != "EDF Annotations";
    spr[i] = static_cast<std::size_t>(std::atol(sig.substr(216 * uns + i * 8, 8).c_str()));
    n_keep += keep[i] ? 1 : 0;
  }
  std::string hdr = fixed;
  auto put = [&](std::size_t off, std::size_t width, const std::string& v) {
    hdr.replace(off, width, (v + std::string(width, ' ')).substr(0, width));
  };
  put(184, 8, std::to_string(256 * (n_keep + 1)));
  put(192, 44, "");
  put(252, 4, std::to_string(n_keep));
  std::size_t field_off = 0;
  for (const std::size_t w : widths) {
    for (std::size_t i = 0; i < uns; ++i)
      if (keep[i]) hdr += sig.substr(field_off + i * w, w);
    field_off += w * uns;
  }
  std::ofstream os(out, std::ios::binary | std::ios::trunc);
  if (!os) return "cannot create '" + out.string() + "'";
  os.write(hdr.data(), static_cast<std::streamsize>(hdr.size()));
  std::size_t record_bytes = 0;
  for (const std::size_t n : spr) record_bytes += 2 * n;
  std::string rec(record_bytes, '\0');
  for (long long r = 0; r < n_records; ++r) {
    if (!is.read(rec.data(), static_cast<std::streamsize>(record_bytes)))
      return "cannot read data record " + std::to_string(r) + " of '" + in.string() + "'";
    std::size_t off = 0;
    for (std::size_t i = 0; i < uns; ++i) {
      if (keep[i]) os.write(rec.data() + off, static_cast<std::streamsize>(2 * spr[i]));
      off += 2 * spr[i];
    }
  }
  os.flush();
  if (!os) return "cannot write '" + out.string() + "' (is the disk full?)";
  return {};
}

/// Closes the EDFlib handle and removes the temporary file unless released.
class TmpEdf {
 public:
  TmpEdf(std::filesystem::path tmp, std::filesystem::path tmp_plus, int handle)
      : tmp_(std::move(tmp)), tmp_plus_(std::move(tmp_plus)), handle_(handle) {}
  TmpEdf(const TmpEdf&) = delete;
  TmpEdf& operator=(const TmpEdf&) = delete;
  ~TmpEdf() {
    if (handle_ >= 0) edfclose_file(handle_);
    std::error_code ec;
    if (!tmp_plus_.empty()) std::filesystem::remove(tmp_plus_, ec);
    if (!committed_) std::filesystem::remove(tmp_, ec);
  }
  [[nodiscard]] int handle() const { return handle_; }
  /// Closes the handle, returning EDFlib's code (0 on success; the header is finalised here).
  int close() {
    const int rc = edfclose_file(handle_);
    handle_ = -1;
    return rc;
  }
  void commit() { committed_ = true; }

 private:
  std::filesystem::path tmp_;
  std::filesystem::path tmp_plus_;  ///< EDFlib's EDF+ output when plain EDF is wanted
  int handle_;
  bool committed_ = false;
};

}  // namespace

namespace {

[[noreturn]] void fail_write(const std::string& name, const std::string& what) {
  throw Error("Cannot write EDF file '" + name + "': " + what + ".");
}

// Checks the spec and the data against EDF's limits; returns the number of data records.
long long checked_records(const std::string& name, const EdfWriteSpec& spec, const std::vector<std::vector<double>>& data) {
  auto fail = [&](const std::string& what) { fail_write(name, what); };
  const int n_signals = static_cast<int>(spec.signals.size());
  if (n_signals < 1 || n_signals > EDFLIB_MAXSIGNALS)
    fail("the number of signals must be between 1 and " + std::to_string(EDFLIB_MAXSIGNALS) +
         " (got " + std::to_string(n_signals) + ")");
  if (data.size() != spec.signals.size())
    fail("the spec lists " + std::to_string(n_signals) + " signals but " +
         std::to_string(data.size()) + " data vectors were given");
  if (!(spec.record_duration_s >= 0.001 && spec.record_duration_s <= 60.0))
    fail("the record duration must be between 0.001 and 60 s (got " +
         std::to_string(spec.record_duration_s) + " s)");
  // EDFlib takes the record duration in units of 10 us.
  const double duration_10us = spec.record_duration_s * 1e5;
  if (std::abs(duration_10us - std::round(duration_10us)) > 1e-6)
    fail("the record duration must be a multiple of 10 us (got " +
         std::to_string(spec.record_duration_s) + " s)");
  long long n_records = -1;
  for (int s = 0; s < n_signals; ++s) {
    const auto& sig = spec.signals[static_cast<std::size_t>(s)];
    if (sig.label.size() > 16) fail("the label '" + sig.label + "' is longer than 16 characters");
    if (sig.unit.size() > 8) fail("the unit '" + sig.unit + "' is longer than 8 characters");
    if (sig.samples_per_record < 1)
      fail("signal '" + sig.label + "' has " + std::to_string(sig.samples_per_record) +
           " samples per record; it needs at least 1");
    const auto n = static_cast<long long>(data[static_cast<std::size_t>(s)].size());
    if (n % sig.samples_per_record != 0)
      fail("signal '" + sig.label + "' holds " + std::to_string(n) +
           " samples, which is not a whole number of records of " +
           std::to_string(sig.samples_per_record) + " samples");
    const long long r = n / sig.samples_per_record;
    if (n_records >= 0 && r != n_records)
      fail("signal '" + sig.label + "' spans " + std::to_string(r) + " records but the first signal spans " +
           std::to_string(n_records) + "; all signals must have the same duration");
    n_records = r;
  }
  if (n_records < 1) fail("there is no data (every signal needs at least one full record)");
  if (spec.start.year < 1985 || spec.start.year > 2084)
    fail("the start year must be between 1985 and 2084 (got " + std::to_string(spec.start.year) + ")");
  return n_records;
}

// The header fields of every signal, the start time and the patient field.
void set_header(const std::string& name, int handle, const EdfWriteSpec& spec) {
  auto check = [&](int rc, const std::string& what) {
    if (rc != 0) fail_write(name, "EDFlib rejected " + what);
  };
  check(edf_set_datarecord_duration(handle, static_cast<int>(std::lround(spec.record_duration_s * 1e5))),
        "the record duration");
  for (std::size_t s = 0; s < spec.signals.size(); ++s) {
    const auto& sig = spec.signals[s];
    const int i = static_cast<int>(s);
    const std::string who = " of signal '" + sig.label + "'";
    check(edf_set_samplefrequency(handle, i, sig.samples_per_record), "the samples per record" + who);
    check(edf_set_physical_maximum(handle, i, sig.phys_max), "the physical maximum" + who);
    check(edf_set_physical_minimum(handle, i, sig.phys_min), "the physical minimum" + who);
    check(edf_set_digital_maximum(handle, i, sig.dig_max), "the digital maximum" + who);
    check(edf_set_digital_minimum(handle, i, sig.dig_min), "the digital minimum" + who);
    check(edf_set_label(handle, i, sig.label.c_str()), "the label" + who);
    check(edf_set_physical_dimension(handle, i, sig.unit.c_str()), "the physical dimension" + who);
  }
  const auto& st = spec.start;
  check(edf_set_startdatetime(handle, st.year, st.month, st.day, st.hour, st.minute, st.second),
        "the start date/time " + std::to_string(st.year) + "-" + std::to_string(st.month) + "-" +
            std::to_string(st.day) + " " + std::to_string(st.hour) + ":" + std::to_string(st.minute) +
            ":" + std::to_string(st.second));
  if (spec.edf_plus && st.subsecond > 0.0) {
    // EDFlib takes 100 ns units; keep 100 us resolution as its documentation recommends.
    const long sub = std::lround(st.subsecond * 1e4) * 1000;
    if (sub > 0 && sub < 10000000)
      check(edf_set_subsecond_starttime(handle, static_cast<int>(sub)), "the subsecond start time");
  }
  check(edf_set_patientname(handle, spec.patient.c_str()), "the patient name '" + spec.patient + "'");
}

// The data records, signal by signal. EDFlib wants a mutable buffer; it only reads it. Samples
// are clamped to the physical range so that out-of-range samples saturate instead of wrapping.
void write_records(const std::string& name, int handle, const EdfWriteSpec& spec,
                   const std::vector<std::vector<double>>& data, long long n_records) {
  std::vector<double> buf;
  for (long long r = 0; r < n_records; ++r) {
    for (std::size_t s = 0; s < spec.signals.size(); ++s) {
      const auto& sig = spec.signals[s];
      const auto& x = data[s];
      const auto spr = static_cast<std::size_t>(sig.samples_per_record);
      buf.resize(spr);
      const std::size_t off = static_cast<std::size_t>(r) * spr;
      const double lo = std::min(sig.phys_min, sig.phys_max), hi = std::max(sig.phys_min, sig.phys_max);
      for (std::size_t i = 0; i < spr; ++i) {
        const double v = x[off + i];
        if (!std::isfinite(v))
          fail_write(name, "signal '" + sig.label + "' holds a non-finite value at sample " + std::to_string(off + i));
        buf[i] = v < lo ? lo : (v > hi ? hi : v);
      }
      const int wrc = edfwrite_physical_samples(handle, buf.data());
      if (wrc != 0)
        fail_write(name, "EDFlib failed to write record " + std::to_string(r) + " of signal '" + sig.label + "': " +
                             (wrc <= EDFLIB_NO_SIGNALS ? first_write_error_text(wrc) : "write error (is the disk full?)"));
    }
  }
}

}  // namespace

void write_edf(const std::filesystem::path& file, const EdfWriteSpec& spec,
               const std::vector<std::vector<double>>& data) {
  const std::string name = file.string();
  const long long n_records = checked_records(name, spec, data);
  std::filesystem::path tmp = file;
  tmp += ".tmp";
  // EDFlib writes only EDF+; plain EDF is made from its output by edfplus_to_edf.
  std::filesystem::path tmp_plus;
  if (!spec.edf_plus) {
    tmp_plus = file;
    tmp_plus += ".edfplus.tmp";
  }
  const std::filesystem::path& edflib_path = spec.edf_plus ? tmp : tmp_plus;
  const int handle = edfopen_file_writeonly(edflib_path.c_str(), EDFLIB_FILETYPE_EDFPLUS, static_cast<int>(spec.signals.size()));
  if (handle < 0) fail_write(name, "EDFlib could not open '" + edflib_path.string() + "' for writing: " + open_error_text(handle));
  TmpEdf guard(tmp, tmp_plus, handle);
  set_header(name, handle, spec);
  write_records(name, handle, spec, data, n_records);
  if (guard.close() != 0) fail_write(name, "EDFlib failed to finalise the header when closing '" + edflib_path.string() + "'");
  if (!spec.edf_plus) {
    const std::string err = edfplus_to_edf(tmp_plus, tmp);
    if (!err.empty()) fail_write(name, "converting EDFlib's EDF+ output to plain EDF failed: " + err);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) fail_write(name, "renaming '" + tmp.string() + "' to the final name failed: " + ec.message());
  guard.commit();
}

}  // namespace ecgforest::io

#include "ecgforest/signal/beat_tables.hpp"
#include "ecgforest/core/text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace ecgforest::signal {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

}  // namespace

std::string beat_timestamp(const StartDateTime& start, std::int64_t sample, double fs_hz) {
  constexpr std::int64_t kNs = 1000000000;
  // Nanoseconds after the start's whole second; long double keeps sample/fs exact enough.
  const auto offset_ns = static_cast<std::int64_t>(
      std::llround(static_cast<long double>(start.subsecond) * 1e9L +
                   static_cast<long double>(sample) * 1e9L / static_cast<long double>(fs_hz)));
  const std::int64_t day0 = days_from_civil(start.year, static_cast<unsigned>(start.month),
                                            static_cast<unsigned>(start.day));
  std::int64_t secs = day0 * 86400 + start.hour * 3600 + start.minute * 60 + start.second;
  std::int64_t ns = offset_ns % kNs;
  secs += offset_ns / kNs;
  if (ns < 0) {
    ns += kNs;
    --secs;
  }
  std::int64_t days = secs / 86400;
  std::int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    --days;
  }
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02lld:%02lld:%02lld.%09lld", static_cast<long long>(y), m, d,
                static_cast<long long>(sod / 3600), static_cast<long long>(sod / 60 % 60),
                static_cast<long long>(sod % 60), static_cast<long long>(ns));
  return buf;
}

std::string beats_csv_text(const std::vector<std::int64_t>& peaks, double fs_hz,
                           const std::vector<std::uint8_t>& low_quality) {
  const bool flags = !low_quality.empty();
  std::string out = flags ? "sample,time_s,low_quality\n" : "sample,time_s\n";
  out.reserve(out.size() + peaks.size() * 26);
  char buf[64];
  for (std::size_t i = 0; i < peaks.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%lld,%.6f", static_cast<long long>(peaks[i]), static_cast<double>(peaks[i]) / fs_hz);
    out += buf;
    if (flags) out += low_quality.at(i) ? ",1" : ",0";
    out += '\n';
  }
  return out;
}

std::vector<std::uint8_t> low_quality_beats(const std::vector<std::int64_t>& peaks, double fs_hz,
                                            const std::vector<double>& window_end_s, const std::vector<float>& sqi,
                                            double min_sqi) {
  if (!(min_sqi > 0) || window_end_s.empty()) return {};
  std::vector<std::uint8_t> out(peaks.size(), 0);
  for (std::size_t i = 0; i < peaks.size(); ++i) {
    const double t = static_cast<double>(peaks[i]) / fs_hz;
    auto w = static_cast<std::size_t>(std::lower_bound(window_end_s.begin(), window_end_s.end(), t) - window_end_s.begin());
    w = std::min(w, window_end_s.size() - 1);
    out[i] = static_cast<double>(sqi.at(w)) >= min_sqi ? 0 : 1;  // NaN → low quality
  }
  return out;
}

std::string rr_csv_text(const std::vector<std::int64_t>& peaks, double fs_hz,
                        const StartDateTime& start, const std::vector<BadSegment>& bad,
                        const std::vector<std::uint8_t>& low_quality) {
  const bool flags = !low_quality.empty();
  std::string out = flags ? "timestamp,frame,rr_interval,low_quality\n" : "timestamp,frame,rr_interval\n";
  out.reserve(out.size() + peaks.size() * 48);
  std::size_t seg = 0;  // bad is sorted and non-overlapping
  char buf[64];
  for (std::size_t i = 0; i + 1 < peaks.size(); ++i) {
    const std::int64_t a = peaks[i], b = peaks[i + 1];
    while (seg < bad.size() && bad[seg].end_sample <= a) ++seg;
    if (seg < bad.size() && bad[seg].begin_sample < b) continue;  // [a, b) meets a bad stretch
    const double rr_ms = static_cast<double>(b - a) * 1000.0 / fs_hz;
    out += beat_timestamp(start, a, fs_hz);
    std::snprintf(buf, sizeof buf, ",%lld,", static_cast<long long>(a));
    out += buf;
    // Shortest text that reads back as the same double (Python's repr, as the old tools wrote).
    out += python_float_text(rr_ms);
    if (flags) out += low_quality.at(i) || low_quality.at(i + 1) ? ",1" : ",0";
    out += '\n';
  }
  return out;
}

}  // namespace ecgforest::signal

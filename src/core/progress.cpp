#include "ecgforest/core/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace ecgforest {

Progress::Progress(std::string label, std::string unit, std::uint64_t total, Sink sink, ProgressStyle style, Clock clock,
                   double start)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), sink_(std::move(sink)), style_(style),
      clock_(std::move(clock)) {
  start_ = start == kNow ? clock_() : start;
  last_print_ = start_;
}

Progress Progress::to_stderr(bool enabled, std::string label, std::string unit, std::uint64_t total, double start) {
  if (!enabled) return Progress();
  ProgressStyle style;
  style.live = isatty(fileno(stderr)) != 0;
  auto sink = [](const std::string& s) {
    std::fputs(s.c_str(), stderr);
    std::fflush(stderr);
  };
  return Progress(std::move(label), std::move(unit), total, sink, style, now_s, start);
}

std::string Progress::text(std::uint64_t done, double units, double elapsed_s) const {
  done = std::min(done, total_);
  char eta[32] = "?";
  if (done == total_) {
    std::snprintf(eta, sizeof eta, "0");
  } else if (done > base_) {
    std::snprintf(eta, sizeof eta, "%.0f",
                  elapsed_s / static_cast<double>(done - base_) * static_cast<double>(total_ - done));
  }
  char buf[96];
  std::snprintf(buf, sizeof buf, ", elapsed %.0f s, ETA %s s", elapsed_s, eta);
  return label_ + ": " + std::to_string(done) + "/" + std::to_string(total_) + " " + unit_ +
         (extra_ ? extra_(units, elapsed_s) : std::string()) + buf;
}

void Progress::emit(std::uint64_t done, double units, double t, bool last) {
  last_print_ = t;
  std::string line = text(done, units, t - start_);
  if (style_.live) {
    const std::size_t width = line.size();
    if (width < last_width_) line.append(last_width_ - width, ' ');  // clear the longer previous line
    last_width_ = width;
    sink_("\r" + line + (last ? "\n" : ""));
  } else {
    sink_(line + "\n");
  }
}

void Progress::update(std::uint64_t done, double units) {
  if (!sink_) return;
  const double t = clock_();
  std::lock_guard<std::mutex> lock(*mutex_);
  if (finished_ || t - last_print_ < (style_.live ? style_.live_interval_s : style_.interval_s)) return;
  emit(done, units, t, false);
}

void Progress::finish(double units) {
  if (!sink_) return;
  const double t = clock_();
  std::lock_guard<std::mutex> lock(*mutex_);
  if (finished_) return;
  finished_ = true;
  emit(total_, units, t, true);
}

}  // namespace ecgforest

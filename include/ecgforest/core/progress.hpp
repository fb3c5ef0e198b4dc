#pragma once
// Progress lines of long phases (extract, train, predict), one style for all commands:
//
//   <label>: <done>/<total> <unit><extra>, elapsed <E> s, ETA <R> s
//
// On a terminal one live line is redrawn in place ("\r", at most every live_interval_s); in a
// batch log (stderr not a terminal, e.g. under Slurm) a full line is printed every interval_s.
// finish() always prints the last line (done = total) and ends the live line. A Progress with
// no sink prints nothing and costs one branch per update (ranks other than 0, no log).
// update() and finish() are thread-safe (OpenMP workers of a forest call update()).
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "ecgforest/core/clock.hpp"

namespace ecgforest {

struct ProgressStyle {
  bool live = false;             ///< terminal: redraw one line with "\r"
  double interval_s = 10.0;      ///< batch log: seconds between lines
  double live_interval_s = 0.2;  ///< terminal: seconds between redraws
};

class Progress {
 public:
  using Sink = std::function<void(const std::string&)>;
  using Clock = std::function<double()>;
  /// Text after "<done>/<total> <unit>" from the work units reported with update() (e.g. ECG
  /// seconds) and the elapsed seconds, e.g. ", 1.20 ECG h, 0.5 ECG h/s". Empty = none.
  using Extra = std::function<std::string(double units, double elapsed_s)>;

  /// Prints nothing (a disabled reporter).
  Progress() = default;
  /// `start` is the clock time elapsed is counted from (clock() when kNow).
  Progress(std::string label, std::string unit, std::uint64_t total, Sink sink, ProgressStyle style,
           Clock clock = now_s, double start = kNow);
  /// The usual reporter: stderr, live when stderr is a terminal; disabled when !enabled.
  static Progress to_stderr(bool enabled, std::string label, std::string unit, std::uint64_t total,
                            double start = kNow);

  bool enabled() const { return static_cast<bool>(sink_); }
  void set_extra(Extra extra) { extra_ = std::move(extra); }
  /// `done` units were finished before the clock started (e.g. restored from a checkpoint): the
  /// ETA uses only the rate of the rest.
  void set_baseline(std::uint64_t done) { base_ = done; }

  /// `done` of total finished (values are clamped to total); prints when a line is due.
  void update(std::uint64_t done, double units = 0);
  /// update(done) as a function (for GrowHooks::progress and the like); empty when disabled.
  std::function<void(std::uint64_t)> callback() {
    if (!enabled()) return {};
    return [this](std::uint64_t done) { update(done); };
  }
  /// Prints the final line (total/total) once; later calls do nothing.
  void finish(double units = 0);

  /// The line's text (no "\r" or newline) for `done` at `elapsed_s` seconds.
  std::string text(std::uint64_t done, double units, double elapsed_s) const;

  static constexpr double kNow = -1.0;

 private:
  void emit(std::uint64_t done, double units, double t, bool last);
  std::string label_, unit_;
  std::uint64_t total_ = 0, base_ = 0;
  Sink sink_;
  ProgressStyle style_;
  Clock clock_;
  Extra extra_;
  double start_ = 0, last_print_ = 0;
  std::size_t last_width_ = 0;
  bool finished_ = false;
  std::unique_ptr<std::mutex> mutex_ = std::make_unique<std::mutex>();
};

}  // namespace ecgforest

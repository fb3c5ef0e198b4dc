#include "ecgforest/eval/events.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/json.hpp"
#include "ecgforest/eval/quality_gate.hpp"
#include "ecgforest/eval/szcore.hpp"

namespace ecgforest::eval {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kSecondsPerDay = 86400.0;

double ratio(double num, double den) { return den > 0 ? num / den : kNaN; }

bool overlaps(const Event& a, const Event& b) { return a.start_s < b.stop_s && b.start_s < a.stop_s; }

// Label of the epoch sampled at t as NEDC picks it: the first event (in time order, the gaps
// being background events) with start <= t <= stop. A sample exactly on a boundary therefore
// belongs to the earlier event: a seizure owns (start, stop], or [0, stop] when it starts at 0.
bool inside(const std::vector<Event>& ev, double t) {
  // `ev` is sorted and non-overlapping: the last event starting before t is the candidate.
  auto it = std::lower_bound(ev.begin(), ev.end(), t, [](const Event& e, double x) { return e.start_s < x; });
  if (it != ev.end() && it->start_s == t && t == 0.0) return true;
  if (it == ev.begin()) return false;
  --it;
  return t <= it->stop_s;
}

// NEDC's TAES overlap test (anyovlp): the whole seconds int(start)..int(stop) of the two events
// share at least one second, so touching events and events within one second "overlap".
bool overlaps_whole_seconds(const Event& a, const Event& b) {
  return std::max(std::trunc(a.start_s), std::trunc(b.start_s)) <= std::min(std::trunc(a.stop_s), std::trunc(b.stop_s));
}

// NEDC calc_hf: fractional hit and false alarm of one hypothesis against one reference.
void taes_pair(const Event& r, const Event& h, double& hit, double& fa) {
  const double dur = r.stop_s - r.start_s;
  hit = 0;
  fa = 0;
  if (h.start_s <= r.start_s && h.stop_s <= r.stop_s) {  // starts before, ends inside
    hit = (h.stop_s - r.start_s) / dur;
    fa = std::min(1.0, (r.start_s - h.start_s) / dur);
  } else if (h.start_s >= r.start_s && h.stop_s >= r.stop_s) {  // starts inside, ends after
    hit = (r.stop_s - h.start_s) / dur;
    fa = std::min(1.0, (h.stop_s - r.stop_s) / dur);
  } else if (h.start_s < r.start_s && h.stop_s > r.stop_s) {  // covers the reference
    hit = 1.0;
    fa = std::min(1.0, ((h.stop_s - r.stop_s) + (r.start_s - h.start_s)) / dur);
  } else {  // inside the reference
    hit = (h.stop_s - h.start_s) / dur;
  }
}

}  // namespace

std::vector<float> smooth_probabilities(const std::vector<float>& p, Smoothing method, int k) {
  if (k < 1) throw Error("Smoothing needs at least 1 window, got " + std::to_string(k) + ".");
  if (method == Smoothing::none || k == 1) return p;
  std::vector<float> out(p.size());
  if (method == Smoothing::mean) {
    // Direct sums (k is a handful of windows): no running-sum rounding drift.
    for (std::size_t i = 0; i < p.size(); ++i) {
      const std::size_t b = i + 1 >= static_cast<std::size_t>(k) ? i + 1 - static_cast<std::size_t>(k) : 0;
      double sum = 0;
      for (std::size_t j = b; j <= i; ++j) sum += static_cast<double>(p[j]);
      out[i] = static_cast<float>(sum / static_cast<double>(i + 1 - b));
    }
    return out;
  }
  std::vector<float> buf;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const std::size_t b = i + 1 >= static_cast<std::size_t>(k) ? i + 1 - static_cast<std::size_t>(k) : 0;
    buf.assign(p.begin() + static_cast<std::ptrdiff_t>(b), p.begin() + static_cast<std::ptrdiff_t>(i + 1));
    std::sort(buf.begin(), buf.end());
    const std::size_t n = buf.size();
    out[i] = n % 2 ? buf[n / 2] : static_cast<float>((static_cast<double>(buf[n / 2 - 1]) + static_cast<double>(buf[n / 2])) / 2.0);
  }
  return out;
}

std::vector<Event> merge_overlapping(std::vector<Event> events) {
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return a.start_s < b.start_s || (a.start_s == b.start_s && a.stop_s < b.stop_s);
  });
  std::vector<Event> out;
  for (const auto& e : events) {
    if (!out.empty() && e.start_s <= out.back().stop_s) {
      out.back().stop_s = std::max(out.back().stop_s, e.stop_s);
      out.back().probability = std::max(out.back().probability, e.probability);
      out.back().alarm_s = std::fmin(out.back().alarm_s, e.alarm_s);  // NaN: the other one's
    } else {
      out.push_back(e);
    }
  }
  return out;
}

namespace {

/// A run of consecutive windows at or above the threshold: the event it makes and its windows.
struct Run {
  Event event;
  std::size_t first = 0, last = 0;  ///< window indices, inclusive
};

std::vector<Run> threshold_runs(const std::vector<double>& window_end_s, const std::vector<float>& smoothed,
                                double step_s, double threshold) {
  std::vector<Run> runs;
  bool open = false;
  for (std::size_t i = 0; i < smoothed.size(); ++i) {
    const bool on = static_cast<double>(smoothed[i]) >= threshold;  // NaN → off
    const bool contiguous = i > 0 && window_end_s[i] - window_end_s[i - 1] <= 1.5 * step_s;
    if (on && open && contiguous) {
      runs.back().event.stop_s = window_end_s[i];
      runs.back().event.probability = std::max(runs.back().event.probability, static_cast<double>(smoothed[i]));
      runs.back().last = i;
    } else if (on) {
      runs.push_back({{std::max(0.0, window_end_s[i] - step_s), window_end_s[i], static_cast<double>(smoothed[i])}, i, i});
      open = true;
    } else {
      open = false;
    }
  }
  return runs;
}

/// The end of the first window of runs[first..last] (one merged event) at least min_duration_s
/// after `start_s`; NaN when the event is shorter (it is dropped then).
double alarm_time(const std::vector<double>& window_end_s, const std::vector<Run>& runs, std::size_t first,
                  std::size_t last, double start_s, double min_duration_s) {
  for (std::size_t k = first; k <= last; ++k) {
    const auto b = window_end_s.begin() + static_cast<std::ptrdiff_t>(runs[k].first);
    const auto e = window_end_s.begin() + static_cast<std::ptrdiff_t>(runs[k].last + 1);
    const auto it = std::find_if(b, e, [&](double t) { return t - start_s >= min_duration_s; });
    if (it != e) return *it;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

std::vector<Event> windows_to_events(const std::vector<double>& window_end_s, const std::vector<float>& smoothed,
                                     double step_s, double threshold, double min_duration_s, double merge_gap_s) {
  if (window_end_s.size() != smoothed.size()) {
    throw Error("windows_to_events: " + std::to_string(window_end_s.size()) + " window times but " +
                std::to_string(smoothed.size()) + " probabilities; pass one probability per window.");
  }
  if (!(step_s > 0)) throw ParameterError("The window hop (step_s) must be > 0 seconds to build events.");
  const auto runs = threshold_runs(window_end_s, smoothed, step_s, threshold);
  std::vector<Event> out;
  for (std::size_t first = 0; first < runs.size();) {
    std::size_t last = first;  // runs closer than merge_gap_s join the event
    Event e = runs[first].event;
    while (last + 1 < runs.size() && runs[last + 1].event.start_s - e.stop_s < merge_gap_s) {
      ++last;
      e.stop_s = runs[last].event.stop_s;
      e.probability = std::max(e.probability, runs[last].event.probability);
    }
    if (e.stop_s - e.start_s >= min_duration_s) {  // NaN drops, as before
      e.alarm_s = alarm_time(window_end_s, runs, first, last, e.start_s, min_duration_s);
      out.push_back(e);
    }
    first = last + 1;
  }
  return out;
}

std::vector<Event> postprocess(const std::vector<double>& window_end_s, const std::vector<float>& prob, double step_s,
                               const PostprocessSettings& s) {
  return windows_to_events(window_end_s, smooth_probabilities(prob, s.smoothing, s.smoothing_windows), step_s,
                           s.threshold, s.min_duration_s, s.merge_gap_s);
}

namespace {

/// Events sorted by start with the running maximum of their stops: "does any overlap e" in
/// O(log n) (sort + sweep; scoring was quadratic in the events of a file).
struct OverlapIndex {
  std::vector<double> start, max_stop;
  explicit OverlapIndex(std::vector<Event> ev) {
    std::sort(ev.begin(), ev.end(), [](const Event& a, const Event& b) { return a.start_s < b.start_s; });
    for (const auto& e : ev) {
      start.push_back(e.start_s);
      max_stop.push_back(max_stop.empty() ? e.stop_s : std::max(max_stop.back(), e.stop_s));
    }
  }
  /// Same as any_of(overlaps(e, .)): among the events starting before e ends, one ends after e starts.
  [[nodiscard]] bool any_overlaps(const Event& e) const {
    const auto n = std::lower_bound(start.begin(), start.end(), e.stop_s) - start.begin();
    return n > 0 && max_stop[static_cast<std::size_t>(n - 1)] > e.start_s;
  }
};

}  // namespace

OvlpCounts score_ovlp(const std::vector<Event>& ref, const std::vector<Event>& hyp) {
  OvlpCounts c;
  c.n_ref = ref.size();
  c.n_hyp = hyp.size();
  const OverlapIndex hyp_index(hyp), ref_index(ref);
  for (const auto& r : ref) (hyp_index.any_overlaps(r) ? c.hits : c.misses) += 1;
  for (const auto& h : hyp) c.false_alarms += ref_index.any_overlaps(h) ? 0 : 1;
  return c;
}

TaesCounts score_taes(const std::vector<Event>& ref_in, const std::vector<Event>& hyp_in, TaesOverlap mode) {
  // NEDC's algorithm (nedc_eeg_eval_taes.py, v6.0.0), for one label, on sorted merged events.
  // A reference is scored when some hypothesis overlaps it exactly (used or not); its partner
  // hypotheses are then every unused one passing the overlap test of `mode` -- and the walk
  // over them goes on after the reference has been scored (NEDC does not re-check its flag).
  const auto ref = merge_overlapping(ref_in);
  const auto hyp = merge_overlapping(hyp_in);
  const auto touch = [mode](const Event& a, const Event& b) {
    return mode == TaesOverlap::whole_seconds ? overlaps_whole_seconds(a, b) : overlaps(a, b);
  };
  TaesCounts c;
  c.n_ref = ref.size();
  c.n_hyp = hyp.size();
  std::vector<bool> rfree(ref.size(), true), hfree(hyp.size(), true);
  // ref and hyp are sorted and disjoint, so starts and stops both increase, and an event b whose
  // whole-second start lies after a's whole-second stop touches neither a nor anything after a in
  // either mode (trunc is monotone). The loops skip the hypotheses that end before ref[i] starts
  // (j0, never moving back) and stop at the first event starting after the other ends: the same
  // pairs as full scans, in the same order, in linear time instead of quadratic.
  const auto after = [](const Event& b, const Event& a) { return std::trunc(b.start_s) > std::trunc(a.stop_s); };
  const OverlapIndex hyp_index(hyp);
  std::size_t j0 = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    while (j0 < hyp.size() && after(ref[i], hyp[j0])) ++j0;
    if (!rfree[i] || !hyp_index.any_overlaps(ref[i])) continue;
    for (std::size_t j = j0; j < hyp.size() && !after(hyp[j], ref[i]); ++j) {
      if (!hfree[j] || !touch(ref[i], hyp[j])) continue;
      double hit = 0, fa = 0;
      taes_pair(ref[i], hyp[j], hit, fa);
      double miss = 1.0 - hit;
      rfree[i] = false;
      hfree[j] = false;
      if (hyp[j].stop_s >= ref[i].stop_s) {
        // The hypothesis runs past this reference: every further reference it touches is a miss.
        for (std::size_t k = i + 1; k < ref.size() && !after(ref[k], hyp[j]); ++k) {
          if (touch(ref[k], hyp[j])) {
            rfree[k] = false;
            miss += 1.0;
          }
        }
      } else {
        // The reference runs past this hypothesis: further hypotheses touching it add partial hits.
        for (std::size_t k = j + 1; k < hyp.size() && !after(hyp[k], ref[i]); ++k) {
          if (touch(ref[i], hyp[k])) {
            hfree[k] = false;
            double h2 = 0, f2 = 0;
            taes_pair(ref[i], hyp[k], h2, f2);
            hit += h2;
            miss -= h2;
            fa += f2;
          }
        }
      }
      c.hits += hit;
      c.misses += miss;
      c.false_alarms += fa;
    }
  }
  for (bool f : rfree) c.misses += f ? 1.0 : 0.0;
  for (bool f : hfree) c.false_alarms += f ? 1.0 : 0.0;
  return c;
}

EpochCounts score_epoch(const std::vector<Event>& ref_in, const std::vector<Event>& hyp_in, double duration_s,
                        double epoch_s) {
  if (!(epoch_s > 0)) throw ParameterError("The epoch length must be > 0 seconds.");
  const auto ref = merge_overlapping(ref_in);
  const auto hyp = merge_overlapping(hyp_in);
  EpochCounts c;
  for (std::uint64_t i = 0;; ++i) {
    const double t = epoch_s / 2.0 + static_cast<double>(i) * epoch_s;  // integer counter: no drift
    if (!(t <= duration_s)) break;
    const bool r = inside(ref, t), h = inside(hyp, t);
    if (r && h) ++c.tp;
    else if (!r && h) ++c.fp;
    else if (r && !h) ++c.fn;
    else ++c.tn;
  }
  return c;
}

namespace {

// For each reference overlapped by a hypothesis with a time `when` (NaN: none), the earliest such
// time minus the reference start, at least 0.
std::vector<double> latencies(const std::vector<Event>& ref, const std::vector<Event>& hyp, double Event::*when) {
  std::vector<double> out;
  for (const auto& r : ref) {
    double first = std::numeric_limits<double>::infinity();
    for (const auto& h : hyp) {
      if (overlaps(r, h) && !std::isnan(h.*when)) first = std::min(first, h.*when);
    }
    if (std::isfinite(first)) out.push_back(std::max(0.0, first - r.start_s));
  }
  return out;
}

}  // namespace

std::vector<double> detection_latencies(const std::vector<Event>& ref, const std::vector<Event>& hyp) {
  return latencies(ref, hyp, &Event::start_s);
}

std::vector<double> alarm_latencies(const std::vector<Event>& ref, const std::vector<Event>& hyp) {
  return latencies(ref, hyp, &Event::alarm_s);
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return kNaN;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const auto hi = std::min(lo + 1, v.size() - 1);
  const double f = pos - static_cast<double>(lo);
  return v[lo] + f * (v[hi] - v[lo]);
}

double cohen_kappa(const EpochCounts& e) {
  const double tp = static_cast<double>(e.tp), fp = static_cast<double>(e.fp);
  const double tn = static_cast<double>(e.tn), fn = static_cast<double>(e.fn);
  const double n = tp + fp + tn + fn;
  if (n == 0) return kNaN;
  const double observed = (tp + tn) / n;
  const double expected = ((tp + fn) * (tp + fp) + (tn + fp) * (tn + fn)) / (n * n);
  if (expected == 1.0) return observed == 1.0 ? 1.0 : 0.0;  // NEDC: 1 when both agreements are 1
  return (observed - expected) / (1.0 - expected);
}

ScoreSummary score_recordings(const std::vector<ScoredRecording>& recordings, double epoch_s, TaesOverlap taes) {
  ScoreSummary s;
  s.epoch_s = epoch_s;
  s.taes_overlap = taes;
  std::vector<double> lat, alarm_lat;
  for (const auto& rec : recordings) {
    const auto ref = merge_overlapping(rec.ref);
    const auto hyp = merge_overlapping(rec.hyp);
    const auto o = score_ovlp(ref, hyp);
    const auto t = score_taes(ref, hyp, taes);
    const auto e = score_epoch(ref, hyp, rec.duration_s, epoch_s);
    s.ovlp.n_ref += o.n_ref;
    s.ovlp.n_hyp += o.n_hyp;
    s.ovlp.hits += o.hits;
    s.ovlp.misses += o.misses;
    s.ovlp.false_alarms += o.false_alarms;
    s.taes.n_ref += t.n_ref;
    s.taes.n_hyp += t.n_hyp;
    s.taes.hits += t.hits;
    s.taes.misses += t.misses;
    s.taes.false_alarms += t.false_alarms;
    s.epoch.tp += e.tp;
    s.epoch.fp += e.fp;
    s.epoch.tn += e.tn;
    s.epoch.fn += e.fn;
    s.total_s += rec.duration_s;
    ++s.n_recordings;
    const auto l = detection_latencies(ref, hyp);
    lat.insert(lat.end(), l.begin(), l.end());
    const auto a = alarm_latencies(ref, hyp);
    alarm_lat.insert(alarm_lat.end(), a.begin(), a.end());
    auto& p = s.per_patient[rec.patient.empty() ? rec.name : rec.patient];
    p.n_ref += o.n_ref;
    p.hits += o.hits;
    p.false_alarms += o.false_alarms;
    p.hours += rec.duration_s / 3600.0;
  }
  for (auto& [name, p] : s.per_patient) {
    p.sensitivity = ratio(static_cast<double>(p.hits), static_cast<double>(p.n_ref));
    p.fa_per_24h = ratio(static_cast<double>(p.false_alarms), p.hours * 3600.0) * kSecondsPerDay;
  }
  s.ovlp_sensitivity = ratio(static_cast<double>(s.ovlp.hits), static_cast<double>(s.ovlp.hits + s.ovlp.misses));
  s.ovlp_fa_per_24h = ratio(static_cast<double>(s.ovlp.false_alarms), s.total_s) * kSecondsPerDay;
  s.taes_sensitivity = ratio(s.taes.hits, s.taes.hits + s.taes.misses);
  s.taes_fa_per_24h = ratio(s.taes.false_alarms, s.total_s) * kSecondsPerDay;
  s.epoch_sensitivity = ratio(static_cast<double>(s.epoch.tp), static_cast<double>(s.epoch.tp + s.epoch.fn));
  s.epoch_specificity = ratio(static_cast<double>(s.epoch.tn), static_cast<double>(s.epoch.tn + s.epoch.fp));
  s.epoch_fa_per_24h = ratio(static_cast<double>(s.epoch.fp) * epoch_s, s.total_s) * kSecondsPerDay;
  s.epoch_kappa = cohen_kappa(s.epoch);
  s.latency_median_s = quantile(lat, 0.5);
  s.latency_p90_s = quantile(lat, 0.9);
  s.alarm_latency_median_s = quantile(alarm_lat, 0.5);
  s.alarm_latency_p90_s = quantile(alarm_lat, 0.9);
  return s;
}

std::vector<double> default_thresholds() {
  std::vector<double> t;
  for (int i = 1; i <= 19; ++i) t.push_back(0.05 * i);
  return t;
}

std::vector<Event> clip_shift(const std::vector<Event>& ev, double from_s, double to_s) {
  std::vector<Event> out;
  for (const auto& e : ev) {
    const double a = std::max(e.start_s, from_s), b = std::min(e.stop_s, to_s);
    if (b > a) out.push_back({a - from_s, b - from_s, e.probability});
  }
  return out;
}

std::vector<Event> events_after(const RecordingProbabilities& r, const std::vector<float>& smoothed, double from_s,
                                double step_s, double threshold, double min_duration_s, double merge_gap_s) {
  std::size_t first = 0;
  while (first < r.window_end_s.size() && r.window_end_s[first] <= from_s) ++first;
  const auto skip = static_cast<std::ptrdiff_t>(first);
  std::vector<double> t(r.window_end_s.begin() + skip, r.window_end_s.end());
  for (auto& v : t) v -= from_s;
  const std::vector<float> p(smoothed.begin() + skip, smoothed.end());
  std::vector<std::uint8_t> usable;
  if (!r.usable.empty()) usable.assign(r.usable.begin() + skip, r.usable.end());
  return gated_events(t, p, usable, step_s, threshold, min_duration_s, merge_gap_s);
}

std::vector<OperatingPoint> sweep_thresholds(const std::vector<RecordingProbabilities>& recs, double step_s,
                                             const PostprocessSettings& s, const std::vector<double>& thresholds) {
  std::vector<std::vector<float>> smoothed;
  smoothed.reserve(recs.size());
  for (const auto& r : recs) smoothed.push_back(gated_smoothing(r.prob, r.usable, s.smoothing, s.smoothing_windows));
  const double piece_s = szcore::Params{}.max_event_duration_s;
  double seconds = 0;
  for (const auto& r : recs) seconds += std::max(0.0, r.duration_s - r.scored_from_s);
  std::vector<OperatingPoint> out;
  for (double th : thresholds) {
    std::vector<ScoredRecording> scored;
    scored.reserve(recs.size());
    std::size_t budget_alarms = 0;
    for (std::size_t i = 0; i < recs.size(); ++i) {
      if (recs[i].scored_from_s >= recs[i].duration_s) continue;  // nothing of it is scored
      ScoredRecording sr;
      sr.name = recs[i].name;
      sr.patient = recs[i].patient;
      const double from = recs[i].scored_from_s;
      sr.duration_s = recs[i].duration_s - from;
      sr.ref = from > 0 ? clip_shift(recs[i].ref, from, recs[i].duration_s) : recs[i].ref;
      sr.hyp = events_after(recs[i], smoothed[i], from, step_s, th, s.min_duration_s, s.merge_gap_s);
      budget_alarms += score_ovlp(merge_overlapping(sr.ref), szcore::split_long(sr.hyp, piece_s)).false_alarms;
      scored.push_back(std::move(sr));
    }
    const auto sum = score_recordings(scored);
    const double budget_fa = seconds > 0 ? static_cast<double>(budget_alarms) / seconds * 86400.0 : kNaN;
    out.push_back({th, sum.ovlp_sensitivity, sum.ovlp_fa_per_24h, sum.taes_sensitivity, sum.taes_fa_per_24h, sum.ovlp.n_hyp,
                   budget_fa});
  }
  return out;
}

std::optional<std::size_t> best_under_budget(const std::vector<OperatingPoint>& points, double fa_budget) {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto& p = points[i];
    if (!(p.budget_fa_per_24h <= fa_budget)) continue;
    const double sens = std::isnan(p.ovlp_sensitivity) ? -1.0 : p.ovlp_sensitivity;
    if (!best) {
      best = i;
      continue;
    }
    const auto& b = points[*best];
    const double bsens = std::isnan(b.ovlp_sensitivity) ? -1.0 : b.ovlp_sensitivity;
    if (sens > bsens || (sens == bsens && (p.ovlp_fa_per_24h < b.ovlp_fa_per_24h ||
                                           (p.ovlp_fa_per_24h == b.ovlp_fa_per_24h && p.threshold > b.threshold)))) {
      best = i;
    }
  }
  return best;
}

std::string score_json(const ScoreSummary& s, const std::vector<OperatingPoint>& sweep, std::optional<std::size_t> best,
                       double fa_budget) {
  JsonWriter j;
  write_score_json(j, s, sweep, best, fa_budget);
  return j.str();
}

void write_score_json(JsonWriter& j, const ScoreSummary& s, const std::vector<OperatingPoint>& sweep,
                      std::optional<std::size_t> best, double fa_budget) {
  j.begin_object();
  write_score_fields(j, s, sweep, best, fa_budget);
  j.end_object();
}

void write_score_fields(JsonWriter& j, const ScoreSummary& s, const std::vector<OperatingPoint>& sweep,
                        std::optional<std::size_t> best, double fa_budget) {
  j.key("scorer").value("ecgforest NEDC-style (OVLP, TAES, EPOCH), seizure label");
  j.key("ovlp_sensitivity").value(s.ovlp_sensitivity).key("ovlp_fa_per_24h").value(s.ovlp_fa_per_24h);
  j.key("taes_sensitivity").value(s.taes_sensitivity).key("taes_fa_per_24h").value(s.taes_fa_per_24h);
  j.key("epoch_sensitivity").value(s.epoch_sensitivity).key("epoch_specificity").value(s.epoch_specificity);
  j.key("epoch_fa_per_24h").value(s.epoch_fa_per_24h).key("epoch_kappa").value(s.epoch_kappa);
  j.key("taes_overlap").value(choice_name(s.taes_overlap));
  j.key("n_ref_events").value(static_cast<std::uint64_t>(s.ovlp.n_ref));
  j.key("n_hyp_events").value(static_cast<std::uint64_t>(s.ovlp.n_hyp));
  j.key("n_recordings").value(static_cast<std::uint64_t>(s.n_recordings));
  j.key("total_hours").value(s.total_s / 3600.0);
  j.key("latency_median_s").value(s.latency_median_s).key("latency_p90_s").value(s.latency_p90_s);
  j.key("alarm_latency_median_s").value(s.alarm_latency_median_s);
  j.key("alarm_latency_p90_s").value(s.alarm_latency_p90_s);
  j.key("counts").begin_object();
  j.key("ovlp").begin_object();
  j.key("hits").value(static_cast<std::uint64_t>(s.ovlp.hits)).key("misses").value(static_cast<std::uint64_t>(s.ovlp.misses));
  j.key("false_alarms").value(static_cast<std::uint64_t>(s.ovlp.false_alarms)).end_object();
  j.key("taes").begin_object().key("hits").value(s.taes.hits).key("misses").value(s.taes.misses);
  j.key("false_alarms").value(s.taes.false_alarms).end_object();
  j.key("epoch").begin_object().key("tp").value(s.epoch.tp).key("fp").value(s.epoch.fp);
  j.key("tn").value(s.epoch.tn).key("fn").value(s.epoch.fn).key("epoch_s").value(s.epoch_s).end_object();
  j.end_object();
  j.key("per_patient").begin_object();
  for (const auto& [name, p] : s.per_patient) {
    j.key(name).begin_object();
    j.key("n_ref_events").value(static_cast<std::uint64_t>(p.n_ref)).key("ovlp_hits").value(static_cast<std::uint64_t>(p.hits));
    j.key("ovlp_sensitivity").value(p.sensitivity).key("ovlp_false_alarms").value(static_cast<std::uint64_t>(p.false_alarms));
    j.key("ovlp_fa_per_24h").value(p.fa_per_24h).key("hours").value(p.hours);
    j.end_object();
  }
  j.end_object();
  if (!sweep.empty()) {
    j.key("fa_budget_per_24h").value(fa_budget);
    j.key("sweep").begin_array();
    for (const auto& p : sweep) {
      j.begin_object().key("threshold").value(p.threshold);
      j.key("ovlp_sensitivity").value(p.ovlp_sensitivity).key("ovlp_fa_per_24h").value(p.ovlp_fa_per_24h);
      j.key("taes_sensitivity").value(p.taes_sensitivity).key("taes_fa_per_24h").value(p.taes_fa_per_24h);
      j.key("n_hyp_events").value(static_cast<std::uint64_t>(p.n_hyp));
      j.key("budget_fa_per_24h").value(p.budget_fa_per_24h).end_object();
    }
    j.end_array();
    j.key("best_operating_point");
    if (best && *best < sweep.size()) {
      const auto& p = sweep[*best];
      j.begin_object().key("threshold").value(p.threshold);
      j.key("ovlp_sensitivity").value(p.ovlp_sensitivity).key("ovlp_fa_per_24h").value(p.ovlp_fa_per_24h);
      j.key("taes_sensitivity").value(p.taes_sensitivity).key("taes_fa_per_24h").value(p.taes_fa_per_24h);
      j.key("budget_fa_per_24h").value(p.budget_fa_per_24h).end_object();
    } else {
      j.value(kNaN);  // null: no threshold meets the budget
    }
  }
}

}  // namespace ecgforest::eval

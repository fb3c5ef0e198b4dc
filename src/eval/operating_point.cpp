// Operating-point search in training and patient-tailored thresholds (operating_point.hpp).
#include "ecgforest/eval/operating_point.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

#include "ecgforest/eval/quality_gate.hpp"
#include "ecgforest/eval/szcore.hpp"

namespace ecgforest::eval {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
const double kBudgetMaxEventS = szcore::Params{}.max_event_duration_s;  // SzCORE's maxEventDuration

// Probabilities smoothed once per (method, k) and reused for every threshold/duration/gap.
struct Smoothed {
  std::vector<std::vector<float>> per_recording;
};

Smoothed smooth_all(const std::vector<RecordingProbabilities>& recs, Smoothing method, int k) {
  Smoothed s;
  s.per_recording.reserve(recs.size());
  for (const auto& r : recs) s.per_recording.push_back(gated_smoothing(r.prob, r.usable, method, k));
  return s;
}

CandidateScore score_smoothed(const std::vector<RecordingProbabilities>& recs,
                              const std::vector<std::vector<Event>>& refs, const Smoothed& sm, double step_s,
                              const PostprocessSettings& s) {
  CandidateScore c;
  c.settings = s;
  std::vector<double> latencies, alarm_lat;
  double seconds = 0;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const auto hyp = gated_events(recs[i].window_end_s, sm.per_recording[i], recs[i].usable, step_s, s.threshold,
                                  s.min_duration_s, s.merge_gap_s);
    const auto o = score_ovlp(refs[i], hyp);
    c.n_ref += o.n_ref;
    c.hits += o.hits;
    c.false_alarms += o.false_alarms;
    c.budget_alarms += score_ovlp(refs[i], szcore::split_long(hyp, kBudgetMaxEventS)).false_alarms;
    seconds += recs[i].duration_s;
    const auto lat = detection_latencies(refs[i], hyp);
    latencies.insert(latencies.end(), lat.begin(), lat.end());
    const auto alarm = alarm_latencies(refs[i], hyp);
    alarm_lat.insert(alarm_lat.end(), alarm.begin(), alarm.end());
  }
  c.hours = seconds / 3600.0;
  c.ovlp_sensitivity = c.n_ref ? static_cast<double>(c.hits) / static_cast<double>(c.n_ref) : kNan;
  c.ovlp_fa_per_24h = seconds > 0 ? static_cast<double>(c.false_alarms) / seconds * 86400.0 : kNan;
  c.latency_median_s = quantile(latencies, 0.5);
  c.alarm_latency_median_s = quantile(alarm_lat, 0.5);
  if (s.alarm_within_s > 0)
    c.alarmed_within = static_cast<std::size_t>(
        std::count_if(alarm_lat.begin(), alarm_lat.end(), [&](double l) { return l <= s.alarm_within_s; }));
  return c;
}

std::vector<std::vector<Event>> merged_refs(const std::vector<RecordingProbabilities>& recs) {
  std::vector<std::vector<Event>> refs;
  refs.reserve(recs.size());
  for (const auto& r : recs) refs.push_back(merge_overlapping(r.ref));
  return refs;
}

double sens_key(const CandidateScore& c) { return std::isnan(c.ovlp_sensitivity) ? -1.0 : c.ovlp_sensitivity; }

// Total order used for the choice: larger is better. The budget is a count over the scored
// hours, alarms counted with long events split (CandidateScore::budget_alarms). A CV shorter than
// 24/budget hours allows none: one alarm in 8 h is 3 per 24 h, and models chosen with that leeway
// on small cohorts raised 3-25 false alarms per 24 h on real daily life (README, "Operating point").
// A latency limit (max_latency > 0) puts the settings within the budget that meet it above the
// other settings within the budget: level 2 against 1. Within a level, the seizures alarmed in
// time come first (alarmed_within: 0 for every setting unless alarm_within_s > 0).
std::tuple<int, double, double, double> rank_key(const CandidateScore& c, double budget, double max_latency) {
  const double allowed = budget * c.hours / 24.0;
  const auto alarms = static_cast<double>(c.budget_alarms);
  const bool quick = max_latency > 0 && c.alarm_latency_median_s <= max_latency;  // NaN: false
  if (alarms <= allowed) return {quick ? 2 : 1, static_cast<double>(c.alarmed_within), sens_key(c), -alarms};
  return {0, -alarms, sens_key(c), 0.0};
}

template <class T>
std::vector<T> or_fixed(bool fixed, T value, const std::vector<T>& grid) {
  return fixed ? std::vector<T>{value} : grid;
}

}  // namespace

CandidateScore score_candidate(const std::vector<RecordingProbabilities>& recs, double step_s,
                               const PostprocessSettings& s) {
  return score_smoothed(recs, merged_refs(recs), smooth_all(recs, s.smoothing, s.smoothing_windows), step_s, s);
}

PostprocessChoice choose_postprocess(const std::vector<RecordingProbabilities>& recs, double step_s,
                                     const PostprocessSettings& base, const FixedPostprocess& fixed,
                                     const PostprocessGrid& grid) {
  const auto refs = merged_refs(recs);
  const auto ks = or_fixed(fixed.smoothing_windows, base.smoothing_windows, grid.smoothing_windows);
  const auto ths = or_fixed(fixed.threshold, base.threshold, grid.thresholds);
  const auto durs = or_fixed(fixed.min_duration_s, base.min_duration_s, grid.min_duration_s);
  const auto gaps = or_fixed(fixed.merge_gap_s, base.merge_gap_s, grid.merge_gap_s);
  std::vector<CandidateScore> all;
  all.reserve(ks.size() * ths.size() * durs.size() * gaps.size());
  for (int k : ks) {
    PostprocessSettings s = base;
    s.smoothing_windows = k;
    if (!fixed.smoothing) s.smoothing = k > 1 ? Smoothing::mean : Smoothing::none;
    const auto sm = smooth_all(recs, s.smoothing, k);
    for (double d : durs) {
      for (double g : gaps) {
        for (double t : ths) {
          s.min_duration_s = d;
          s.merge_gap_s = g;
          s.threshold = t;
          all.push_back(score_smoothed(recs, refs, sm, step_s, s));
        }
      }
    }
  }
  PostprocessChoice out;
  out.n_candidates = all.size();
  if (all.empty()) {
    out.chosen = base;
    return out;
  }
  const double budget = base.fa_budget_per_24h, max_latency = base.max_alarm_latency_s;
  auto best = rank_key(all.front(), budget, max_latency);
  for (const auto& c : all) best = std::max(best, rank_key(c, budget, max_latency));
  std::vector<std::size_t> tied;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (rank_key(all[i], budget, max_latency) == best) tied.push_back(i);
  }
  const auto& pick = all[tied[tied.size() / 2]];
  out.chosen = pick.settings;
  out.score = pick;
  out.fits_budget = std::get<0>(best) >= 1;
  out.meets_alarm_latency = max_latency <= 0 || std::get<0>(best) == 2;
  for (const auto& c : all) {
    const auto& a = c.settings;
    const auto& b = pick.settings;
    if (a.smoothing_windows == b.smoothing_windows && a.min_duration_s == b.min_duration_s &&
        a.merge_gap_s == b.merge_gap_s) {
      out.curve.push_back(c);
    }
  }
  return out;
}

TailoredThreshold tailor_threshold(const std::vector<RecordingProbabilities>& baseline, double step_s,
                                   const PostprocessSettings& s, double margin, double floor_threshold,
                                   double exclude_margin_s) {
  // Baseline windows near annotated seizures are zeroed (they can raise no alarm) and their
  // time is not counted as seizure-free.
  std::vector<RecordingProbabilities> quiet = baseline;
  double excluded_s = 0, total_s = 0;
  for (auto& r : quiet) {
    total_s += r.duration_s;
    const auto refs = merge_overlapping(r.ref);
    for (std::size_t i = 0; i < r.prob.size(); ++i) {
      const double t = r.window_end_s[i];
      for (const auto& e : refs) {
        if (t > e.start_s - exclude_margin_s && t < e.stop_s + exclude_margin_s) {
          r.prob[i] = 0.0f;
          excluded_s += step_s;
          break;
        }
      }
    }
    r.ref.clear();
  }
  TailoredThreshold out;
  out.baseline_hours = std::max(0.0, total_s - excluded_s) / 3600.0;
  const auto allowed = static_cast<std::size_t>(std::floor(s.fa_budget_per_24h * out.baseline_hours / 24.0));
  const auto refs = merged_refs(quiet);
  const auto sm = smooth_all(quiet, s.smoothing, s.smoothing_windows);
  out.lowest_quiet = 0.99;
  for (int step = 1; step <= 99; ++step) {
    PostprocessSettings c = s;
    c.threshold = step / 100.0;
    if (score_smoothed(quiet, refs, sm, step_s, c).budget_alarms <= allowed) {
      out.lowest_quiet = c.threshold;
      break;
    }
  }
  out.threshold = std::clamp(out.lowest_quiet * margin, floor_threshold, 0.99);
  PostprocessSettings at = s;
  at.threshold = out.threshold;
  out.baseline_alarms = score_smoothed(quiet, refs, sm, step_s, at).budget_alarms;
  return out;
}

namespace {

// The first `take` seconds of r (windows ending by then, references clipped), as patient `id`.
RecordingProbabilities leading_part(const RecordingProbabilities& r, const std::string& id, double take) {
  RecordingProbabilities b;
  b.name = r.name;
  b.patient = id;
  b.duration_s = take;
  for (std::size_t w = 0; w < r.prob.size() && r.window_end_s[w] <= take; ++w) {
    b.window_end_s.push_back(r.window_end_s[w]);
    b.prob.push_back(r.prob[w]);
    if (!r.usable.empty()) b.usable.push_back(r.usable[w]);
  }
  b.ref = clip_shift(r.ref, 0.0, take);
  return b;
}

}  // namespace

double lowering_evidence_hours(double fa_budget_per_24h) {
  return fa_budget_per_24h > 0 ? 72.0 / fa_budget_per_24h : std::numeric_limits<double>::infinity();
}

bool cv_shows_budget(double cv_hours, double fa_budget_per_24h) {
  return cv_hours >= lowering_evidence_hours(fa_budget_per_24h);
}

TailoredDetection detect_tailored(const std::vector<RecordingProbabilities>& recs, double step_s,
                                  const PostprocessSettings& pp, double baseline_hours, double margin,
                                  const std::vector<bool>& whole_baseline) {
  TailoredDetection out;
  std::map<std::string, double> left, asked;  // baseline seconds still to take / asked for, per patient
  std::map<std::string, std::vector<RecordingProbabilities>> baseline;
  std::vector<double> cut(recs.size(), 0.0);
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const auto& r = recs[i];
    const std::string id = r.patient.empty() ? r.name : r.patient;
    double take = 0;
    if (whole_baseline.empty()) {
      auto [it, fresh] = left.emplace(id, baseline_hours * 3600.0);
      if (fresh) asked[id] = baseline_hours * 3600.0;
      take = std::min(it->second, r.duration_s);
      it->second -= take;
    } else if (whole_baseline[i]) {
      take = r.duration_s;
      asked[id] += take;
    }
    cut[i] = take;
    if (take <= 0) continue;
    baseline[id].push_back(leading_part(r, id, take));
    out.baseline_hours += take / 3600.0;
  }
  const double evidence_h = lowering_evidence_hours(pp.fa_budget_per_24h);
  for (const auto& [id, b] : baseline) {
    auto t = tailor_threshold(b, step_s, pp, margin);
    // Too few quiet hours to show that a lower threshold keeps the budget: only raise.
    if (t.baseline_hours < evidence_h && t.threshold < pp.threshold) t = tailor_threshold(b, step_s, pp, margin, std::min(pp.threshold, 0.99));
    t.may_lower = t.baseline_hours >= evidence_h;
    // Too little seizure-free time to trust the quiet threshold: keep the patient-independent one.
    t.fallback = t.baseline_hours < 0.5 * asked[id] / 3600.0;
    if (t.fallback) t.threshold = pp.threshold;
    out.per_patient[id] = t;
  }
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const auto& r = recs[i];
    if (cut[i] >= r.duration_s) continue;
    const std::string id = r.patient.empty() ? r.name : r.patient;
    const auto sm = gated_smoothing(r.prob, r.usable, pp.smoothing, pp.smoothing_windows);
    const auto it = out.per_patient.find(id);
    const double th = it == out.per_patient.end() ? pp.threshold : it->second.threshold;
    const double part = r.duration_s - cut[i];
    const auto ref = clip_shift(r.ref, cut[i], r.duration_s);
    out.index.push_back(i);
    out.from_s.push_back(cut[i]);
    out.independent.push_back({r.name, id, part, ref, events_after(r, sm, cut[i], step_s, pp.threshold, pp.min_duration_s, pp.merge_gap_s)});
    out.tailored.push_back({r.name, id, part, ref, events_after(r, sm, cut[i], step_s, th, pp.min_duration_s, pp.merge_gap_s)});
  }
  return out;
}

void write_postprocess_json(JsonWriter& j, const PostprocessSettings& s) {
  j.begin_object();
  j.key("smoothing").value(choice_name(s.smoothing));
  j.key("smoothing_windows").value(s.smoothing_windows);
  j.key("threshold").value(s.threshold);
  j.key("min_duration_s").value(s.min_duration_s);
  j.key("merge_gap_s").value(s.merge_gap_s);
  j.end_object();
}

namespace {

void candidate_json(JsonWriter& j, const CandidateScore& c) {
  j.begin_object();
  j.key("threshold").value(c.settings.threshold);
  j.key("ovlp_sensitivity").value(c.ovlp_sensitivity);
  j.key("ovlp_fa_per_24h").value(c.ovlp_fa_per_24h);
  j.key("hits").value(static_cast<std::uint64_t>(c.hits));
  j.key("n_ref").value(static_cast<std::uint64_t>(c.n_ref));
  j.key("false_alarms").value(static_cast<std::uint64_t>(c.false_alarms));
  j.key("budget_alarms").value(static_cast<std::uint64_t>(c.budget_alarms));
  j.key("latency_median_s").value(c.latency_median_s);
  j.key("alarm_latency_median_s").value(c.alarm_latency_median_s);
  if (c.settings.alarm_within_s > 0) j.key("alarmed_within").value(static_cast<std::uint64_t>(c.alarmed_within));
  j.end_object();
}

}  // namespace

void write_choice_json(JsonWriter& j, const PostprocessChoice& c, double fa_budget) {
  j.begin_object();
  j.key("chosen");
  write_postprocess_json(j, c.chosen);
  j.key("fits_budget").value(c.fits_budget);
  j.key("fa_budget_per_24h").value(fa_budget);
  j.key("max_alarm_latency_s").value(c.chosen.max_alarm_latency_s);
  j.key("meets_alarm_latency").value(c.meets_alarm_latency);
  j.key("alarm_within_s").value(c.chosen.alarm_within_s);
  j.key("n_candidates").value(static_cast<std::uint64_t>(c.n_candidates));
  j.key("hours").value(c.score.hours);
  j.key("budget_evidence_hours").value(lowering_evidence_hours(fa_budget));
  j.key("cv_shows_budget").value(cv_shows_budget(c.score.hours, fa_budget));
  j.key("cv");
  candidate_json(j, c.score);
  j.key("curve").begin_array();
  for (const auto& p : c.curve) candidate_json(j, p);
  j.end_array();
  j.end_object();
}

}  // namespace ecgforest::eval

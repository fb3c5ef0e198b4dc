#include "life.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "synth.hpp"

namespace ecgforest::synth {
namespace {

constexpr double kHour = 3600.0;
constexpr double kEffortCapBpm = 20.0;  ///< rises above this do not fluctuate more

double smooth01(double x) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  return 0.5 - 0.5 * std::cos(std::numbers::pi * x);
}

/// exp(mu + sigma * N(0,1)) clamped to [lo, hi].
double lognormal(Rng& rng, double median, double sigma, double lo, double hi) {
  return std::clamp(median * std::exp(sigma * rng.normal()), lo, hi);
}

/// Event times of a Poisson process of `rate_per_h` in [t0, t1).
std::vector<double> poisson_times(Rng& rng, double rate_per_h, double t0, double t1) {
  std::vector<double> out;
  if (!(rate_per_h > 0.0)) return out;
  const double mean_gap = kHour / rate_per_h;
  for (double t = t0 - mean_gap * std::log(1.0 - rng.uniform()); t < t1; t -= mean_gap * std::log(1.0 - rng.uniform()))
    out.push_back(t);
  return out;
}

LifeEvent posture_event(Rng& rng, double t) {
  LifeEvent e;
  e.kind = LifeEventKind::posture;
  e.start_s = t;
  e.peak_bpm = rng.uniform(10.0, 25.0);
  e.rise_s = rng.uniform(10.0, 20.0);
  e.settle_fraction = rng.uniform(0.3, 0.6);
  e.settle_s = rng.uniform(20.0, 60.0);
  e.hold_s = lognormal(rng, 240.0, 0.8, 60.0, 1800.0);
  e.fall_s = rng.uniform(20.0, 60.0);
  return e;
}

LifeEvent bout_event(Rng& rng, double t, bool vigorous, double max_rise_bpm) {
  LifeEvent e;
  e.kind = vigorous ? LifeEventKind::exercise : LifeEventKind::walk;
  e.start_s = t;
  e.peak_bpm = std::min(max_rise_bpm, vigorous ? rng.uniform(35.0, 60.0) : rng.uniform(15.0, 35.0));
  e.rise_s = vigorous ? rng.uniform(60.0, 120.0) : rng.uniform(30.0, 90.0);
  e.settle_fraction = rng.uniform(0.8, 0.95);
  e.settle_s = 120.0;
  e.hold_s = vigorous ? rng.uniform(600.0, 2700.0) : lognormal(rng, 360.0, 0.7, 90.0, 2400.0);
  e.fall_s = vigorous ? rng.uniform(180.0, 480.0) : rng.uniform(60.0, 240.0);
  return e;
}

LifeEvent burst_event(Rng& rng, double t, double max_rise_bpm) {
  LifeEvent e;
  e.kind = LifeEventKind::burst;
  e.start_s = t;
  e.peak_bpm = std::min(max_rise_bpm, rng.uniform(25.0, 45.0));
  e.rise_s = rng.uniform(10.0, 30.0);
  e.settle_fraction = rng.uniform(0.85, 1.0);
  e.settle_s = 60.0;
  e.hold_s = rng.uniform(30.0, 150.0);
  e.fall_s = rng.uniform(40.0, 120.0);
  return e;
}

LifeEvent arousal_event(Rng& rng, double t) {
  LifeEvent e;
  e.kind = LifeEventKind::arousal;
  e.start_s = t;
  e.peak_bpm = rng.uniform(5.0, 20.0);
  e.rise_s = rng.uniform(2.0, 5.0);
  e.settle_fraction = 1.0;
  e.hold_s = rng.uniform(3.0, 12.0);
  e.fall_s = rng.uniform(8.0, 20.0);
  return e;
}

/// Knots of one night: a quiet evening, sleep cycles of 80-110 min (N2 -> N3 -> N2 -> REM; deep
/// sleep shortens and REM lengthens through the night) and a morning surge after waking; the
/// day between (from 2.5 h after waking to 2 h before bed) sits day_lift_bpm above resting.
void add_night_knots(const LifeTraits& tr, const SleepPeriod& s, Rng& rng, std::vector<LifeKnot>& k) {
  const double drop = tr.night_drop_bpm, gain = tr.night_hrv_gain;
  k.push_back({s.start_s - 2.0 * kHour, tr.day_lift_bpm, 1.0});
  k.push_back({s.start_s, -0.25 * drop, 1.1});
  double t = s.start_s + rng.uniform(600.0, 1800.0);  // falling asleep
  k.push_back({t, -drop, gain});
  for (int cycle = 0; t < s.end_s; ++cycle) {
    const double len = rng.uniform(80.0, 110.0) * 60.0;
    const double deep = std::max(0.0, 0.35 - 0.1 * cycle) * len;
    const double rem = std::min(0.4, 0.12 + 0.08 * cycle) * len;
    const double deep_bpm = rng.uniform(2.0, 5.0), rem_bpm = rng.uniform(4.0, 9.0);
    const double ramp = 240.0;
    auto level = [&](double at, double bpm, double hrv) {
      if (at < s.end_s) k.push_back({at, bpm, hrv});
    };
    const double n3_start = t + 0.2 * len;
    if (deep > 2.0 * ramp) {
      level(n3_start + ramp, -drop - deep_bpm, gain * 1.25);
      level(n3_start + deep - ramp, -drop - deep_bpm, gain * 1.25);
      level(n3_start + deep, -drop, gain);
    }
    const double rem_start = t + len - rem;
    level(rem_start, -drop, gain);
    level(rem_start + ramp, -drop + rem_bpm, gain * 0.7);
    level(t + len - ramp, -drop + rem_bpm, gain * 0.7);
    t += len;
    level(t, -drop, gain);
  }
  k.push_back({s.end_s, -0.6 * drop, 1.0});
  const double surge = tr.day_lift_bpm + rng.uniform(2.0, 6.0);
  k.push_back({s.end_s + 900.0, surge, 1.0});
  k.push_back({s.end_s + 2.5 * kHour, tr.day_lift_bpm, 1.0});
}

void add_awake_events(const LifeTraits& tr, double t0, double t1, Rng& rng, std::vector<LifeEvent>& ev) {
  for (const double t : poisson_times(rng, tr.posture_per_h, t0, t1)) ev.push_back(posture_event(rng, t));
  for (const double t : poisson_times(rng, tr.walks_per_h, t0, t1)) ev.push_back(bout_event(rng, t, false, tr.max_rise_bpm));
  for (const double t : poisson_times(rng, tr.exercise_per_day / 16.0, t0, t1))
    ev.push_back(bout_event(rng, t, true, tr.max_rise_bpm));
  for (const double t : poisson_times(rng, tr.arousals_per_h_awake, t0, t1)) ev.push_back(arousal_event(rng, t));
}

void add_sleep_events(const LifeTraits& tr, const SleepPeriod& s, Rng& rng, std::vector<LifeEvent>& ev) {
  for (const double t : poisson_times(rng, tr.arousals_per_h_sleep, s.start_s + 900.0, s.end_s))
    ev.push_back(arousal_event(rng, t));
  // Getting up at night (about one night in two) and in the morning: stand up, a few steps.
  const int trips = rng.poisson(0.6);
  for (int i = 0; i < trips; ++i) {
    const double t = rng.uniform(s.start_s + kHour, s.end_s - 0.5 * kHour);
    LifeEvent up = posture_event(rng, t);
    up.hold_s = rng.uniform(120.0, 400.0);
    ev.push_back(up);
  }
  ev.push_back(posture_event(rng, s.end_s));
}

}  // namespace

const char* to_string(LifeEventKind kind) {
  switch (kind) {
    case LifeEventKind::posture: return "posture";
    case LifeEventKind::walk: return "walk";
    case LifeEventKind::exercise: return "exercise";
    case LifeEventKind::arousal: return "arousal";
    case LifeEventKind::burst: return "burst";
  }
  return "?";
}

LifeTraits draw_life_traits(Rng& rng, double age_min, double age_max, double resting_hr_bpm) {
  LifeTraits tr;
  tr.age_years = rng.uniform(age_min, age_max);
  const double age = tr.age_years;
  // RMSSD roughly halves from 25 to 65 years (e.g. Umetani et al. 1998, JACC 31:593).
  tr.hrv_scale = std::clamp(std::exp(-(age - 40.0) / 90.0) * std::exp(0.3 * rng.normal()), 0.3, 2.5);
  tr.night_drop_bpm = rng.uniform(5.0, 12.0);
  tr.day_lift_bpm = rng.uniform(2.0, 8.0);
  tr.night_hrv_gain = rng.uniform(0.85, 1.1);
  tr.bedtime_hour = rng.uniform(22.0, 25.5);
  tr.sleep_hours = rng.uniform(6.0, 8.5);
  const double activity = std::exp(0.6 * rng.normal()) * std::clamp(1.3 - 0.008 * age, 0.6, 1.2);
  tr.activity = activity;
  tr.posture_per_h = 3.5 * activity;
  tr.walks_per_h = 1.0 * activity;
  tr.exercise_per_day = (age < 50.0 ? 0.6 : 0.3) * activity;
  tr.max_rise_bpm = std::max(20.0, 0.85 * (220.0 - age) - resting_hr_bpm);
  tr.arousals_per_h_sleep = rng.uniform(3.0, 10.0) * (1.0 + std::max(0.0, age - 40.0) / 60.0);
  tr.arousals_per_h_awake = rng.uniform(1.0, 4.0);
  const double ectopy_age = std::exp((age - 50.0) / 20.0);
  tr.pvc_per_h = std::min(60.0, 0.06 * ectopy_age * std::exp(1.5 * rng.normal()));
  tr.pac_per_h = std::min(60.0, 0.35 * ectopy_age * std::exp(1.2 * rng.normal()));
  tr.run_fraction = rng.uniform(0.02, 0.1);
  return tr;
}

double life_event_bpm(const LifeEvent& e, double t_s) {
  const double dt = t_s - e.start_s;
  if (dt <= 0.0 || t_s >= e.end_s()) return 0.0;
  if (dt < e.rise_s) return e.peak_bpm * smooth01(dt / e.rise_s);
  const auto settled = [&](double after_rise) {
    return e.peak_bpm * (e.settle_fraction + (1.0 - e.settle_fraction) * std::exp(-after_rise / e.settle_s));
  };
  if (dt < e.rise_s + e.hold_s) return settled(dt - e.rise_s);
  return settled(e.hold_s) * (1.0 - smooth01((dt - e.rise_s - e.hold_s) / e.fall_s));
}

namespace {

/// Sorts the events by start and updates the longest one (the look-up window of events_bpm).
void sort_events(DailyLife& life) {
  std::stable_sort(life.events.begin(), life.events.end(),
                   [](const auto& a, const auto& b) { return a.start_s < b.start_s; });
  for (const auto& e : life.events) life.max_event_s = std::max(life.max_event_s, e.end_s() - e.start_s);
}

}  // namespace

DailyLife draw_daily_life(const LifeTraits& tr, double start_hour, double duration_s, Rng& rng) {
  DailyLife life;
  life.enabled = true;
  life.start_hour = start_hour;
  const double lead = kHour;  // events may start before the recording
  const int days = static_cast<int>(std::ceil(duration_s / (24.0 * kHour))) + 1;
  for (int d = -1; d <= days; ++d) {
    SleepPeriod s;
    s.start_s = (24.0 * d + tr.bedtime_hour + rng.uniform(-0.5, 0.5) - start_hour) * kHour;
    s.end_s = s.start_s + (tr.sleep_hours + rng.uniform(-0.5, 0.5)) * kHour;
    if (s.end_s + 3.0 * kHour > -lead && s.start_s - 2.0 * kHour < duration_s) life.sleep.push_back(s);
  }
  double awake_from = -lead;
  for (const auto& s : life.sleep) {
    add_night_knots(tr, s, rng, life.knots);
    add_awake_events(tr, awake_from, std::min(s.start_s, duration_s), rng, life.events);
    add_sleep_events(tr, s, rng, life.events);
    awake_from = s.end_s;
  }
  if (awake_from < duration_s) add_awake_events(tr, awake_from, duration_s, rng, life.events);
  std::stable_sort(life.knots.begin(), life.knots.end(), [](const auto& a, const auto& b) { return a.t_s < b.t_s; });
  sort_events(life);
  return life;
}

void add_exertion_bursts(const LifeTraits& tr, double per_active_h, double duration_s, Rng& rng, DailyLife& life) {
  if (!life.enabled || !(per_active_h > 0.0)) return;
  const double rate = per_active_h * tr.activity;
  double awake_from = -kHour;  // as draw_daily_life: events may start before the recording
  auto add = [&](double t1) {
    for (const double t : poisson_times(rng, rate, awake_from, t1)) life.events.push_back(burst_event(rng, t, tr.max_rise_bpm));
  };
  for (const auto& s : life.sleep) {
    add(std::min(s.start_s, duration_s));
    awake_from = s.end_s;
  }
  if (awake_from < duration_s) add(duration_s);
  sort_events(life);
}

namespace {

LifeKnot knot_at(const DailyLife& life, double t) {
  const auto& k = life.knots;
  if (k.empty()) return {t, 0.0, 1.0};
  if (t <= k.front().t_s) return k.front();
  if (t >= k.back().t_s) return k.back();
  const auto hi = std::upper_bound(k.begin(), k.end(), t, [](double v, const LifeKnot& x) { return v < x.t_s; });
  const auto lo = hi - 1;
  const double span = hi->t_s - lo->t_s;
  const double f = span > 0.0 ? (t - lo->t_s) / span : 1.0;
  return {t, lo->hr_bpm + f * (hi->hr_bpm - lo->hr_bpm), lo->hrv + f * (hi->hrv - lo->hrv)};
}

/// The activity rise `a` at t with its surges and dips: a + gain x min(a, 20 bpm) x the effort
/// noise at t (linear between the seconds), at least 0; `a` itself without noise.
double irregular_effort(const DailyLife& life, double a, double t) {
  if (life.effort_noise.empty() || a <= 0.0) return a;
  const double x = std::clamp(t + 2.0, 0.0, static_cast<double>(life.effort_noise.size() - 1));
  const auto i = std::min(static_cast<std::size_t>(x), life.effort_noise.size() - 2);
  const double f = x - static_cast<double>(i);
  const double n = (1.0 - f) * static_cast<double>(life.effort_noise[i]) + f * static_cast<double>(life.effort_noise[i + 1]);
  return std::max(0.0, a + life.effort_gain * std::min(a, kEffortCapBpm) * n);
}

/// Largest rise of the posture/walk/exercise events at t (they do not add up: standing up to
/// walk is one effort) plus the sum of the arousals.
double events_bpm(const DailyLife& life, double t) {
  const auto& ev = life.events;
  auto it = std::lower_bound(ev.begin(), ev.end(), t - life.max_event_s,
                             [](const LifeEvent& e, double v) { return e.start_s < v; });
  double activity = 0.0, arousal = 0.0;
  for (; it != ev.end() && it->start_s < t; ++it) {
    const double v = life_event_bpm(*it, t);
    if (it->kind == LifeEventKind::arousal)
      arousal += v;
    else
      activity = std::max(activity, v);
  }
  return irregular_effort(life, activity, t) + arousal;
}

}  // namespace

void add_effort_irregularity(double scale, double duration_s, Rng& rng, DailyLife& life) {
  if (!(scale > 0.0) || !life.enabled) return;
  life.effort_gain = scale * rng.uniform(0.12, 0.27);
  const auto n = static_cast<std::size_t>(std::ceil(duration_s)) + 5;
  life.effort_noise.resize(n);
  constexpr double kTau[2] = {6.0, 40.0};
  double ou[2] = {rng.normal(), rng.normal()};
  for (std::size_t i = 0; i < n; ++i) {
    life.effort_noise[i] = static_cast<float>((ou[0] + ou[1]) / std::numbers::sqrt2);
    for (int j = 0; j < 2; ++j) {  // exact 1-s update of a unit-variance OU process
      const double a = std::exp(-1.0 / kTau[j]);
      ou[j] = a * ou[j] + std::sqrt(1.0 - a * a) * rng.normal();
    }
  }
}

double life_hr_offset(const DailyLife& life, double t_s) {
  if (!life.enabled) return 0.0;
  return knot_at(life, t_s).hr_bpm + events_bpm(life, t_s);
}

double life_hrv_scale(const DailyLife& life, double t_s) {
  if (!life.enabled) return 1.0;
  return knot_at(life, t_s).hrv * std::exp(-events_bpm(life, t_s) / life.effort_hrv_bpm);
}

bool life_asleep(const DailyLife& life, double t_s) {
  return std::any_of(life.sleep.begin(), life.sleep.end(),
                     [&](const SleepPeriod& s) { return t_s >= s.start_s && t_s < s.end_s; });
}

}  // namespace ecgforest::synth

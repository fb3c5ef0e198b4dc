#pragma once
// Non-seizure heart-rate behaviour of daily life for the synthetic ECG (issue 13 item 6): a
// day/night rhythm with sleep and sleep-stage-like slow changes, posture changes, walking and
// exercise bouts, arousals (more at night), and the per-patient ectopy rates. Everything is a
// deterministic function of the traits, the clock time of the recording start and the Rng.
//
// Heart rate at time t = awake resting HR + life_hr_offset(t) (+ slow wander + seizures);
// the beat-to-beat variability (RSA, LF wave, jitter) is multiplied by life_hrv_scale(t).
#include <cstdint>
#include <vector>

namespace ecgforest::synth {

class Rng;

/// Per-patient traits of daily life, drawn once per patient (draw_life_traits).
struct LifeTraits {
  double age_years = 45.0;
  double hrv_scale = 1.0;            ///< beat-to-beat variability multiplier (falls with age)
  double night_drop_bpm = 10.0;      ///< sleep HR below the awake resting HR
  double day_lift_bpm = 4.0;         ///< daytime HR above it (being up and about, circadian)
  double night_hrv_gain = 1.4;       ///< variability multiplier during sleep
  double bedtime_hour = 23.0;        ///< clock hour of sleep onset (22-25.5, i.e. up to 01:30)
  double sleep_hours = 7.5;          ///< time asleep per night
  double posture_per_h = 1.5;        ///< stand-ups per awake hour
  double walks_per_h = 0.5;          ///< walking bouts per awake hour
  double exercise_per_day = 0.3;     ///< vigorous bouts per day
  double activity = 1.0;             ///< how active the patient is (scales the awake event rates)
  double max_rise_bpm = 60.0;        ///< cap of a bout's rise (from the age-predicted maximum HR)
  double arousals_per_h_sleep = 6.0;
  double arousals_per_h_awake = 1.0;
  double pvc_per_h = 0.3;            ///< premature ventricular events per hour
  double pac_per_h = 1.5;            ///< premature atrial events per hour
  double run_fraction = 0.05;        ///< share of ectopic events that are runs of 2-5 beats
};

/// Draws a patient's traits; age uniform in [age_min, age_max] years. `resting_hr_bpm` (awake,
/// seated) caps the exercise rise at 85 % of the age-predicted maximum (220 - age).
LifeTraits draw_life_traits(Rng& rng, double age_min, double age_max, double resting_hr_bpm);

enum class LifeEventKind { posture, walk, exercise, arousal, burst };

const char* to_string(LifeEventKind kind);

/// One transient heart-rate change. From start_s the rise reaches peak_bpm over rise_s (raised
/// cosine), then relaxes exponentially (time constant settle_s) towards settle_fraction *
/// peak_bpm, holds until start_s + rise_s + hold_s, then returns to 0 over fall_s (raised cosine).
struct LifeEvent {
  LifeEventKind kind = LifeEventKind::posture;
  double start_s = 0.0;
  double rise_s = 10.0;
  double hold_s = 0.0;
  double fall_s = 10.0;
  double peak_bpm = 0.0;
  double settle_fraction = 1.0;
  double settle_s = 30.0;
  double end_s() const { return start_s + rise_s + hold_s + fall_s; }
};

/// Heart-rate increase (bpm) of one event at time t.
double life_event_bpm(const LifeEvent& e, double t_s);

/// The slow part of the day: at t_s the heart-rate offset (bpm) and variability multiplier;
/// linear between knots, constant beyond the ends.
struct LifeKnot {
  double t_s = 0.0;
  double hr_bpm = 0.0;
  double hrv = 1.0;
};

struct SleepPeriod {
  double start_s = 0.0;  ///< sleep onset (seconds from the recording start; may be negative)
  double end_s = 0.0;    ///< waking
};

/// One recording's daily life. Default-constructed = disabled (no offset, scale 1).
struct DailyLife {
  bool enabled = false;
  double start_hour = 0.0;           ///< clock time of the recording start (0-24)
  std::vector<LifeKnot> knots;       ///< sorted by t_s
  std::vector<LifeEvent> events;     ///< sorted by start_s
  std::vector<SleepPeriod> sleep;    ///< sorted
  double max_event_s = 0.0;          ///< longest event (for the look-up window)
  /// Irregularity of effort (add_effort_irregularity): the posture/walk/exercise/burst rise a at t
  /// becomes max(0, a + effort_gain * min(a, 20 bpm) * effort_noise[t + 2 s]); empty = smooth.
  double effort_gain = 0.0;
  /// The beat-to-beat variability falls as exp(-(event increase) / effort_hrv_bpm) with effort.
  double effort_hrv_bpm = 40.0;
  std::vector<float> effort_noise;   ///< unit-variance noise, one value per second from t = -2 s
};

/// Draws the recording's sleep periods, sleep stages and events for [0, duration_s]; events
/// start at most 1 h before the recording so that nothing begins abruptly at t = 0.
DailyLife draw_daily_life(const LifeTraits& traits, double start_hour, double duration_s, Rng& rng);

/// Adds brisk exertion bursts (stairs, hurrying: +25-45 bpm within 10-30 s, held 30-150 s) to the
/// awake hours of `life`, a Poisson number at `per_active_h` x the patient's activity per awake
/// hour, drawn from `rng` alone: the recording's other events do not change.
void add_exertion_bursts(const LifeTraits& traits, double per_active_h, double duration_s, Rng& rng, DailyLife& life);

/// Makes the activity events' rises irregular as in real daily life (the rr_daily Holter rises
/// come in surges and dips of 5-15 bpm over 5-60 s, not as smooth plateaus): draws a per-recording
/// gain `scale` x U(0.12, 0.27) (so 2.4-5.4 bpm standard deviation in rises of 20 bpm or more) and a unit-variance noise (two Ornstein-Uhlenbeck processes, time
/// constants 6 s and 40 s, equal variance) over [-2 s, duration_s + 2 s] from `rng` alone.
/// scale 0 leaves `life` unchanged.
void add_effort_irregularity(double scale, double duration_s, Rng& rng, DailyLife& life);

/// Sum of the knots' offset and of all events' increases at t (bpm).
double life_hr_offset(const DailyLife& life, double t_s);
/// Knot multiplier at t times exp(-(event increase) / effort_hrv_bpm) (vagal withdrawal with effort).
double life_hrv_scale(const DailyLife& life, double t_s);
bool life_asleep(const DailyLife& life, double t_s);

}  // namespace ecgforest::synth

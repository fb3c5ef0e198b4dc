#pragma once
// Synthetic TUH-like cohort: EDF files with EEG channels and one ECG channel, .tse_bi seizure
// annotations, true R-peak lists and a cohort.json manifest. Everything is a deterministic
// function of the options (including the seed); no global state.
//
// The ECG model (generate_ecg) is usable alone: P-QRS-T morphology as a sum of Gaussians per
// beat (after McSharry et al.'s ECGSYN), beats from an RR process with respiratory sinus
// arrhythmia, a ~0.1 Hz LF wave, a slow random walk of the heart rate and rare premature beats
// with compensatory pause; ictal tachycardia around seizures; baseline wander, mains hum and
// muscle noise on top. With a DailyLife (life.hpp) the heart rate also follows a day/night rhythm
// with sleep, posture changes, walking/exercise bouts, arousals, and atrial as well as ventricular
// premature beats, single or in short runs.
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <random>
#include <string>
#include <vector>

#include "life.hpp"

namespace ecgforest::synth {

inline constexpr const char* kGeneratorVersion = "2.0";

/// Portable random numbers: std::mt19937_64 (fully specified by the standard) plus hand-written
/// uniform / Box-Muller normal / Poisson, so a seed gives the same cohort with any compiler.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : eng_(seed) {}
  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(eng_() >> 11) * 0x1.0p-53; }
  /// Uniform in [a, b).
  double uniform(double a, double b) { return a + (b - a) * uniform(); }
  /// Standard normal (Box-Muller; the second value of each pair is cached).
  double normal();
  bool bernoulli(double p) { return uniform() < p; }
  /// Poisson-distributed count with mean `lambda` >= 0.
  int poisson(double lambda);
  std::uint64_t next() { return eng_(); }

 private:
  std::mt19937_64 eng_;
  double cached_ = 0.0;
  bool has_cached_ = false;
};

/// SplitMix64 mix of a seed with up to two stream indices; used to give every patient and
/// recording its own independent random stream.
std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t a, std::uint64_t b);

/// Smallest ictal heart-rate rise (bpm) that makes a seizure a "responder" (as in Jeppesen et al.
/// 2020, who call a seizure with a clear ictal tachycardia a responder).
inline constexpr double kResponderRiseBpm = 10.0;

/// One seizure in a recording. Times in seconds from the recording start (rounded to 0.1 ms,
/// the resolution of .tse_bi files).
struct SeizureEvent {
  double start_s = 0.0;
  double stop_s = 0.0;
  bool hr_change = true;     ///< false: no ictal heart-rate change at all
  double hr_rise_bpm = 0.0;  ///< plateau increase of the heart rate (bpm) when hr_change
  double ramp_up_s = 15.0;   ///< duration of the rise, centred slightly before start_s
  double ramp_down_s = 45.0; ///< duration of the return to baseline, starting at stop_s
  double vagal_drop = 0.0;   ///< share of the beat-to-beat variability withdrawn at the ictal peak (0-1)
  /// The seizure comes with a clear ictal heart-rate rise (>= kResponderRiseBpm).
  bool responder() const { return hr_change && hr_rise_bpm >= kResponderRiseBpm; }
};

/// One artefact episode [start_s, stop_s) of the ECG (artefacts.hpp), seconds from the recording start.
struct ArtefactEpisode {
  double start_s = 0.0;
  double stop_s = 0.0;
  bool ictal = false;  ///< inside a seizure (--ictal-artefacts), not away from them
};

/// A patient's ictal heart-rate response. A responder's seizures raise the heart rate by about
/// typical_rise_bpm (each seizure times a log-normal factor of SD 0.25, clamped to 10-60 bpm; one
/// seizure in ten without change); a non-responder's seizures bring no change (half of them) or
/// a small rise of 2-8 bpm.
struct IctalProfile {
  bool responder = true;
  double typical_rise_bpm = 30.0;
};

/// A profile with typical_rise_bpm uniform in 15-50 bpm.
IctalProfile draw_ictal_profile(Rng& rng, bool responder);

/// Parameters of one synthetic ECG.
struct EcgModel {
  int fs_hz = 256;
  int duration_s = 600;            ///< whole seconds; the signal has fs_hz * duration_s samples
  double base_hr_bpm = 70.0;       ///< resting heart rate
  double hr_walk_sd_bpm = 3.0;     ///< SD of the slow (Ornstein-Uhlenbeck) heart-rate wander
  double hr_walk_tau_s = 120.0;    ///< its time constant
  double resp_hz = 0.25;           ///< breathing rate (RSA frequency)
  double rsa_fraction = 0.04;      ///< RR modulation depth by breathing (fraction of RR)
  double lf_hz = 0.1;              ///< Mayer-wave frequency
  double lf_fraction = 0.025;      ///< RR modulation depth of the LF wave
  double rr_jitter_s = 0.008;      ///< white RR jitter (SD, seconds)
  double ectopic_probability = 0.005;  ///< chance per beat of a premature ventricular beat (or run)
  double pac_probability = 0.0;    ///< chance per beat of a premature atrial beat (or run)
  double run_probability = 0.0;    ///< share of premature events that are runs of 2-5 beats
  double r_amplitude_uv = 1000.0;  ///< R-wave amplitude of a normal beat (uV)
  bool inverted = false;           ///< polarity flipped (electrodes swapped)
  double noise = 1.0;              ///< scale of wander, mains and muscle noise (0 = clean)
  int mains_hz = 60;               ///< 50 or 60
  std::vector<SeizureEvent> seizures;
  DailyLife life;                  ///< disabled by default: no day/night rhythm or events
};

/// One beat of the RR process: time of the R wave (s), the underlying sinus RR at that time (s,
/// which scales the beat's QT), and its symbol: 'N' normal, 'V' premature ventricular, 'A'
/// premature atrial.
struct Beat {
  double t = 0.0;
  double rr_normal = 0.0;
  char symbol = 'N';
};

struct BeatTrain {
  std::vector<Beat> beats;
  double resp_phase = 0.0;  ///< breathing phase (rad), shared with the rendered ECG's amplitude modulation
};

/// The model's beats from shortly before 0 to shortly after duration_s, increasing in time.
/// Premature events replace the next sinus beat by 1-5 beats at 55-70 % of the sinus RR (a run
/// with probability run_probability); a ventricular event ends with a compensatory pause (two
/// sinus RRs from the last sinus beat), an atrial one resets the sinus node (pause = 1.1 RR).
BeatTrain generate_beats(const EcgModel& model, Rng& rng);

/// Beats with 0 <= t < duration_s, times rounded to 0.1 ms: what --format beats writes.
std::vector<Beat> beat_list(const std::vector<Beat>& beats, double duration_s);

/// "time_s,symbol" CSV of beat_list's beats, time with 4 decimals.
std::string beats_csv_text(const std::vector<Beat>& listed);

struct EcgSignal {
  std::vector<double> clean;          ///< morphology only, with polarity applied (uV)
  std::vector<double> ecg;            ///< clean + baseline wander + mains + muscle noise (uV)
  std::vector<std::int64_t> r_peaks;  ///< 0-based sample index of every R peak, increasing
  std::vector<bool> ectopic;          ///< per R peak: premature ventricular beat
  std::vector<char> symbol;           ///< per R peak: 'N', 'V' or 'A'
};

/// Heart-rate increase (bpm, >= 0) caused by the model's seizures at time t (seconds).
double seizure_hr_increase(const EcgModel& model, double t_s);

/// Multiplier (0-1] of the beat-to-beat variability (RSA, LF wave, jitter) at time t: the ictal
/// vagal withdrawal, 1 - vagal_drop x (the seizure's heart-rate rise fraction at t), lowest over
/// the seizures with a heart-rate change; 1 away from them.
double seizure_hrv_factor(const EcgModel& model, double t_s);

/// Draws each seizure's vagal withdrawal: scale x U(0.3, 0.9) x min(1, rise / 20 bpm) for the
/// seizures with a heart-rate change, U(0, 0.2) instead of U(0.3, 0.9) for a `weak` patient (0
/// for seizures without a change and for scale 0, which draws nothing).
void draw_vagal_withdrawal(Rng& rng, double scale, bool weak, std::vector<SeizureEvent>& seizures);

/// Renders the ECG of the given beats (generate_beats) with the model's morphology and noise.
EcgSignal render_ecg(const EcgModel& model, const BeatTrain& train, Rng& rng);

/// Synthesises one ECG: render_ecg(model, generate_beats(model, rng), rng). The R peak of a beat is the sample where the beat's QRS (before the
/// polarity flip and noise) is largest; only peaks at least 25 ms away from both ends are listed.
EcgSignal generate_ecg(const EcgModel& model, Rng& rng);

/// Places a Poisson number (mean rate_per_h * duration) of non-overlapping seizures of 30-180 s,
/// none starting in the first 60 s, each at least 30 s from the next; sorted by start. The heart-rate
/// response follows the patient's profile; rise ramps 10-20 s, returns to baseline over 30-120 s.
std::vector<SeizureEvent> draw_seizures(Rng& rng, int duration_s, double rate_per_h,
                                        const IctalProfile& profile);

/// The .tse_bi text for a recording: "version = tse_v1.0.0", a blank line, then contiguous
/// "start stop label 1.0000" lines (seiz / bckg) covering [0, duration_s].
std::string tse_bi_text(const std::vector<SeizureEvent>& seizures, double duration_s);

struct SynthOptions {
  std::filesystem::path out_dir;
  int patients = 6;
  /// Number of the first patient (ids 00000001... or sub-01...); only the names depend on it, not
  /// the data: a held-out cohort numbered after the training one keeps the patient ids distinct.
  int first_id = 1;
  int recordings = 2;               ///< per patient
  double minutes = 10.0;            ///< per recording; rounded to whole seconds
  std::string fs = "mixed";         ///< "mixed" (per recording 250 or 256) or a comma list of rates, e.g. "256" or "250,256,512" (one drawn per recording)
  std::uint64_t seed = 1;
  double seizure_rate_per_h = 2.0;
  double noise = 1.0;
  int eeg_channels = 24;            ///< 0..32
  double edf_plus_fraction = 0.2;
  double inverted_fraction = 0.15;
  double no_hr_change_fraction = 0.25;  ///< share of patients who are non-responders (rounded to whole patients)
  bool daily_life = true;           ///< day/night rhythm, sleep, posture, bouts, arousals, ectopy runs
  double start_hour = -1.0;         ///< clock time of every recording's start (0-24); < 0: drawn per recording
  double age_min = 18.0;            ///< patients' ages are uniform in [age_min, age_max] years
  double age_max = 70.0;
  std::string format = "edf";       ///< "edf" (EDF + .rpeaks.csv) or "beats" (<rec>_beats.csv only)
  std::string layout = "tuh";       ///< "tuh" (PATIENT/PATIENT_sNNN_tNNN) or "bids" (bids_layout.hpp; EDF only)
  double artefacts_per_h = 0.0;     ///< mean electrode-motion episodes per hour, away from seizures (edf only; 0 = none)
  double ictal_artefacts = 0.0;     ///< share of seizures with a movement artefact episode in them (edf only; 0 = none)
  double exertion_bursts = 0.3;     ///< brisk exertion bursts per awake hour at activity 1 (with daily life; 0 = none)
  double effort_irregularity = 1.0; ///< scale of the surges and dips within activity rises (with daily life; 0 = smooth)
  double effort_hrv_bpm = 120.0;    ///< variability falls as exp(-rise / this) with daily-life effort (was 40)
  double ictal_vagal_withdrawal = 1.0; ///< scale (0-1) of the ictal loss of beat-to-beat variability (0 = none)
  double weak_withdrawal_fraction = 0.2; ///< share of patients whose seizures withdraw little variability
};

/// Throws ecgforest::ConfigError with a sentence starting "ecgforest-synth: " naming the
/// offending option and value.
void validate(const SynthOptions& options);

/// Rates of a --fs list such as "250,256,512" (each 128-1000 Hz); empty when the text is not such a list.
std::vector<int> fs_choices(const std::string& text);

struct RecordingSummary {
  std::string path;      ///< relative to out_dir, e.g. "00000001/00000001_s001_t000.edf" (or _beats.csv)
  std::string patient;   ///< 8 digits
  int fs_hz = 0;
  int duration_s = 0;
  bool edf_plus = false;
  bool inverted = false;
  int ecg_channel = 0;   ///< 0-based signal index of the ECG in the EDF
  int n_channels = 0;
  std::vector<std::string> channel_labels;  ///< EDF signal labels in file order (EDF format only)
  double base_hr_bpm = 0.0;
  int mains_hz = 0;
  std::size_t n_beats = 0;
  std::size_t n_ectopic = 0;   ///< premature beats of either kind
  std::size_t n_pvc = 0;
  std::size_t n_pac = 0;
  double start_hour = 0.0;
  double age_years = 0.0;
  bool responder_patient = true;
  bool weak_withdrawal_patient = false;  ///< its seizures withdraw little variability (U(0, 0.2))
  DailyLife life;              ///< as drawn (disabled without --daily-life)
  std::vector<SeizureEvent> seizures;
  std::vector<ArtefactEpisode> artefacts;  ///< artefact episodes added to the ECG (away from or inside seizures), by start
};

struct CohortSummary {
  std::vector<RecordingSummary> recordings;
  std::size_t n_seizures = 0;
  double total_duration_s = 0.0;
};

/// Writes the cohort below options.out_dir (created if needed; existing files of the same
/// names are replaced). `log`, when given, receives one line per recording.
/// Throws ConfigError for bad options and ecgforest::Error for I/O failures.
CohortSummary generate_cohort(const SynthOptions& options, std::ostream* log = nullptr);

}  // namespace ecgforest::synth

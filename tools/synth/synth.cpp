#include "synth.hpp"

#include "bids_layout.hpp"

#include <algorithm>
#include <charconv>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numbers>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/io/edf_writer.hpp"
#include "artefacts.hpp"

namespace ecgforest::synth {
namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

double round4(double x) { return std::round(x * 1e4) / 1e4; }

/// 0 -> 1 raised-cosine step as x goes 0 -> 1 (clamped outside).
double smooth_step(double x) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  return 0.5 - 0.5 * std::cos(std::numbers::pi * x);
}

/// v with `decimals` digits after the point ("%.*f").
std::string fixed(double v, int decimals) {
  std::array<char, 64> buf{};
  std::snprintf(buf.data(), buf.size(), "%.*f", decimals, v);
  return buf.data();
}

/// v in shortest general form with 6 significant digits ("%.6g").
std::string general(double v) {
  std::array<char, 64> buf{};
  std::snprintf(buf.data(), buf.size(), "%.6g", v);
  return buf.data();
}

// One Gaussian wave of a beat: centre offset from the R time (s), amplitude (fraction of the
// R amplitude), width (SD, s).
struct Wave {
  double offset_s, amplitude, width_s;
};

/// Adds amplitude * exp(-(t-c)^2 / (2 w^2)) for samples within 4 SD of c.
void add_gaussian(std::vector<double>& x, double fs, double centre_s, double amplitude, double width_s) {
  const auto n = static_cast<std::int64_t>(x.size());
  const double half = 4.0 * width_s;
  const auto i0 = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::ceil((centre_s - half) * fs)));
  const auto i1 = std::min<std::int64_t>(n - 1, static_cast<std::int64_t>(std::floor((centre_s + half) * fs)));
  const double inv = 1.0 / (2.0 * width_s * width_s);
  for (std::int64_t i = i0; i <= i1; ++i) {
    const double d = static_cast<double>(i) / fs - centre_s;
    x[static_cast<std::size_t>(i)] += amplitude * std::exp(-d * d * inv);
  }
}

// TUH-style referential EEG labels, in the order TUH files list them.
const std::array<const char*, 34> kEegLabels = {
    "EEG FP1-REF", "EEG FP2-REF", "EEG F3-REF",  "EEG F4-REF",  "EEG C3-REF",  "EEG C4-REF",
    "EEG P3-REF",  "EEG P4-REF",  "EEG O1-REF",  "EEG O2-REF",  "EEG F7-REF",  "EEG F8-REF",
    "EEG T3-REF",  "EEG T4-REF",  "EEG T5-REF",  "EEG T6-REF",  "EEG A1-REF",  "EEG A2-REF",
    "EEG FZ-REF",  "EEG CZ-REF",  "EEG PZ-REF",  "EEG ROC-REF", "EEG LOC-REF", "EEG T1-REF",
    "EEG T2-REF",  "EEG 26-REF",  "EEG 27-REF",  "EEG 28-REF",  "EEG 29-REF",  "EEG 30-REF",
    "EEG 31-REF",  "EEG 32-REF",  "EEG 33-REF",  "EEG 34-REF"};
constexpr const char* kEcgLabel = "EEG EKG1-REF";

std::string json_escape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      std::array<char, 8> b{};
      std::snprintf(b.data(), b.size(), "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += b.data();
    } else {
      out += c;
    }
  }
  return out;
}

void write_text_file(const std::filesystem::path& file, const std::string& text) {
  std::filesystem::path tmp = file;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("Cannot create '" + tmp.string() + "'; check that the directory is writable.");
    out << text;
    out.flush();
    if (!out) throw Error("Cannot write '" + tmp.string() + "' (is the disk full?).");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) throw Error("Cannot rename '" + tmp.string() + "' to '" + file.string() + "': " + ec.message() + ".");
}

std::string patient_id(int p) {
  std::array<char, 16> b{};
  std::snprintf(b.data(), b.size(), "%08d", p);
  return b.data();
}

}  // namespace

// ------------------------------------------------------------------------------------ Rng
double Rng::normal() {
  if (has_cached_) {
    has_cached_ = false;
    return cached_;
  }
  double u1 = uniform();
  while (u1 <= 0.0) u1 = uniform();
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  cached_ = r * std::sin(kTwoPi * u2);
  has_cached_ = true;
  return r * std::cos(kTwoPi * u2);
}

int Rng::poisson(double lambda) {
  if (!(lambda > 0.0)) return 0;
  if (lambda > 50.0) {  // normal approximation, plenty for seizure counts
    const double v = std::round(lambda + std::sqrt(lambda) * normal());
    return v < 0.0 ? 0 : static_cast<int>(v);
  }
  const double limit = std::exp(-lambda);
  int k = 0;
  double p = uniform();
  while (p > limit) {
    ++k;
    p *= uniform();
  }
  return k;
}

std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t a, std::uint64_t b) {
  return splitmix64(splitmix64(splitmix64(seed) ^ a) ^ (b * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL));
}

// ------------------------------------------------------------------------------------ ECG model
namespace {

/// Share (0-1) of a seizure's heart-rate rise present at t: a smooth step centred a little before
/// onset (tachycardia often precedes the EEG onset), held to the end, then a smooth return.
double ictal_fraction(const SeizureEvent& sz, double t_s) {
  const double up0 = sz.start_s - 0.4 * sz.ramp_up_s;
  double f = smooth_step((t_s - up0) / sz.ramp_up_s);
  if (t_s > sz.stop_s) f = std::min(f, 1.0 - smooth_step((t_s - sz.stop_s) / sz.ramp_down_s));
  return f;
}

}  // namespace

double seizure_hr_increase(const EcgModel& model, double t_s) {
  double best = 0.0;
  for (const auto& sz : model.seizures)
    if (sz.hr_change) best = std::max(best, ictal_fraction(sz, t_s) * sz.hr_rise_bpm);
  return best;
}

double seizure_hrv_factor(const EcgModel& model, double t_s) {
  double factor = 1.0;
  for (const auto& sz : model.seizures)
    if (sz.hr_change && sz.vagal_drop > 0.0) factor = std::min(factor, 1.0 - sz.vagal_drop * ictal_fraction(sz, t_s));
  return factor;
}

void draw_vagal_withdrawal(Rng& rng, double scale, bool weak, std::vector<SeizureEvent>& seizures) {
  if (!(scale > 0.0)) return;
  for (auto& sz : seizures) {
    const double u = weak ? rng.uniform(0.0, 0.2) : rng.uniform(0.3, 0.9);
    sz.vagal_drop = sz.hr_change ? scale * u * std::min(1.0, sz.hr_rise_bpm / 20.0) : 0.0;
  }
}

namespace {

/// Premature event in progress: beats still to come, their symbol, and the sinus beat and RR it
/// started from (which fix the pause after it).
struct EctopicRun {
  int left = 0;
  char symbol = 'N';
  double origin_t = 0.0, origin_rr = 1.0;
};

/// Starts a premature event after the sinus beat (t, rr) with the model's probabilities (one
/// uniform draw per sinus beat; more only when an event starts).
EctopicRun maybe_start_run(const EcgModel& m, Rng& rng, double t, double rr) {
  EctopicRun run;
  const double u = rng.uniform();
  if (u >= m.ectopic_probability + m.pac_probability) return run;
  run.symbol = u < m.ectopic_probability ? 'V' : 'A';
  run.left = (m.run_probability > 0.0 && rng.bernoulli(m.run_probability)) ? 2 + static_cast<int>(rng.uniform() * 4.0) : 1;
  run.origin_t = t;
  run.origin_rr = rr;
  return run;
}

/// Interval after the last premature beat at `t`: a ventricular event leaves the sinus node alone
/// (the next sinus beat due at least half an RR after t: a compensatory pause), an atrial one
/// resets it (1.1 RR).
double pause_after(const EctopicRun& run, double t) {
  if (run.symbol == 'A') return 1.1 * run.origin_rr;
  const double k = std::ceil((t + 0.5 * run.origin_rr - run.origin_t) / run.origin_rr);
  return run.origin_t + k * run.origin_rr - t;
}

}  // namespace

BeatTrain generate_beats(const EcgModel& m, Rng& rng) {
  BeatTrain train;
  auto& beats = train.beats;
  beats.reserve(static_cast<std::size_t>(m.duration_s * 4 + 16));
  const double ph_resp = rng.uniform(0.0, kTwoPi), ph_lf = rng.uniform(0.0, kTwoPi);
  train.resp_phase = ph_resp;
  double ou = m.hr_walk_sd_bpm * rng.normal();
  double t = -1.0 + rng.uniform(0.0, 60.0 / m.base_hr_bpm);  // start before 0: no edge effect
  EctopicRun run;
  const double t_end = m.duration_s + 1.0;
  while (t < t_end) {
    const double hr =
        std::clamp(m.base_hr_bpm + ou + life_hr_offset(m.life, t) + seizure_hr_increase(m, t), 35.0, 200.0);
    const double v = life_hrv_scale(m.life, t) * seizure_hrv_factor(m, t);
    const double rr_base = 60.0 / hr;
    double rr = rr_base * (1.0 + v * (m.rsa_fraction * std::sin(kTwoPi * m.resp_hz * t + ph_resp) +
                                      m.lf_fraction * std::sin(kTwoPi * m.lf_hz * t + ph_lf))) +
                v * m.rr_jitter_s * rng.normal();
    rr = std::max(rr, 0.25);
    beats.push_back({t, rr, run.left > 0 ? run.symbol : 'N'});
    double step = rr;
    if (run.left > 0) {  // this beat was premature
      step = --run.left > 0 ? rng.uniform(0.55, 0.7) * run.origin_rr : pause_after(run, t);
    } else if ((run = maybe_start_run(m, rng, t, rr)).left > 0) {
      step = rng.uniform(0.55, 0.7) * rr;
    }
    // Ornstein-Uhlenbeck update of the slow heart-rate wander over this interval.
    const double a = step / m.hr_walk_tau_s;
    ou += -ou * a + m.hr_walk_sd_bpm * std::sqrt(2.0 * a) * rng.normal();
    t += step;
  }
  return train;
}

std::vector<Beat> beat_list(const std::vector<Beat>& beats, double duration_s) {
  std::vector<Beat> out;
  out.reserve(beats.size());
  for (const auto& b : beats)
    if (b.t >= 0.0 && b.t < duration_s) out.push_back({round4(b.t), b.rr_normal, b.symbol});
  return out;
}

std::string beats_csv_text(const std::vector<Beat>& listed) {
  std::string csv = "time_s,symbol\n";
  csv.reserve(csv.size() + listed.size() * 14);
  std::array<char, 48> line{};
  for (const auto& b : listed) {
    std::snprintf(line.data(), line.size(), "%.4f,%c\n", b.t, b.symbol);
    csv += line.data();
  }
  return csv;
}

EcgSignal generate_ecg(const EcgModel& m, Rng& rng) { return render_ecg(m, generate_beats(m, rng), rng); }

EcgSignal render_ecg(const EcgModel& m, const BeatTrain& train, Rng& rng) {
  const auto& beats = train.beats;
  const double fs = m.fs_hz;
  const auto n = static_cast<std::size_t>(m.fs_hz) * static_cast<std::size_t>(m.duration_s);
  EcgSignal out;
  out.clean.assign(n, 0.0);
  const double ph_resp = train.resp_phase;  // breathing also modulates the amplitude and the baseline

  // ---- morphology (ECGSYN-like Gaussians; timings scale with sqrt(RR) like the QT interval)
  for (const auto& b : beats) {
    const double s = std::clamp(std::sqrt(b.rr_normal), 0.6, 1.2);
    const double amp = m.r_amplitude_uv * (1.0 + 0.05 * std::sin(kTwoPi * m.resp_hz * b.t + ph_resp));
    if (b.symbol != 'V') {  // sinus or atrial premature beat (ectopic P wave: flatter, inverted)
      const double p_amp = b.symbol == 'A' ? -0.06 : 0.12;
      const std::array<Wave, 5> w = {{{-0.16 - 0.04 * s, p_amp, 0.022},
                                      {-0.028, -0.10, 0.008},
                                      {0.0, 1.0, 0.010},
                                      {0.028, -0.22, 0.009},
                                      {0.30 * s, 0.28, 0.055 * s}}};
      for (const auto& wv : w) add_gaussian(out.clean, fs, b.t + wv.offset_s, amp * wv.amplitude, wv.width_s);
    } else {  // premature ventricular beat: no P wave, wide QRS, discordant T
      const std::array<Wave, 4> w = {{{-0.035, -0.08, 0.012},
                                      {0.0, 1.3, 0.020},
                                      {0.05, -0.40, 0.018},
                                      {0.33 * s, -0.35, 0.07 * s}}};
      for (const auto& wv : w) add_gaussian(out.clean, fs, b.t + wv.offset_s, amp * wv.amplitude, wv.width_s);
    }
  }

  // ---- R peaks: the largest sample of each QRS (searched within +-25 ms of the R wave)
  const auto half = static_cast<std::int64_t>(std::lround(0.025 * fs));
  const auto nn = static_cast<std::int64_t>(n);
  for (const auto& b : beats) {
    const auto c = static_cast<std::int64_t>(std::lround(b.t * fs));
    if (c - half < 1 || c + half > nn - 2) continue;
    std::int64_t best = c;
    for (std::int64_t i = c - half; i <= c + half; ++i)
      if (out.clean[static_cast<std::size_t>(i)] > out.clean[static_cast<std::size_t>(best)]) best = i;
    out.r_peaks.push_back(best);
    out.ectopic.push_back(b.symbol == 'V');
    out.symbol.push_back(b.symbol);
  }

  if (m.inverted)
    for (double& v : out.clean) v = -v;

  // ---- noise: baseline wander (two slow sines + breathing), mains hum, coloured muscle noise
  out.ecg = out.clean;
  const double k = m.noise;
  if (k > 0.0) {
    const double bw_f1 = rng.uniform(0.1, 0.5), bw_f2 = rng.uniform(0.1, 0.5);
    const double bw_a1 = k * rng.uniform(30.0, 150.0), bw_a2 = k * rng.uniform(10.0, 60.0);
    const double bw_ar = k * rng.uniform(10.0, 50.0);
    const double bw_p1 = rng.uniform(0.0, kTwoPi), bw_p2 = rng.uniform(0.0, kTwoPi);
    const double mains_a = k * rng.uniform(2.0, 20.0), mains_p = rng.uniform(0.0, kTwoPi);
    const double emg_sd = k * rng.uniform(5.0, 20.0);
    const double white_sd = k * 3.0;
    const double emg_a = 0.6;  // AR(1) colouring of muscle noise
    const double emg_drive = emg_sd * std::sqrt(1.0 - emg_a * emg_a);
    double emg = 0.0;
    std::size_t next_sz = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double ti = static_cast<double>(i) / fs;
      // Muscle/motion noise is three times stronger during seizures.
      while (next_sz < m.seizures.size() && ti >= m.seizures[next_sz].stop_s) ++next_sz;
      const bool ictal = next_sz < m.seizures.size() && ti >= m.seizures[next_sz].start_s;
      emg = emg_a * emg + emg_drive * (ictal ? 3.0 : 1.0) * rng.normal();
      out.ecg[i] += bw_a1 * std::sin(kTwoPi * bw_f1 * ti + bw_p1) + bw_a2 * std::sin(kTwoPi * bw_f2 * ti + bw_p2) +
                    bw_ar * std::sin(kTwoPi * m.resp_hz * ti + ph_resp) +
                    mains_a * std::sin(kTwoPi * m.mains_hz * ti + mains_p) + emg + white_sd * rng.normal();
    }
  }
  return out;
}

IctalProfile draw_ictal_profile(Rng& rng, bool responder) {
  IctalProfile p;
  p.responder = responder;
  p.typical_rise_bpm = rng.uniform(15.0, 50.0);
  return p;
}

namespace {

void draw_ictal_response(Rng& rng, const IctalProfile& profile, SeizureEvent& e) {
  if (profile.responder) {
    e.hr_change = !rng.bernoulli(0.1);
    e.hr_rise_bpm = e.hr_change ? std::clamp(profile.typical_rise_bpm * std::exp(0.25 * rng.normal()), 10.0, 60.0) : 0.0;
  } else {
    e.hr_change = rng.bernoulli(0.5);
    e.hr_rise_bpm = e.hr_change ? rng.uniform(2.0, 8.0) : 0.0;
  }
  e.ramp_up_s = rng.uniform(10.0, 20.0);
  e.ramp_down_s = rng.uniform(30.0, 120.0);
}

}  // namespace

std::vector<SeizureEvent> draw_seizures(Rng& rng, int duration_s, double rate_per_h, const IctalProfile& profile) {
  std::vector<SeizureEvent> out;
  const int count = rng.poisson(rate_per_h * duration_s / 3600.0);
  const double dur = duration_s;
  for (int c = 0; c < count; ++c) {
    for (int attempt = 0; attempt < 50; ++attempt) {
      const double len = rng.uniform(30.0, 180.0);
      if (dur - len <= 60.0) continue;
      const double start = round4(rng.uniform(60.0, dur - len));
      const double stop = round4(start + len);
      bool clash = false;
      for (const auto& o : out) clash = clash || (start < o.stop_s + 30.0 && stop > o.start_s - 30.0);
      if (clash) continue;
      SeizureEvent e;
      e.start_s = start;
      e.stop_s = stop;
      draw_ictal_response(rng, profile, e);
      out.push_back(e);
      break;
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.start_s < b.start_s; });
  return out;
}

std::string tse_bi_text(const std::vector<SeizureEvent>& seizures, double duration_s) {
  std::string s = "version = tse_v1.0.0\n\n";
  std::array<char, 96> line{};
  auto add = [&](double a, double b, const char* label) {
    std::snprintf(line.data(), line.size(), "%.4f %.4f %s 1.0000\n", a, b, label);
    s += line.data();
  };
  double t = 0.0;
  for (const auto& sz : seizures) {
    if (sz.start_s > t) add(t, sz.start_s, "bckg");
    add(sz.start_s, sz.stop_s, "seiz");
    t = sz.stop_s;
  }
  if (duration_s > t) add(t, duration_s, "bckg");
  return s;
}

// ------------------------------------------------------------------------------------ cohort
std::vector<int> fs_choices(const std::string& text) {
  std::vector<int> rates;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = std::min(text.find(',', pos), text.size());
    const std::string item = text.substr(pos, comma - pos);
    int v = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size() || v < 128 || v > 1000) return {};
    rates.push_back(v);
    pos = comma + 1;
  }
  return rates;
}

void validate(const SynthOptions& o) {
  auto bad = [](const std::string& msg) { throw ConfigError("ecgforest-synth: " + msg); };
  auto num = [](double v) { return general(v); };
  if (o.out_dir.empty()) bad("--out is required (the directory to write the cohort to).");
  if (o.patients < 1 || o.patients > 99999999)
    bad("--patients must be between 1 and 99999999 (got " + std::to_string(o.patients) + ").");
  if (o.first_id < 1 || static_cast<long long>(o.first_id) + o.patients - 1 > 99999999)
    bad("--first-id must be at least 1 and leave room for the patients' 8-digit ids (got " + std::to_string(o.first_id) +
        " with " + std::to_string(o.patients) + " patients).");
  if (o.recordings < 1 || o.recordings > 999)
    bad("--recordings must be between 1 and 999 (got " + std::to_string(o.recordings) + ").");
  if (o.format != "edf" && o.format != "beats")
    bad("--format must be edf (EDF recordings) or beats (<recording>_beats.csv beat lists) (got '" + o.format + "').");
  if (o.layout != "tuh" && o.layout != "bids")
    bad("--layout must be tuh (PATIENT/PATIENT_s001_tNNN files) or bids (a BIDS dataset) (got '" + o.layout + "').");
  if (o.layout == "bids" && o.format != "edf") bad("--layout bids needs --format edf (got '" + o.format + "').");
  const double max_minutes = o.format == "beats" ? 7.0 * 24.0 * 60.0 : 24.0 * 60.0;
  if (!(o.minutes * 60.0 >= 10.0 && o.minutes <= max_minutes))
    bad("--minutes must be between 1/6 (10 s) and " + num(max_minutes) + " with --format " + o.format + " (got " +
        num(o.minutes) + ")" + (o.format == "edf" ? "; use --format beats for longer recordings." : "."));
  if (!(o.start_hour == -1.0 || (o.start_hour >= 0.0 && o.start_hour < 24.0)))
    bad("--start-hour must be a clock time from 0 to 24 (e.g. 8.5 for 08:30), or -1 to draw one per recording (got " +
        num(o.start_hour) + ").");
  if (!(o.age_min >= 1.0 && o.age_min <= o.age_max && o.age_max <= 100.0))
    bad("--age-min and --age-max must satisfy 1 <= min <= max <= 100 years (got " + num(o.age_min) + " and " +
        num(o.age_max) + ").");
  if (o.fs != "mixed" && fs_choices(o.fs).empty())
    bad("--fs must be mixed (250/256 per recording) or a comma-separated list of rates from 128 to 1000 Hz, "
        "e.g. 256 or 250,256,512 (got '" + o.fs + "').");
  if (!(o.seizure_rate_per_h >= 0.0 && o.seizure_rate_per_h <= 60.0))
    bad("--seizure-rate must be between 0 and 60 seizures per hour (got " + num(o.seizure_rate_per_h) + ").");
  if (!(o.noise >= 0.0 && o.noise <= 20.0)) bad("--noise must be between 0 and 20 (got " + num(o.noise) + ").");
  if (o.eeg_channels < 0 || o.eeg_channels > static_cast<int>(kEegLabels.size()))
    bad("--eeg-channels must be between 0 and " + std::to_string(kEegLabels.size()) + " (got " +
        std::to_string(o.eeg_channels) + ").");
  auto fraction = [&](const char* name, double v) {
    if (!(v >= 0.0 && v <= 1.0)) bad(std::string(name) + " must be between 0 and 1 (got " + num(v) + ").");
  };
  fraction("--edf-plus-fraction", o.edf_plus_fraction);
  fraction("--inverted-fraction", o.inverted_fraction);
  fraction("--no-hr-change-fraction", o.no_hr_change_fraction);
  if (!(o.artefacts_per_h >= 0.0 && o.artefacts_per_h <= 20.0))
    bad("--artefacts-per-h must be between 0 and 20 episodes per hour (got " + num(o.artefacts_per_h) + ").");
  if (o.artefacts_per_h > 0.0 && o.format != "edf")
    bad("--artefacts-per-h adds electrode motion to the ECG signal; it needs --format edf (got '" + o.format + "').");
  if (!(o.ictal_artefacts >= 0.0 && o.ictal_artefacts <= 1.0))
    bad("--ictal-artefacts is a share of the seizures, between 0 and 1 (got " + num(o.ictal_artefacts) + ").");
  if (o.ictal_artefacts > 0.0 && o.format != "edf")
    bad("--ictal-artefacts adds movement artefact to the ECG signal; it needs --format edf (got '" + o.format + "').");
  if (!(o.exertion_bursts >= 0.0 && o.exertion_bursts <= 10.0))
    bad("--exertion-bursts must be between 0 and 10 bursts per awake hour (got " + num(o.exertion_bursts) + ").");
  if (!(o.effort_hrv_bpm >= 10.0 && o.effort_hrv_bpm <= 1000.0))
    bad("--effort-hrv-bpm must be between 10 and 1000 bpm (got " + num(o.effort_hrv_bpm) + ").");
  if (!(o.ictal_vagal_withdrawal >= 0.0 && o.ictal_vagal_withdrawal <= 1.0))
    bad("--ictal-vagal-withdrawal must be between 0 (none) and 1 (got " + num(o.ictal_vagal_withdrawal) + ").");
  fraction("--weak-withdrawal-fraction", o.weak_withdrawal_fraction);
  if (!(o.effort_irregularity >= 0.0 && o.effort_irregularity <= 3.0))
    bad("--effort-irregularity must be between 0 (smooth rises) and 3 (got " + num(o.effort_irregularity) + ").");
}

namespace {

/// Exertion bursts are part of daily life: without it they are off, whatever the rate.
bool bursts_on(const SynthOptions& o) { return o.daily_life && o.exertion_bursts > 0.0; }
bool irregularity_on(const SynthOptions& o) { return o.daily_life && o.effort_irregularity > 0.0; }

std::string life_json(const RecordingSummary& r, bool bursts) {
  if (!r.life.enabled) return "null";
  std::array<std::size_t, 5> n{};
  for (const auto& e : r.life.events)
    if (e.start_s < r.duration_s && e.end_s() > 0.0) ++n[static_cast<std::size_t>(e.kind)];
  double sleep_s = 0.0;
  for (const auto& s : r.life.sleep)
    sleep_s += std::max(0.0, std::min<double>(s.end_s, r.duration_s) - std::max(0.0, s.start_s));
  std::ostringstream j;
  j << "{\"sleep_h\": " << fixed(sleep_s / 3600.0, 2) << ", \"n_posture\": " << n[0] << ", \"n_walk\": " << n[1]
    << ", \"n_exercise\": " << n[2] << ", \"n_arousal\": " << n[3];
  if (bursts) j << ", \"n_burst\": " << n[4];  // not with --exertion-bursts 0: that manifest is as before bursts
  j << "}";
  return j.str();
}

std::string recording_json(const RecordingSummary& r, const SynthOptions& o) {
  std::ostringstream j;
  j << "    {\"path\": \"" << json_escape(r.path) << "\", \"patient\": \"" << r.patient << "\", \"format\": \""
    << o.format << "\", \"fs\": " << r.fs_hz << ", \"duration_s\": " << r.duration_s
    << ", \"edf_plus\": " << (r.edf_plus ? "true" : "false") << ", \"inverted\": " << (r.inverted ? "true" : "false")
    << ", \"ecg_label\": \"" << (r.channel_labels.empty() ? kEcgLabel : r.channel_labels[static_cast<std::size_t>(r.ecg_channel)])
    << "\", \"ecg_channel\": " << r.ecg_channel
    << ", \"n_channels\": " << r.n_channels << ", \"base_hr_bpm\": " << fixed(r.base_hr_bpm, 2)
    << ", \"mains_hz\": " << r.mains_hz << ", \"n_beats\": " << r.n_beats << ", \"n_ectopic\": " << r.n_ectopic
    << ", \"n_pvc\": " << r.n_pvc << ", \"n_pac\": " << r.n_pac << ",\n     \"start_hour\": " << fixed(r.start_hour, 4)
    << ", \"age\": " << fixed(r.age_years, 1) << ", \"responder_patient\": " << (r.responder_patient ? "true" : "false")
    << ", \"daily_life\": " << life_json(r, bursts_on(o))
    << (o.ictal_vagal_withdrawal > 0.0
            ? std::string(", \"weak_withdrawal_patient\": ") + (r.weak_withdrawal_patient ? "true" : "false")
            : std::string())
    << ",\n     \"seizures\": [";
  for (std::size_t i = 0; i < r.seizures.size(); ++i) {
    const auto& s = r.seizures[i];
    j << (i ? ", " : "") << "{\"start_s\": " << fixed(s.start_s, 4) << ", \"stop_s\": " << fixed(s.stop_s, 4)
      << ", \"hr_change\": " << (s.hr_change ? "true" : "false") << ", \"hr_rise_bpm\": " << fixed(s.hr_rise_bpm, 2)
      << ", \"responder\": " << (s.responder() ? "true" : "false");
    if (o.ictal_vagal_withdrawal > 0.0) j << ", \"vagal_drop\": " << fixed(s.vagal_drop, 3);  // 0: as before
    j << "}";
  }
  j << "]";
  if (!r.artefacts.empty()) {  // only with --artefacts-per-h or --ictal-artefacts: the default manifest is unchanged
    j << ",\n     \"artefacts\": [";
    for (std::size_t i = 0; i < r.artefacts.size(); ++i)
      j << (i ? ", " : "") << "{\"start_s\": " << fixed(r.artefacts[i].start_s, 1) << ", \"stop_s\": "
        << fixed(r.artefacts[i].stop_s, 1) << (r.artefacts[i].ictal ? ", \"ictal\": true}" : "}");
    j << "]";
  }
  j << "}";
  return j.str();
}

std::string cohort_json(const SynthOptions& o, const CohortSummary& c) {
  std::ostringstream j;
  j << "{\n  \"generator\": \"ecgforest-synth\",\n  \"version\": \"" << kGeneratorVersion << "\",\n  \"seed\": "
    << o.seed << ",\n  \"options\": {\"patients\": " << o.patients << ", \"recordings\": " << o.recordings
    << ", \"minutes\": " << general(o.minutes) << ", \"fs\": \"" << o.fs << "\", \"seizure_rate_per_h\": "
    << general(o.seizure_rate_per_h) << ", \"noise\": " << general(o.noise)
    << ", \"eeg_channels\": " << o.eeg_channels << ", \"edf_plus_fraction\": " << general(o.edf_plus_fraction)
    << ", \"inverted_fraction\": " << general(o.inverted_fraction)
    << ", \"no_hr_change_fraction\": " << general(o.no_hr_change_fraction) << ", \"daily_life\": "
    << (o.daily_life ? "true" : "false") << ", \"start_hour\": " << general(o.start_hour)
    << ", \"age_min\": " << general(o.age_min) << ", \"age_max\": " << general(o.age_max) << ", \"format\": \""
    << o.format << "\""
    << (o.first_id != 1 ? ", \"first_id\": " + std::to_string(o.first_id) : std::string())
    << (o.artefacts_per_h > 0.0 ? ", \"artefacts_per_h\": " + general(o.artefacts_per_h) : std::string())
    << (o.ictal_artefacts > 0.0 ? ", \"ictal_artefacts\": " + general(o.ictal_artefacts) : std::string())
    << (bursts_on(o) ? ", \"exertion_bursts\": " + general(o.exertion_bursts) : std::string())
    << (irregularity_on(o) ? ", \"effort_irregularity\": " + general(o.effort_irregularity) : std::string())
    << (o.daily_life && o.effort_hrv_bpm != 40.0 ? ", \"effort_hrv_bpm\": " + general(o.effort_hrv_bpm) : std::string())
    << (o.ictal_vagal_withdrawal > 0.0 ? ", \"ictal_vagal_withdrawal\": " + general(o.ictal_vagal_withdrawal)
                                        : std::string())
    << "},\n  \"responder_threshold_bpm\": " << general(kResponderRiseBpm) << ",\n  \"n_recordings\": "
    << c.recordings.size() << ",\n  \"n_seizures\": " << c.n_seizures << ",\n  \"total_duration_s\": "
    << fixed(c.total_duration_s, 0) << ",\n  \"recordings\": [\n";
  for (std::size_t i = 0; i < c.recordings.size(); ++i)
    j << recording_json(c.recordings[i], o) << (i + 1 < c.recordings.size() ? ",\n" : "\n");
  j << "  ]\n}\n";
  return j.str();
}

/// What is drawn once per patient.
struct Patient {
  std::string id;
  double resting_hr_bpm = 70.0;
  double r_amplitude_uv = 1000.0;
  int mains_hz = 60;
  LifeTraits traits;
  IctalProfile ictal;
};

/// Which patients are non-responders: round(fraction * patients) of them, chosen by a seeded
/// shuffle, so that small cohorts get the intended share.
std::vector<bool> responder_patients(const SynthOptions& o) {
  std::vector<int> order(static_cast<std::size_t>(o.patients));
  for (int i = 0; i < o.patients; ++i) order[static_cast<std::size_t>(i)] = i;
  Rng rng(derive_seed(o.seed, 0, 0xFFFFFFFDULL));
  for (std::size_t i = order.size(); i > 1; --i)
    std::swap(order[i - 1], order[std::min(i - 1, static_cast<std::size_t>(rng.uniform() * static_cast<double>(i)))]);
  const auto non = static_cast<std::size_t>(std::lround(o.no_hr_change_fraction * o.patients));
  std::vector<bool> responder(order.size(), true);
  for (std::size_t i = 0; i < non && i < order.size(); ++i) responder[static_cast<std::size_t>(order[i])] = false;
  return responder;
}

int draw_fs(const SynthOptions& o, Rng& rng) {
  if (o.fs == "mixed") return rng.bernoulli(0.5) ? 250 : 256;
  const std::vector<int> rates = fs_choices(o.fs);
  if (rates.size() == 1) return rates[0];
  return rates[std::min(rates.size() - 1, static_cast<std::size_t>(rng.uniform() * static_cast<double>(rates.size())))];
}

/// Applies the patient's daily-life traits to the recording's model: the day's events, the
/// age-dependent variability and the ectopy rates per beat.
void apply_daily_life(const Patient& pt, double start_hour, Rng& life_rng, const SynthOptions& o, Rng& burst_rng,
                      Rng& effort_rng, EcgModel& m) {
  m.life = draw_daily_life(pt.traits, start_hour, m.duration_s, life_rng);
  m.life.effort_hrv_bpm = o.effort_hrv_bpm;
  add_exertion_bursts(pt.traits, o.exertion_bursts, m.duration_s, burst_rng, m.life);
  add_effort_irregularity(o.effort_irregularity, m.duration_s, effort_rng, m.life);
  const double v = pt.traits.hrv_scale;
  m.rsa_fraction *= v;
  m.lf_fraction *= v;
  m.rr_jitter_s *= std::sqrt(v);  // part of the jitter is measurement, not vagal
  m.hr_walk_sd_bpm = 4.0;          // awake people drift more than a resting one
  m.hr_walk_tau_s = 300.0;
  const double beats_per_h = 60.0 * m.base_hr_bpm;
  m.ectopic_probability = pt.traits.pvc_per_h / beats_per_h;
  m.pac_probability = pt.traits.pac_per_h / beats_per_h;
  m.run_probability = pt.traits.run_fraction;
}

/// Writes the EDF (ECG + AR(1) EEG noise) and the true R peaks; fills the summary's EDF fields.
void write_edf_recording(const SynthOptions& o, const EcgModel& m, const BeatTrain& train, Rng& rng,
                         const std::filesystem::path& stem, const std::string& pid, double start_hour,
                         RecordingSummary& rs, Rng& artefact_rng) {
  const bool edf_plus = rng.bernoulli(o.edf_plus_fraction);
  const int ecg_pos = static_cast<int>(rng.uniform() * (o.eeg_channels + 1));
  EcgSignal ecg = render_ecg(m, train, rng);
  // Own stream: apart from the episodes, the recording is the same as without artefacts.
  if (!rs.artefacts.empty()) add_artefacts(ecg.ecg, m.fs_hz, m.r_amplitude_uv, rs.artefacts, artefact_rng);
  const auto n = static_cast<std::size_t>(m.fs_hz) * static_cast<std::size_t>(m.duration_s);
  io::EdfWriteSpec spec;
  spec.edf_plus = edf_plus;
  spec.patient = pid;
  const auto clock_s = static_cast<int>(std::lround(start_hour * 3600.0)) % 86400;
  spec.start = {static_cast<int>(rng.uniform(2002.0, 2016.0)), 1 + static_cast<int>(rng.uniform() * 12.0),
                1 + static_cast<int>(rng.uniform() * 28.0), clock_s / 3600, clock_s / 60 % 60, clock_s % 60, 0.0};
  const int n_sig = o.eeg_channels + 1;
  std::vector<std::vector<double>> data(static_cast<std::size_t>(n_sig));
  int eeg = 0;
  for (int s = 0; s < n_sig; ++s) {
    auto& x = data[static_cast<std::size_t>(s)];
    if (s == ecg_pos) {
      spec.signals.push_back({o.layout == "bids" ? kBidsEcgLabel : kEcgLabel, m.fs_hz, "uV", -5000.0, 5000.0, -32768, 32767});
      x = ecg.ecg;
      continue;
    }
    spec.signals.push_back({kEegLabels[static_cast<std::size_t>(eeg++)], m.fs_hz, "uV", -3000.0, 3000.0,
                            -32768, 32767});
    x.resize(n);  // EEG: cheap AR(1) noise of 20-50 uV SD driven by uniform numbers
    const double sd = rng.uniform(20.0, 50.0), a = 0.95;
    const double c = sd * std::sqrt(12.0 * (1.0 - a * a));
    double v = sd * rng.normal();
    for (std::size_t i = 0; i < n; ++i) {
      v = a * v + c * (rng.uniform() - 0.5);
      x[i] = v;
    }
  }
  std::filesystem::path edf = stem;
  edf += ".edf";
  io::write_edf(edf, spec, data);
  std::string csv = "sample,time_s\n";
  csv.reserve(csv.size() + ecg.r_peaks.size() * 24);
  std::array<char, 64> line{};
  for (const auto r : ecg.r_peaks) {
    std::snprintf(line.data(), line.size(), "%lld,%.6f\n", static_cast<long long>(r), static_cast<double>(r) / m.fs_hz);
    csv += line.data();
  }
  std::filesystem::path rp = stem;
  rp += ".rpeaks.csv";
  write_text_file(rp, csv);
  rs.path = pid + "/" + stem.filename().string() + ".edf";
  rs.fs_hz = m.fs_hz;
  rs.edf_plus = edf_plus;
  rs.inverted = m.inverted;
  rs.ecg_channel = ecg_pos;
  rs.n_channels = n_sig;
  for (const auto& sig : spec.signals) rs.channel_labels.push_back(sig.label);
  rs.n_beats = ecg.r_peaks.size();
  rs.n_pvc = static_cast<std::size_t>(std::count(ecg.symbol.begin(), ecg.symbol.end(), 'V'));
  rs.n_pac = static_cast<std::size_t>(std::count(ecg.symbol.begin(), ecg.symbol.end(), 'A'));
}

/// Writes <stem>_beats.csv (beat_list of the train); fills the summary's beat fields.
void write_beats_recording(const EcgModel& m, const BeatTrain& train, const std::filesystem::path& stem,
                           const std::string& pid, RecordingSummary& rs) {
  const std::vector<Beat> listed = beat_list(train.beats, m.duration_s);
  const std::string name = stem.filename().string() + "_beats.csv";
  write_text_file(stem.parent_path() / name, beats_csv_text(listed));
  rs.path = pid + "/" + name;
  rs.ecg_channel = -1;
  rs.n_beats = listed.size();
  rs.n_pvc = static_cast<std::size_t>(std::count_if(listed.begin(), listed.end(), [](const Beat& b) { return b.symbol == 'V'; }));
  rs.n_pac = static_cast<std::size_t>(std::count_if(listed.begin(), listed.end(), [](const Beat& b) { return b.symbol == 'A'; }));
}

Patient draw_patient(const SynthOptions& o, int p, bool responder, Rng& prng) {
  Patient pt;
  pt.id = patient_id(o.first_id + p - 1);
  pt.resting_hr_bpm = prng.uniform(57.0, 87.0);
  pt.r_amplitude_uv = prng.uniform(500.0, 1500.0);
  pt.mains_hz = prng.bernoulli(0.7) ? 60 : 50;
  pt.ictal = draw_ictal_profile(prng, responder);
  // Traits from their own stream: switching --daily-life leaves everything else as it was.
  Rng trng(derive_seed(o.seed, static_cast<std::uint64_t>(p), 0xFFFFFFFEULL));
  pt.traits = draw_life_traits(trng, o.age_min, o.age_max, pt.resting_hr_bpm);
  return pt;
}

void log_recording(std::ostream& log, const RecordingSummary& rs) {
  const auto n_hr = std::count_if(rs.seizures.begin(), rs.seizures.end(), [](const auto& s) { return s.responder(); });
  log << rs.path << "  ";
  if (rs.fs_hz > 0)
    log << rs.fs_hz << " Hz  " << rs.n_channels << " ch (ECG #" << rs.ecg_channel << ")  " << (rs.edf_plus ? "EDF+ " : "EDF  ");
  log << rs.duration_s << " s from " << fixed(rs.start_hour, 2) << " h  HR " << fixed(rs.base_hr_bpm, 0) << " bpm  beats "
      << rs.n_beats << " (" << rs.n_pvc << " V, " << rs.n_pac << " A)  seizures " << rs.seizures.size() << " (" << n_hr
      << " responders)" << (rs.inverted ? "  inverted" : "") << "\n";
}

}  // namespace

namespace {

// The random streams of patient p's recording k, each derived from (seed, p, stream id): one per
// part of the recording, so that an option adding draws to one part leaves the others as they were.
struct RecordingStreams {
  Rng main, life, artefacts, burst, effort, vagal;
};

RecordingStreams recording_streams(std::uint64_t seed, int p, int k) {
  const auto pp = static_cast<std::uint64_t>(p);
  const auto kk = static_cast<std::uint64_t>(k);
  return {Rng(derive_seed(seed, pp, kk)),           Rng(derive_seed(seed, pp, (1ULL << 32) + kk)),
          Rng(derive_seed(seed, pp, (2ULL << 32) + kk)), Rng(derive_seed(seed, pp, (3ULL << 32) + kk)),
          Rng(derive_seed(seed, pp, (4ULL << 32) + kk)), Rng(derive_seed(seed, pp, (5ULL << 32) + kk))};
}

void make_directory(const std::filesystem::path& dir, const std::string& what, const std::string& what_to_do) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir))
    throw Error("ecgforest-synth: cannot create the " + what + " '" + dir.string() + "'" +
                (ec ? " (" + ec.message() + ")" : "") + "; " + what_to_do);
}

// What one recording is: heart rhythm, seizures and (with --daily-life) daily life, before any beat.
EcgModel draw_recording_model(const SynthOptions& o, const Patient& pt, double hr, double start_hour,
                              bool weak_withdrawal, RecordingStreams& s) {
  EcgModel m;
  m.fs_hz = draw_fs(o, s.main);
  m.duration_s = static_cast<int>(std::lround(o.minutes * 60.0));
  m.base_hr_bpm = hr;
  m.resp_hz = s.main.uniform(0.2, 0.3);
  m.rsa_fraction = s.main.uniform(0.02, 0.06);
  m.lf_hz = s.main.uniform(0.08, 0.12);
  m.lf_fraction = s.main.uniform(0.01, 0.04);
  m.r_amplitude_uv = std::clamp(pt.r_amplitude_uv * s.main.uniform(0.9, 1.1), 500.0, 1500.0);
  m.inverted = s.main.bernoulli(o.inverted_fraction);
  m.noise = o.noise;
  m.mains_hz = pt.mains_hz;
  m.seizures = draw_seizures(s.main, m.duration_s, o.seizure_rate_per_h, pt.ictal);
  draw_vagal_withdrawal(s.vagal, o.ictal_vagal_withdrawal, weak_withdrawal, m.seizures);
  if (o.daily_life) apply_daily_life(pt, start_hour, s.life, o, s.burst, s.effort, m);
  return m;
}

// Patient p's recording k (k counts from 0) with its baseline heart rate hr: drawn, rendered and
// written (EDF or beats, the annotations, BIDS sidecars); returns what cohort.json lists of it.
RecordingSummary generate_recording(const SynthOptions& o, const Patient& pt, int p, int k, double hr,
                                    bool weak_withdrawal) {
  namespace fs = std::filesystem;
  RecordingStreams s = recording_streams(o.seed, p, k);
  const double start_hour =
      o.start_hour >= 0.0 ? o.start_hour : std::round(s.life.uniform(0.0, 24.0) * 3600.0) / 3600.0;
  EcgModel m = draw_recording_model(o, pt, hr, start_hour, weak_withdrawal, s);
  const BeatTrain train = generate_beats(m, s.main);

  std::array<char, 32> base{};
  std::snprintf(base.data(), base.size(), "_s001_t%03d", k);
  const bool bids = o.layout == "bids";
  const int id = o.first_id + p - 1;
  const fs::path stem = bids ? bids_recording_stem(o.out_dir, id, p, k) : o.out_dir / pt.id / (pt.id + base.data());
  RecordingSummary rs;
  rs.patient = bids ? bids_subject(id) : pt.id;
  rs.duration_s = m.duration_s;
  rs.base_hr_bpm = m.base_hr_bpm;
  rs.mains_hz = m.mains_hz;
  rs.start_hour = start_hour;
  rs.age_years = pt.traits.age_years;
  rs.responder_patient = pt.ictal.responder;
  rs.weak_withdrawal_patient = weak_withdrawal;
  if (o.artefacts_per_h > 0.0) rs.artefacts = draw_artefacts(s.artefacts, m.duration_s, o.artefacts_per_h, m.seizures);
  const auto ictal = draw_ictal_artefacts(s.artefacts, m.duration_s, o.ictal_artefacts, m.seizures);
  rs.artefacts.insert(rs.artefacts.end(), ictal.begin(), ictal.end());
  sort_by_start(rs.artefacts);
  if (o.format == "beats")
    write_beats_recording(m, train, stem, pt.id, rs);
  else
    write_edf_recording(o, m, train, s.main, stem, pt.id, start_hour, rs, s.artefacts);
  fs::path tse = stem;
  tse += ".tse_bi";
  if (!bids) write_text_file(tse, tse_bi_text(m.seizures, m.duration_s));
  rs.n_ectopic = rs.n_pvc + rs.n_pac;
  rs.life = std::move(m.life);
  rs.seizures = m.seizures;
  if (bids) {
    rs.path = fs::relative(stem, o.out_dir).string() + ".edf";
    write_bids_sidecars(stem, rs);
  }
  return rs;
}

}  // namespace

CohortSummary generate_cohort(const SynthOptions& o, std::ostream* log) {
  validate(o);
  make_directory(o.out_dir, "output directory", "choose a writable --out.");
  const std::vector<bool> responders = responder_patients(o);
  CohortSummary cohort;
  for (int p = 1; p <= o.patients; ++p) {
    Rng prng(derive_seed(o.seed, static_cast<std::uint64_t>(p), 0xFFFFFFFFULL));
    const Patient pt = draw_patient(o, p, responders[static_cast<std::size_t>(p - 1)], prng);
    // Whether this patient's seizures withdraw little variability: its own stream (6 << 32).
    const bool weak_withdrawal = Rng(derive_seed(o.seed, static_cast<std::uint64_t>(p), 6ULL << 32))
                                     .bernoulli(o.ictal_vagal_withdrawal > 0.0 ? o.weak_withdrawal_fraction : 0.0);
    if (o.layout != "bids") make_directory(o.out_dir / pt.id, "patient directory", "check the --out directory.");
    double hr = pt.resting_hr_bpm;
    for (int k = 0; k < o.recordings; ++k) {
      // Baseline heart rate performs a random walk across the patient's recordings.
      if (k > 0) hr = std::clamp(hr + 3.0 * prng.normal(), 52.0, 92.0);
      RecordingSummary rs = generate_recording(o, pt, p, k, hr, weak_withdrawal);
      cohort.n_seizures += rs.seizures.size();
      cohort.total_duration_s += rs.duration_s;
      if (log) log_recording(*log, rs);
      cohort.recordings.push_back(std::move(rs));
    }
  }
  if (o.layout == "bids") write_bids_root(o.out_dir, cohort);
  write_text_file(o.out_dir / "cohort.json", cohort_json(o, cohort));
  return cohort;
}

}  // namespace ecgforest::synth

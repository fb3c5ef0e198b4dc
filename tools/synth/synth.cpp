#include "synth.hpp"

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
double seizure_hr_increase(const EcgModel& model, double t_s) {
  double best = 0.0;
  for (const auto& sz : model.seizures) {
    if (!sz.hr_change) continue;
    // Rise centred a little before onset (tachycardia often precedes the EEG onset).
    const double up0 = sz.start_s - 0.4 * sz.ramp_up_s;
    double f = smooth_step((t_s - up0) / sz.ramp_up_s);
    if (t_s > sz.stop_s) f = std::min(f, 1.0 - smooth_step((t_s - sz.stop_s) / sz.ramp_down_s));
    best = std::max(best, f * sz.hr_rise_bpm);
  }
  return best;
}

EcgSignal generate_ecg(const EcgModel& m, Rng& rng) {
  const double fs = m.fs_hz;
  const auto n = static_cast<std::size_t>(m.fs_hz) * static_cast<std::size_t>(m.duration_s);
  EcgSignal out;
  out.clean.assign(n, 0.0);

  // ---- beat times (seconds) from the RR process
  struct Beat {
    double t, rr_normal;
    bool ectopic;
  };
  std::vector<Beat> beats;
  beats.reserve(static_cast<std::size_t>(m.duration_s * 4 + 16));
  const double ph_resp = rng.uniform(0.0, kTwoPi), ph_lf = rng.uniform(0.0, kTwoPi);
  double ou = m.hr_walk_sd_bpm * rng.normal();
  double t = -1.0 + rng.uniform(0.0, 60.0 / m.base_hr_bpm);  // start before 0: no edge effect
  bool next_ectopic = false;
  double compensatory_rr = -1.0;
  const double t_end = m.duration_s + 1.0;
  while (t < t_end) {
    const double hr = std::clamp(m.base_hr_bpm + ou + seizure_hr_increase(m, t), 35.0, 200.0);
    const double rr_base = 60.0 / hr;
    double rr = rr_base * (1.0 + m.rsa_fraction * std::sin(kTwoPi * m.resp_hz * t + ph_resp) +
                           m.lf_fraction * std::sin(kTwoPi * m.lf_hz * t + ph_lf)) +
                m.rr_jitter_s * rng.normal();
    rr = std::max(rr, 0.25);
    beats.push_back({t, rr, next_ectopic});
    double step = rr;
    if (compensatory_rr > 0.0) {  // beat after a premature one: pause completes 2 normal RRs
      step = compensatory_rr;
      compensatory_rr = -1.0;
      next_ectopic = false;
    } else if (!next_ectopic && rng.bernoulli(m.ectopic_probability)) {
      const double coupling = rng.uniform(0.55, 0.7) * rr;
      step = coupling;
      compensatory_rr = 2.0 * rr - coupling;
      next_ectopic = true;
    } else {
      next_ectopic = false;
    }
    // Ornstein-Uhlenbeck update of the slow heart-rate wander over this interval.
    const double a = step / m.hr_walk_tau_s;
    ou += -ou * a + m.hr_walk_sd_bpm * std::sqrt(2.0 * a) * rng.normal();
    t += step;
  }

  // ---- morphology (ECGSYN-like Gaussians; timings scale with sqrt(RR) like the QT interval)
  for (const auto& b : beats) {
    const double s = std::clamp(std::sqrt(b.rr_normal), 0.6, 1.2);
    const double amp = m.r_amplitude_uv * (1.0 + 0.05 * std::sin(kTwoPi * m.resp_hz * b.t + ph_resp));
    if (!b.ectopic) {
      const std::array<Wave, 5> w = {{{-0.16 - 0.04 * s, 0.12, 0.022},
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
    out.ectopic.push_back(b.ectopic);
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

std::vector<SeizureEvent> draw_seizures(Rng& rng, int duration_s, double rate_per_h,
                                        double no_hr_change_fraction) {
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
      e.hr_change = !rng.bernoulli(no_hr_change_fraction);
      e.hr_rise_bpm = e.hr_change ? rng.uniform(20.0, 50.0) : 0.0;
      e.ramp_up_s = rng.uniform(10.0, 20.0);
      e.ramp_down_s = rng.uniform(30.0, 60.0);
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
  if (o.recordings < 1 || o.recordings > 999)
    bad("--recordings must be between 1 and 999 (got " + std::to_string(o.recordings) + ").");
  if (!(o.minutes * 60.0 >= 10.0 && o.minutes <= 24.0 * 60.0))
    bad("--minutes must be between 1/6 (10 s) and 1440 (got " + num(o.minutes) + ").");
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
}

namespace {

std::string recording_json(const RecordingSummary& r) {
  std::ostringstream j;
  j << "    {\"path\": \"" << json_escape(r.path) << "\", \"patient\": \"" << r.patient << "\", \"fs\": " << r.fs_hz
    << ", \"duration_s\": " << r.duration_s << ", \"edf_plus\": " << (r.edf_plus ? "true" : "false")
    << ", \"inverted\": " << (r.inverted ? "true" : "false") << ", \"ecg_label\": \"" << kEcgLabel
    << "\", \"ecg_channel\": " << r.ecg_channel << ", \"n_channels\": " << r.n_channels
    << ", \"base_hr_bpm\": " << fixed(r.base_hr_bpm, 2) << ", \"mains_hz\": " << r.mains_hz
    << ", \"n_beats\": " << r.n_beats << ", \"n_ectopic\": " << r.n_ectopic << ",\n     \"seizures\": [";
  for (std::size_t i = 0; i < r.seizures.size(); ++i) {
    const auto& s = r.seizures[i];
    j << (i ? ", " : "") << "{\"start_s\": " << fixed(s.start_s, 4) << ", \"stop_s\": " << fixed(s.stop_s, 4)
      << ", \"hr_change\": " << (s.hr_change ? "true" : "false") << ", \"hr_rise_bpm\": " << fixed(s.hr_rise_bpm, 2)
      << "}";
  }
  j << "]}";
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
    << ", \"no_hr_change_fraction\": " << general(o.no_hr_change_fraction) << "},\n  \"n_recordings\": "
    << c.recordings.size() << ",\n  \"n_seizures\": " << c.n_seizures << ",\n  \"total_duration_s\": "
    << fixed(c.total_duration_s, 0) << ",\n  \"recordings\": [\n";
  for (std::size_t i = 0; i < c.recordings.size(); ++i)
    j << recording_json(c.recordings[i]) << (i + 1 < c.recordings.size() ? ",\n" : "\n");
  j << "  ]\n}\n";
  return j.str();
}

}  // namespace

CohortSummary generate_cohort(const SynthOptions& o, std::ostream* log) {
  validate(o);
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  if (ec || !fs::is_directory(o.out_dir))
    throw Error("ecgforest-synth: cannot create the output directory '" + o.out_dir.string() + "'" +
                (ec ? " (" + ec.message() + ")" : "") + "; choose a writable --out.");

  const int duration_s = static_cast<int>(std::lround(o.minutes * 60.0));
  CohortSummary cohort;
  std::vector<std::vector<double>> data;
  for (int p = 1; p <= o.patients; ++p) {
    const std::string pid = patient_id(p);
    Rng prng(derive_seed(o.seed, static_cast<std::uint64_t>(p), 0xFFFFFFFFULL));
    const double patient_hr = prng.uniform(60.0, 90.0);
    const double patient_amp = prng.uniform(500.0, 1500.0);
    const int mains = prng.bernoulli(0.7) ? 60 : 50;
    double hr = patient_hr;
    const fs::path pdir = o.out_dir / pid;
    fs::create_directories(pdir, ec);
    if (ec) throw Error("ecgforest-synth: cannot create '" + pdir.string() + "' (" + ec.message() + ").");

    for (int k = 0; k < o.recordings; ++k) {
      Rng rng(derive_seed(o.seed, static_cast<std::uint64_t>(p), static_cast<std::uint64_t>(k)));
      // Baseline heart rate performs a random walk across the patient's recordings.
      if (k > 0) hr = std::clamp(hr + 3.0 * prng.normal(), 55.0, 95.0);

      EcgModel m;
      if (o.fs == "mixed") {
        m.fs_hz = rng.bernoulli(0.5) ? 250 : 256;
      } else {
        const std::vector<int> rates = fs_choices(o.fs);
        m.fs_hz = rates.size() == 1 ? rates[0]
                                    : rates[std::min(rates.size() - 1, static_cast<std::size_t>(rng.uniform() * static_cast<double>(rates.size())))];
      }
      m.duration_s = duration_s;
      m.base_hr_bpm = hr;
      m.resp_hz = rng.uniform(0.2, 0.3);
      m.rsa_fraction = rng.uniform(0.02, 0.06);
      m.lf_hz = rng.uniform(0.08, 0.12);
      m.lf_fraction = rng.uniform(0.01, 0.04);
      m.r_amplitude_uv = std::clamp(patient_amp * rng.uniform(0.9, 1.1), 500.0, 1500.0);
      m.inverted = rng.bernoulli(o.inverted_fraction);
      m.noise = o.noise;
      m.mains_hz = mains;
      m.seizures = draw_seizures(rng, duration_s, o.seizure_rate_per_h, o.no_hr_change_fraction);
      const bool edf_plus = rng.bernoulli(o.edf_plus_fraction);
      const int ecg_pos = static_cast<int>(rng.uniform() * (o.eeg_channels + 1));
      const EcgSignal ecg = generate_ecg(m, rng);

      // EEG: cheap AR(1) noise of 20-50 uV SD driven by uniform numbers.
      const auto n = static_cast<std::size_t>(m.fs_hz) * static_cast<std::size_t>(duration_s);
      io::EdfWriteSpec spec;
      spec.edf_plus = edf_plus;
      spec.patient = pid;
      spec.start = {static_cast<int>(rng.uniform(2002.0, 2016.0)), 1 + static_cast<int>(rng.uniform() * 12.0),
                    1 + static_cast<int>(rng.uniform() * 28.0), static_cast<int>(rng.uniform() * 24.0),
                    static_cast<int>(rng.uniform() * 60.0), static_cast<int>(rng.uniform() * 60.0), 0.0};
      const int n_sig = o.eeg_channels + 1;
      data.resize(static_cast<std::size_t>(n_sig));
      int eeg = 0;
      for (int s = 0; s < n_sig; ++s) {
        auto& x = data[static_cast<std::size_t>(s)];
        if (s == ecg_pos) {
          spec.signals.push_back({kEcgLabel, m.fs_hz, "uV", -5000.0, 5000.0, -32768, 32767});
          x = ecg.ecg;
          continue;
        }
        spec.signals.push_back({kEegLabels[static_cast<std::size_t>(eeg++)], m.fs_hz, "uV", -3000.0, 3000.0,
                                -32768, 32767});
        x.resize(n);
        const double sd = rng.uniform(20.0, 50.0), a = 0.95;
        const double c = sd * std::sqrt(12.0 * (1.0 - a * a));
        double v = sd * rng.normal();
        for (std::size_t i = 0; i < n; ++i) {
          v = a * v + c * (rng.uniform() - 0.5);
          x[i] = v;
        }
      }

      std::array<char, 32> base{};
      std::snprintf(base.data(), base.size(), "_s001_t%03d", k);
      const std::string stem = pid + base.data();
      io::write_edf(pdir / (stem + ".edf"), spec, data);
      write_text_file(pdir / (stem + ".tse_bi"), tse_bi_text(m.seizures, duration_s));
      std::string csv = "sample,time_s\n";
      csv.reserve(csv.size() + ecg.r_peaks.size() * 24);
      std::array<char, 64> line{};
      for (const auto r : ecg.r_peaks) {
        std::snprintf(line.data(), line.size(), "%lld,%.6f\n", static_cast<long long>(r),
                      static_cast<double>(r) / m.fs_hz);
        csv += line.data();
      }
      write_text_file(pdir / (stem + ".rpeaks.csv"), csv);

      RecordingSummary rs;
      rs.path = pid + "/" + stem + ".edf";
      rs.patient = pid;
      rs.fs_hz = m.fs_hz;
      rs.duration_s = duration_s;
      rs.edf_plus = edf_plus;
      rs.inverted = m.inverted;
      rs.ecg_channel = ecg_pos;
      rs.n_channels = n_sig;
      rs.base_hr_bpm = m.base_hr_bpm;
      rs.mains_hz = m.mains_hz;
      rs.n_beats = ecg.r_peaks.size();
      rs.n_ectopic = static_cast<std::size_t>(std::count(ecg.ectopic.begin(), ecg.ectopic.end(), true));
      rs.seizures = m.seizures;
      cohort.n_seizures += rs.seizures.size();
      cohort.total_duration_s += duration_s;
      if (log) {
        const auto n_hr = std::count_if(rs.seizures.begin(), rs.seizures.end(), [](const auto& s) { return s.hr_change; });
        *log << rs.path << "  " << rs.fs_hz << " Hz  " << duration_s << " s  " << n_sig << " ch (ECG #" << ecg_pos
             << ")  " << (edf_plus ? "EDF+" : "EDF ") << "  HR " << fixed(m.base_hr_bpm, 0) << " bpm  beats "
             << rs.n_beats << "  seizures " << rs.seizures.size() << " (" << n_hr << " with HR change)"
             << (m.inverted ? "  inverted" : "") << "\n";
      }
      cohort.recordings.push_back(std::move(rs));
    }
  }
  write_text_file(o.out_dir / "cohort.json", cohort_json(o, cohort));
  return cohort;
}

}  // namespace ecgforest::synth

// Tests of the synthetic cohort generator (tools/synth). They need ecgforest_unit_tests to link
// ecgforest_synth (which also puts tools/synth on the include path); without that link the file
// compiles to a single skipped test that says so.
#include <gtest/gtest.h>

#if __has_include("synth.hpp")
#include <edflib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

#include "ecgforest/core/error.hpp"
#include "artefacts.hpp"
#include "synth.hpp"

namespace ecgforest::synth {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

EcgModel quiet_model(int fs_hz, int duration_s) {
  EcgModel m;
  m.fs_hz = fs_hz;
  m.duration_s = duration_s;
  m.base_hr_bpm = 70.0;
  m.noise = 1.0;
  return m;
}

/// Mean RR (s) of the beats whose R peak lies in [t0, t1) seconds.
double mean_rr(const EcgSignal& e, int fs_hz, double t0, double t1) {
  double sum = 0.0;
  int n = 0;
  for (std::size_t i = 1; i < e.r_peaks.size(); ++i) {
    const double t = static_cast<double>(e.r_peaks[i]) / fs_hz;
    if (t >= t0 && t < t1) {
      sum += static_cast<double>(e.r_peaks[i] - e.r_peaks[i - 1]) / fs_hz;
      ++n;
    }
  }
  return n ? sum / n : std::nan("");
}

TEST(SynthModel, RngIsDeterministicAndRoughlyStandardNormal) {
  Rng a(42), b(42), c(43);
  double sum = 0.0, sum2 = 0.0;
  bool differs = false;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double x = a.normal();
    ASSERT_EQ(x, b.normal());
    differs = differs || x != c.normal();
    sum += x;
    sum2 += x * x;
  }
  EXPECT_TRUE(differs);
  EXPECT_NEAR(sum / n, 0.0, 0.01);         // SE of the mean = 1/sqrt(n) = 0.0022
  EXPECT_NEAR(sum2 / n, 1.0, 0.02);        // SE of the variance = sqrt(2/n) = 0.0032
  Rng p(7);
  double ps = 0.0;
  for (int i = 0; i < 20000; ++i) ps += p.poisson(3.0);
  EXPECT_NEAR(ps / 20000, 3.0, 0.05);      // SE = sqrt(3/20000) = 0.012
}

TEST(SynthModel, EcgIsDeterministicBySeed) {
  const EcgModel m = quiet_model(256, 60);
  Rng r1(5), r2(5), r3(6);
  const EcgSignal a = generate_ecg(m, r1), b = generate_ecg(m, r2), c = generate_ecg(m, r3);
  EXPECT_EQ(a.ecg, b.ecg);
  EXPECT_EQ(a.r_peaks, b.r_peaks);
  EXPECT_NE(a.ecg, c.ecg);
  ASSERT_EQ(a.ecg.size(), 256u * 60u);
}

TEST(SynthModel, RPeaksAreLocalMaximaOfTheCleanEcg) {
  for (const int fs_hz : {250, 256}) {
    for (const bool inverted : {false, true}) {
      EcgModel m = quiet_model(fs_hz, 120);
      m.inverted = inverted;
      m.ectopic_probability = 0.05;  // make sure premature beats are covered too
      Rng rng(11);
      const EcgSignal e = generate_ecg(m, rng);
      // 70 bpm for 120 s: about 140 beats (HRV and ectopy change this by a few percent).
      ASSERT_GT(e.r_peaks.size(), 120u);
      ASSERT_LT(e.r_peaks.size(), 160u);
      EXPECT_GT(std::count(e.ectopic.begin(), e.ectopic.end(), true), 0);
      const double sign = inverted ? -1.0 : 1.0;
      for (std::size_t k = 0; k < e.r_peaks.size(); ++k) {
        const auto i = static_cast<std::size_t>(e.r_peaks[k]);
        const double v = sign * e.clean[i];
        EXPECT_GE(v, sign * e.clean[i - 1]) << "fs " << fs_hz << " peak " << k;
        EXPECT_GE(v, sign * e.clean[i + 1]) << "fs " << fs_hz << " peak " << k;
        // The R wave dominates the beat: larger than anything within +-150 ms.
        const auto w = static_cast<std::size_t>(0.15 * fs_hz);
        for (std::size_t j = i - std::min(i, w); j <= std::min(e.clean.size() - 1, i + w); ++j)
          ASSERT_GE(v, sign * e.clean[j]) << "peak " << k << " sample " << j;
        if (k > 0) {
          EXPECT_GT(e.r_peaks[k], e.r_peaks[k - 1] + static_cast<std::int64_t>(0.2 * fs_hz));
        }
      }
    }
  }
}

TEST(SynthModel, SeizureHeartRateFollowsTheRamp) {
  EcgModel m = quiet_model(256, 600);
  SeizureEvent sz;
  sz.start_s = 200.0;
  sz.stop_s = 320.0;
  sz.hr_change = true;
  sz.hr_rise_bpm = 40.0;
  sz.ramp_up_s = 15.0;
  sz.ramp_down_s = 40.0;
  m.seizures = {sz};
  EXPECT_EQ(seizure_hr_increase(m, 100.0), 0.0);
  EXPECT_EQ(seizure_hr_increase(m, 250.0), 40.0);
  EXPECT_EQ(seizure_hr_increase(m, 361.0), 0.0);
  EXPECT_GT(seizure_hr_increase(m, 200.0), 0.0);
  EXPECT_LT(seizure_hr_increase(m, 200.0), 40.0);
  EXPECT_GT(seizure_hr_increase(m, 340.0), 0.0);
  EXPECT_LT(seizure_hr_increase(m, 340.0), 40.0);

  Rng rng(3);
  const EcgSignal e = generate_ecg(m, rng);
  const double before = mean_rr(e, 256, 100.0, 190.0), inside = mean_rr(e, 256, 220.0, 320.0);
  EXPECT_LT(inside, before);
  // Plateau at about 70 + 40 = 110 bpm (the slow wander has SD 3 bpm): RR 0.545 s.
  EXPECT_NEAR(60.0 / inside, 110.0, 12.0);
  EXPECT_NEAR(60.0 / before, 70.0, 12.0);

  m.seizures[0].hr_change = false;
  m.seizures[0].hr_rise_bpm = 0.0;
  Rng rng2(3);
  const EcgSignal f = generate_ecg(m, rng2);
  EXPECT_NEAR(60.0 / mean_rr(f, 256, 220.0, 320.0), 70.0, 12.0);
}

TEST(SynthModel, IctalVagalWithdrawalFollowsTheRiseAndLowersTheVariability) {
  EcgModel m = quiet_model(256, 600);
  m.hr_walk_sd_bpm = 0.0;
  m.rr_jitter_s = 0.0;
  m.lf_fraction = 0.0;
  m.ectopic_probability = 0.0;
  m.pac_probability = 0.0;
  m.rsa_fraction = 0.05;  // the only variability: RR = RR0 (1 + v 0.05 sin(2 pi f t))
  SeizureEvent sz;
  sz.start_s = 200.0;
  sz.stop_s = 400.0;
  sz.hr_rise_bpm = 30.0;
  sz.ramp_up_s = 15.0;
  sz.ramp_down_s = 40.0;
  sz.vagal_drop = 0.6;
  SeizureEvent quiet = sz;  // no heart-rate change: no withdrawal whatever its vagal_drop
  quiet.start_s = 500.0;
  quiet.stop_s = 560.0;
  quiet.hr_change = false;
  m.seizures = {sz, quiet};
  EXPECT_EQ(seizure_hrv_factor(m, 100.0), 1.0);
  EXPECT_DOUBLE_EQ(seizure_hrv_factor(m, 300.0), 0.4);  // plateau: 1 - 0.6
  // Rise centred 0.4 ramp before onset: at t = 200 - 6 + 7.5 the step is half way: 1 - 0.6 x 0.5.
  EXPECT_NEAR(seizure_hrv_factor(m, 201.5), 0.7, 1e-12);
  EXPECT_NEAR(seizure_hrv_factor(m, 420.0), 0.7, 1e-12);  // half way down (20 of 40 s)
  EXPECT_EQ(seizure_hrv_factor(m, 530.0), 1.0);
  // In the beats: the breathing modulation of RR/RR0 shrinks to 0.4 of its size on the plateau.
  Rng rng(4);
  const BeatTrain train = generate_beats(m, rng);
  const auto spread = [&](double t0, double t1) {  // max - min of RR / RR0 over the interval
    double lo = 1e9, hi = -1e9;
    for (const auto& b : train.beats)
      if (b.t >= t0 && b.t < t1) {
        const double r = b.rr_normal * (m.base_hr_bpm + seizure_hr_increase(m, b.t)) / 60.0;
        lo = std::min(lo, r);
        hi = std::max(hi, r);
      }
    return hi - lo;
  };
  EXPECT_NEAR(spread(50.0, 180.0), 0.10, 0.01);        // 2 x 0.05
  EXPECT_NEAR(spread(230.0, 390.0), 0.4 * 0.10, 0.005);  // 2 x 0.05 x 0.4
}

TEST(SynthModel, VagalWithdrawalIsDrawnPerSeizureFromItsOwnStream) {
  std::vector<SeizureEvent> sz(200);
  for (std::size_t i = 0; i < sz.size(); ++i) {
    sz[i].hr_change = i % 4 != 0;
    sz[i].hr_rise_bpm = i % 2 ? 40.0 : 10.0;
  }
  Rng rng(11);
  draw_vagal_withdrawal(rng, 1.0, false, sz);
  for (std::size_t i = 0; i < sz.size(); ++i) {
    if (!sz[i].hr_change) {
      EXPECT_EQ(sz[i].vagal_drop, 0.0);
      continue;
    }
    const double k = i % 2 ? 1.0 : 0.5;  // min(1, rise / 20 bpm)
    EXPECT_GE(sz[i].vagal_drop, 0.3 * k) << i;
    EXPECT_LT(sz[i].vagal_drop, 0.9 * k) << i;
  }
  // A weak patient: U(0, 0.2) x min(1, rise / 20 bpm).
  Rng weak_rng(13);
  draw_vagal_withdrawal(weak_rng, 1.0, true, sz);
  double most = 0.0;
  for (std::size_t i = 0; i < sz.size(); ++i) {
    const double k = sz[i].hr_change ? (i % 2 ? 1.0 : 0.5) : 0.0;
    EXPECT_GE(sz[i].vagal_drop, 0.0) << i;
    EXPECT_LT(sz[i].vagal_drop, 0.2 * k + 1e-300) << i;
    most = std::max(most, sz[i].vagal_drop);
  }
  EXPECT_GT(most, 0.15);  // the range is used, not only its bottom
  // Scale 0: nothing drawn, nothing changed.
  std::vector<SeizureEvent> none(3);
  Rng a(12), b(12);
  draw_vagal_withdrawal(a, 0.0, false, none);
  for (const auto& s : none) EXPECT_EQ(s.vagal_drop, 0.0);
  EXPECT_EQ(a.next(), b.next());
}

TEST(SynthModel, TseBiTextCoversTheRecording) {
  SeizureEvent a, b;
  a.start_s = 100.5;
  a.stop_s = 200.25;
  b.start_s = 300.0;
  b.stop_s = 600.0;
  EXPECT_EQ(tse_bi_text({a, b}, 600.0),
            "version = tse_v1.0.0\n\n"
            "0.0000 100.5000 bckg 1.0000\n"
            "100.5000 200.2500 seiz 1.0000\n"
            "200.2500 300.0000 bckg 1.0000\n"
            "300.0000 600.0000 seiz 1.0000\n");
  EXPECT_EQ(tse_bi_text({}, 42.0), "version = tse_v1.0.0\n\n0.0000 42.0000 bckg 1.0000\n");
}

TEST(SynthModel, DrawnSeizuresRespectTheConstraints) {
  std::size_t total = 0;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    Rng rng(seed);
    IctalProfile profile;
    profile.responder = true;
    profile.typical_rise_bpm = 15.0 + 35.0 * static_cast<double>(seed % 8) / 7.0;
    const auto s = draw_seizures(rng, 1800, 6.0, profile);
    total += s.size();
    for (std::size_t i = 0; i < s.size(); ++i) {
      EXPECT_GE(s[i].start_s, 60.0);
      EXPECT_LE(s[i].stop_s, 1800.0);
      EXPECT_GE(s[i].stop_s - s[i].start_s, 30.0 - 1e-3);
      EXPECT_LE(s[i].stop_s - s[i].start_s, 180.0 + 1e-3);
      EXPECT_EQ(s[i].start_s, std::round(s[i].start_s * 1e4) / 1e4);
      if (i > 0) {
        EXPECT_GE(s[i].start_s, s[i - 1].stop_s + 30.0 - 1e-3);
      }
      if (s[i].hr_change) {  // responders: 10-60 bpm
        EXPECT_GE(s[i].hr_rise_bpm, 10.0);
        EXPECT_LE(s[i].hr_rise_bpm, 60.0);
        EXPECT_TRUE(s[i].responder());
      } else {
        EXPECT_EQ(s[i].hr_rise_bpm, 0.0);
        EXPECT_FALSE(s[i].responder());
      }
    }
  }
  // Mean 3 per half hour; packing rejects a few in crowded draws.
  EXPECT_GT(total, 200u * 2u);
  EXPECT_LE(total, 200u * 4u);
}

TEST(SynthModel, IctalArtefactsSitInsideTheirSeizures) {
  Rng seizure_rng(5);
  IctalProfile profile;
  profile.responder = true;
  profile.typical_rise_bpm = 30.0;
  const auto seizures = draw_seizures(seizure_rng, 3600, 6.0, profile);
  ASSERT_GE(seizures.size(), 3u);
  // Share 0 draws nothing: the random stream (and so every other artefact) is left as it was.
  Rng a(17), b(17);
  EXPECT_TRUE(draw_ictal_artefacts(a, 3600, 0.0, seizures).empty());
  EXPECT_EQ(a.uniform(), b.uniform());
  // Share 1: one episode per seizure, from its first half to at most 30 s after its end.
  Rng rng(17);
  const auto ep = draw_ictal_artefacts(rng, 3600, 1.0, seizures);
  ASSERT_EQ(ep.size(), seizures.size());
  for (std::size_t i = 0; i < ep.size(); ++i) {
    const auto& s = seizures[i];
    EXPECT_TRUE(ep[i].ictal);
    EXPECT_GE(ep[i].start_s, s.start_s - 0.05);
    EXPECT_LE(ep[i].start_s, s.start_s + 0.5 * (s.stop_s - s.start_s) + 0.05);
    EXPECT_GE(ep[i].stop_s, std::min(s.stop_s, 3595.0) - 0.05);
    EXPECT_LE(ep[i].stop_s, s.stop_s + 30.05);
  }
  // Share 0.5: about half of the seizures, over 100 draws.
  std::size_t n = 0, total = 0;
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    Rng r(seed);
    n += draw_ictal_artefacts(r, 3600, 0.5, seizures).size();
    total += seizures.size();
  }
  EXPECT_NEAR(static_cast<double>(n) / static_cast<double>(total), 0.5, 0.08);
}

TEST(SynthModel, IctalArtefactsChangeTheEcgOnlyInsideTheirEpisodes) {
  const fs::path base = fs::temp_directory_path() / ("ecgforest_synth_ictal_" + std::to_string(::getpid()));
  fs::remove_all(base);
  SynthOptions o;
  o.patients = 1;
  o.recordings = 1;
  o.minutes = 20.0;
  o.fs = "256";
  o.seed = 23;
  o.eeg_channels = 0;
  o.seizure_rate_per_h = 9.0;
  o.out_dir = base / "clean";
  const CohortSummary clean = generate_cohort(o);
  o.ictal_artefacts = 1.0;
  o.out_dir = base / "ictal";
  const CohortSummary ictal = generate_cohort(o);
  const auto& rec = ictal.recordings.at(0);
  ASSERT_GE(rec.seizures.size(), 1u);
  ASSERT_EQ(rec.artefacts.size(), rec.seizures.size());
  EXPECT_TRUE(clean.recordings.at(0).artefacts.empty());
  auto read_ecg = [&](const fs::path& edf) {
    edf_hdr_struct hdr{};
    EXPECT_EQ(edfopen_file_readonly(edf.c_str(), &hdr, EDFLIB_DO_NOT_READ_ANNOTATIONS), 0) << edf;
    std::vector<double> x(static_cast<std::size_t>(hdr.signalparam[rec.ecg_channel].smp_in_file));
    EXPECT_EQ(edfread_physical_samples(hdr.handle, rec.ecg_channel, static_cast<int>(x.size()), x.data()),
              static_cast<int>(x.size()));
    edfclose_file(hdr.handle);
    return x;
  };
  const auto x0 = read_ecg(base / "clean" / rec.path), x1 = read_ecg(base / "ictal" / rec.path);
  ASSERT_EQ(x0.size(), x1.size());
  std::size_t changed_inside = 0, inside = 0, changed_outside = 0;
  for (std::size_t i = 0; i < x0.size(); ++i) {
    const double t = static_cast<double>(i) / 256.0;
    const bool in = std::any_of(rec.artefacts.begin(), rec.artefacts.end(),
                                [&](const ArtefactEpisode& e) { return t >= e.start_s && t < e.stop_s + 5.0; });
    (in ? changed_inside : changed_outside) += x0[i] != x1[i] ? 1 : 0;
    inside += in ? 1 : 0;
  }
  EXPECT_EQ(changed_outside, 0u);
  EXPECT_GT(static_cast<double>(changed_inside), 0.9 * static_cast<double>(inside));
  EXPECT_NE(slurp(base / "ictal" / "cohort.json").find("\"ictal\": true"), std::string::npos);
  EXPECT_EQ(slurp(base / "clean" / "cohort.json").find("\"ictal\""), std::string::npos);
  fs::remove_all(base);
}

TEST(SynthModel, ValidateNamesTheOption) {
  SynthOptions o;
  o.out_dir = "/tmp/x";
  EXPECT_NO_THROW(validate(o));
  o.fs = "100";
  try {
    validate(o);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "ecgforest-synth: --fs must be mixed (250/256 per recording) or a comma-separated list of "
                           "rates from 128 to 1000 Hz, e.g. 256 or 250,256,512 (got '100').");
  }
  for (const char* bad : {"", "256,", ",256", "256,,512", "25x", "1001", "250;256"}) {
    o.fs = bad;
    EXPECT_THROW(validate(o), ConfigError) << "'" << bad << "'";
  }
  EXPECT_EQ(fs_choices("250,256,512"), (std::vector<int>{250, 256, 512}));
  EXPECT_EQ(fs_choices("128"), (std::vector<int>{128}));
  o.fs = "250,256,512";
  EXPECT_NO_THROW(validate(o));
  o.fs = "256";
  o.inverted_fraction = 1.5;
  EXPECT_THROW(validate(o), ConfigError);
  o.inverted_fraction = 0.1;
  o.ictal_artefacts = 1.5;
  EXPECT_THROW(validate(o), ConfigError);
  o.ictal_artefacts = 0.5;
  o.format = "beats";
  EXPECT_THROW(validate(o), ConfigError);
  o.format = "edf";
  EXPECT_NO_THROW(validate(o));
  o.patients = 0;
  EXPECT_THROW(validate(o), ConfigError);
}

TEST(SynthModel, CohortFilesAreConsistentAndDeterministic) {
  const fs::path base = fs::temp_directory_path() / ("ecgforest_synth_cohort_" + std::to_string(::getpid()));
  fs::remove_all(base);
  SynthOptions o;
  o.patients = 2;
  o.recordings = 2;
  o.minutes = 3.0;
  o.fs = "mixed";
  o.seed = 9;
  o.eeg_channels = 4;
  o.seizure_rate_per_h = 30.0;
  o.edf_plus_fraction = 0.5;
  o.out_dir = base / "a";
  const CohortSummary c1 = generate_cohort(o);
  o.out_dir = base / "b";
  const CohortSummary c2 = generate_cohort(o);
  ASSERT_EQ(c1.recordings.size(), 4u);
  EXPECT_EQ(c1.total_duration_s, 4 * 180.0);
  for (std::size_t r = 0; r < c1.recordings.size(); ++r) {
    const auto& rec = c1.recordings[r];
    const fs::path edf = base / "a" / rec.path;
    const std::string stem = edf.string().substr(0, edf.string().size() - 4);
    EXPECT_EQ(rec.path, rec.patient + "/" + rec.patient + "_s001_t00" + std::to_string(r % 2) + ".edf");
    const std::string rel_stem = rec.path.substr(0, rec.path.size() - 4);
    for (const char* ext : {".edf", ".tse_bi", ".rpeaks.csv"})
      EXPECT_EQ(slurp(base / "a" / (rel_stem + ext)), slurp(base / "b" / (rel_stem + ext))) << rec.path << ext;
    EXPECT_EQ(slurp(stem + ".tse_bi"), tse_bi_text(rec.seizures, 180.0));

    edf_hdr_struct hdr{};
    const int h = edfopen_file_readonly(edf.c_str(), &hdr, EDFLIB_DO_NOT_READ_ANNOTATIONS);
    ASSERT_EQ(h, 0) << edf << " filetype/error " << hdr.filetype;
    EXPECT_EQ(hdr.filetype, rec.edf_plus ? EDFLIB_FILETYPE_EDFPLUS : EDFLIB_FILETYPE_EDF);
    EXPECT_EQ(hdr.edfsignals, 5);
    EXPECT_EQ(hdr.datarecords_in_file, 180);
    EXPECT_EQ(std::string(hdr.signalparam[rec.ecg_channel].label).substr(0, 12), "EEG EKG1-REF");
    EXPECT_TRUE(rec.fs_hz == 250 || rec.fs_hz == 256);
    for (int s = 0; s < 5; ++s) EXPECT_EQ(hdr.signalparam[s].smp_in_datarecord, rec.fs_hz);
    // The stored ECG peaks where the CSV says (sign by polarity) within 40 ms either side.
    std::vector<double> ecg(static_cast<std::size_t>(hdr.signalparam[rec.ecg_channel].smp_in_file));
    ASSERT_EQ(edfread_physical_samples(h, rec.ecg_channel, static_cast<int>(ecg.size()), ecg.data()),
              static_cast<int>(ecg.size()));
    edfclose_file(h);
    std::ifstream csv(stem + ".rpeaks.csv");
    std::string line;
    std::getline(csv, line);
    EXPECT_EQ(line, "sample,time_s");
    std::size_t n = 0;
    double amp_sum = 0.0;
    while (std::getline(csv, line)) {
      const auto comma = line.find(',');
      const long long smp = std::stoll(line.substr(0, comma));
      const double t = std::stod(line.substr(comma + 1));
      EXPECT_NEAR(t, static_cast<double>(smp) / rec.fs_hz, 1e-6);
      amp_sum += (rec.inverted ? -1.0 : 1.0) * ecg[static_cast<std::size_t>(smp)];
      ++n;
    }
    EXPECT_EQ(n, rec.n_beats);
    // R amplitude 500-1500 uV on top of noise of a few tens of uV.
    EXPECT_GT(amp_sum / static_cast<double>(n), 300.0) << rec.path;
  }
  EXPECT_EQ(slurp(base / "a" / "cohort.json"), slurp(base / "b" / "cohort.json"));
  EXPECT_NE(slurp(base / "a" / "cohort.json").find("\"seed\": 9"), std::string::npos);
  fs::remove_all(base);
}

TEST(SynthModel, FirstIdRenamesThePatientsOnly) {
  const fs::path base = fs::temp_directory_path() / ("ecgforest_synth_first_id_" + std::to_string(::getpid()));
  fs::remove_all(base);
  SynthOptions o;
  o.patients = 2;
  o.recordings = 2;
  o.minutes = 20.0;
  o.seed = 4;
  o.format = "beats";
  o.seizure_rate_per_h = 6.0;
  o.out_dir = base / "a";
  const CohortSummary c1 = generate_cohort(o);
  o.first_id = 9;
  o.out_dir = base / "b";
  const CohortSummary c2 = generate_cohort(o);
  ASSERT_EQ(c1.recordings.size(), 4u);
  ASSERT_EQ(c2.recordings.size(), 4u);
  for (std::size_t r = 0; r < c1.recordings.size(); ++r) {
    const auto& a = c1.recordings[r];
    const auto& b = c2.recordings[r];
    EXPECT_EQ(a.patient, r < 2 ? "00000001" : "00000002");
    EXPECT_EQ(b.patient, r < 2 ? "00000009" : "00000010");
    EXPECT_EQ(b.path.substr(0, 9), b.patient + "/");
    EXPECT_EQ(a.n_beats, b.n_beats);
    EXPECT_EQ(a.seizures.size(), b.seizures.size());
    // The same beats and seizures under other names.
    EXPECT_EQ(slurp(base / "a" / a.path), slurp(base / "b" / b.path)) << a.path << " vs " << b.path;
    const auto tse = [](const std::string& path) { return path.substr(0, path.size() - std::string("_beats.csv").size()) + ".tse_bi"; };
    EXPECT_EQ(slurp(base / "a" / tse(a.path)), slurp(base / "b" / tse(b.path)));
  }
  fs::remove_all(base);
}

TEST(SynthModel, RateListDrawsEveryRateAndWritesIt) {
  const fs::path base = fs::temp_directory_path() / ("ecgforest_synth_rates_" + std::to_string(::getpid()));
  fs::remove_all(base);
  SynthOptions o;
  o.patients = 4;
  o.recordings = 3;
  o.minutes = 0.5;
  o.fs = "250,256,512";
  o.seed = 4;
  o.eeg_channels = 2;
  o.out_dir = base;
  const CohortSummary c = generate_cohort(o);
  std::set<int> seen;
  for (const auto& rec : c.recordings) {
    seen.insert(rec.fs_hz);
    edf_hdr_struct hdr{};
    const fs::path edf = base / rec.path;
    const int h = edfopen_file_readonly(edf.c_str(), &hdr, EDFLIB_DO_NOT_READ_ANNOTATIONS);
    ASSERT_EQ(h, 0) << edf;
    EXPECT_EQ(hdr.signalparam[rec.ecg_channel].smp_in_datarecord, rec.fs_hz) << rec.path;
    edfclose_file(h);
  }
  EXPECT_EQ(seen, (std::set<int>{250, 256, 512})) << "12 recordings should draw each of 3 rates";
  fs::remove_all(base);
}

}  // namespace
}  // namespace ecgforest::synth

#else
TEST(SynthModel, NeedsSynthLibrary) {
  GTEST_SKIP() << "ecgforest_unit_tests does not link ecgforest_synth; add "
                  "target_link_libraries(ecgforest_unit_tests PRIVATE ecgforest_synth) to run the synth tests.";
}
#endif

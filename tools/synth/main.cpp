// ecgforest-synth: writes a synthetic TUH-like cohort (EDF + .tse_bi + true R peaks + cohort.json).
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <utility>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/text.hpp"
#include "synth.hpp"

int main(int argc, char** argv) {
  using ecgforest::synth::SynthOptions;
  SynthOptions o;
  std::string out;
  bool quiet = false;
  CLI::App app{"ecgforest-synth: generate a synthetic TUH-like cohort of EDF recordings with an ECG channel, "
               ".tse_bi seizure annotations, true R-peak lists (<recording>.rpeaks.csv) and cohort.json; "
               "or, with --format beats, beat lists (<recording>_beats.csv) instead of EDF."};
  app.add_option("--out", out, "Output directory (created if needed)")->required();
  app.add_option("--patients", o.patients, "Number of patients")->capture_default_str();
  app.add_option("--first-id", o.first_id,
                 "Number of the first patient's id (00000001 or sub-01 for 1); only the names depend on it: "
                 "number a held-out cohort after the training one (e.g. --first-id 9 after 8 patients) so that "
                 "predict does not take its patients for training patients")
      ->capture_default_str();
  app.add_option("--recordings", o.recordings, "Recordings per patient")->capture_default_str();
  app.add_option("--minutes", o.minutes, "Duration of each recording in minutes (rounded to whole seconds)")
      ->capture_default_str();
  app.add_option("--fs", o.fs, "Sampling rate in Hz: mixed (250 or 256 per recording) or a comma-separated list, one drawn per recording (e.g. 256 or 250,256,512)")->capture_default_str();
  app.add_option("--seed", o.seed, "Random seed; the same seed gives the same cohort")->capture_default_str();
  app.add_option("--seizure-rate", o.seizure_rate_per_h, "Mean seizures per hour of recording")
      ->capture_default_str();
  app.add_option("--noise", o.noise, "Scale of ECG noise (baseline wander, mains, muscle); 0 = clean")
      ->capture_default_str();
  app.add_option("--eeg-channels", o.eeg_channels, "Number of EEG channels besides the ECG (0-34)")
      ->capture_default_str();
  app.add_option("--edf-plus-fraction", o.edf_plus_fraction, "Share of recordings written as EDF+")
      ->capture_default_str();
  app.add_option("--inverted-fraction", o.inverted_fraction, "Share of recordings with inverted ECG polarity")
      ->capture_default_str();
  app.add_option("--no-hr-change-fraction", o.no_hr_change_fraction,
                 "Share of patients who are non-responders: their seizures bring no heart-rate change or a rise "
                 "below 10 bpm (rounded to whole patients)")
      ->capture_default_str();
  int daily_life = 1;
  app.add_option("--daily-life", daily_life,
                 "1: non-seizure heart-rate behaviour of daily life (day/night rhythm and sleep, posture changes, "
                 "walks and exercise, arousals, atrial/ventricular ectopy runs); 0: a resting heart rate with slow wander only")
      ->check(CLI::IsMember({0, 1}))
      ->capture_default_str();
  app.add_option("--start-hour", o.start_hour,
                 "Clock time at which every recording starts (0-24, e.g. 8.5 = 08:30; places the day/night rhythm); "
                 "-1: drawn per recording")
      ->capture_default_str();
  app.add_option("--age-min", o.age_min, "Youngest patient age in years (ages are uniform in [min, max])")
      ->capture_default_str();
  app.add_option("--age-max", o.age_max, "Oldest patient age in years")->capture_default_str();
  app.add_option("--format", o.format,
                 "edf: EDF recordings with true R peaks; beats: <recording>_beats.csv (time_s,symbol) instead, "
                 "no ECG rendered (fast; recordings up to 7 days)")
      ->capture_default_str();
  app.add_option("--layout", o.layout,
                 "tuh: PATIENT/PATIENT_s001_tNNN.edf with .tse_bi; bids: a BIDS dataset (sub-PP/ses-01/eeg or ecg/ "
                 "with _channels.tsv, SzCORE _events.tsv, participants.tsv, dataset_description.json)")
      ->capture_default_str();
  app.add_option("--artefacts-per-h", o.artefacts_per_h,
                 "Mean electrode-motion artefact episodes (20-120 s of baseline steps, 1-10 Hz bursts and pops) per "
                 "hour of ECG, placed at least 180 s from every seizure (listed in cohort.json; --format edf only)")
      ->capture_default_str();
  app.add_option("--ictal-artefacts", o.ictal_artefacts,
                 "Share (0-1) of the seizures whose ECG carries a movement artefact episode (as motor seizures do): "
                 "from a point in the seizure's first half to up to 30 s after its end (listed in cohort.json "
                 "with \"ictal\": true; --format edf only)")
      ->capture_default_str();
  app.add_option("--exertion-bursts", o.exertion_bursts,
                 "Brisk exertion bursts (stairs, hurrying: +25-45 bpm within 10-30 s, held 30-150 s) per awake hour "
                 "of an averagely active patient (scaled by the patient's activity; part of --daily-life 1; 0 = none). "
                 "0.5 gives rr_daily's rate of rises by 30 bpm or more (see README, Synthetic cohort generator)")
      ->capture_default_str();
  app.add_option("--effort-irregularity", o.effort_irregularity,
                 "Scale (0-3) of the surges and dips of 5-15 bpm over 5-60 s within posture, walking, exercise and "
                 "burst rises, as in real daily life (part of --daily-life 1; 0 = smooth rises, the recordings of "
                 "the generator before 5 December 2026)")
      ->capture_default_str();
  app.add_option("--effort-hrv-bpm", o.effort_hrv_bpm,
                 "The beat-to-beat variability (RSA, LF wave, jitter) falls as exp(-rise / B) during daily-life rises "
                 "(part of --daily-life 1; 10-1000). 120 keeps most of it, as in the rr_daily Holter rises; 40 = the "
                 "generator before 5 December 2026")
      ->capture_default_str();
  app.add_option("--ictal-vagal-withdrawal", o.ictal_vagal_withdrawal,
                 "Scale (0-1) of the ictal loss of beat-to-beat variability that comes with an ictal heart-rate rise "
                 "(per seizure U(0.3, 0.9) x min(1, rise / 20 bpm) of the RSA, LF wave and jitter withdrawn at the "
                 "peak; Jeppesen 2010/2014/2015: HF power falls and CSI rises above exercise maxima around onset). "
                 "0 = none, the seizures of the generator before 5 December 2026")
      ->capture_default_str();
  app.add_option("--weak-withdrawal-fraction", o.weak_withdrawal_fraction,
                 "Share (0-1) of the patients whose seizures withdraw little variability (U(0, 0.2) instead of "
                 "U(0.3, 0.9); Jeppesen 2014: CSI above the exercise maxima in 4 of 5 patients); with "
                 "--ictal-vagal-withdrawal > 0")
      ->capture_default_str();
  app.add_flag("--quiet", quiet, "Print only the total");
  CLI11_PARSE(app, argc, argv);
  o.out_dir = out;
  o.daily_life = daily_life != 0;
  // Options that shape daily life mean nothing without it (a rate or scale of 0 is "none" and passes).
  const std::pair<const char*, double> life_options[] = {
      {"--exertion-bursts", o.exertion_bursts}, {"--effort-irregularity", o.effort_irregularity}, {"--effort-hrv-bpm", 1.0}};
  for (const auto& [opt, v] : life_options) {
    if (!o.daily_life && app.count(opt) > 0 && v > 0.0) {
      std::cerr << "ecgforest-synth: " << opt
                << " adds to the daily-life heart rhythm, which --daily-life 0 turns off; drop one of the two options.\n";
      return 2;
    }
  }

  try {
    const auto t0 = std::chrono::steady_clock::now();
    const auto summary = ecgforest::synth::generate_cohort(o, quiet ? nullptr : &std::cout);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    using ecgforest::count_text;
    std::printf("ecgforest-synth: wrote %s of %s (%.2f h, %s) to %s in %.2f s.\n",
                count_text(summary.recordings.size(), "recording", "recordings").c_str(),
                count_text(static_cast<std::size_t>(o.patients), "patient", "patients").c_str(),
                summary.total_duration_s / 3600.0, count_text(summary.n_seizures, "seizure", "seizures").c_str(),
                out.c_str(), secs);
  } catch (const ecgforest::ConfigError& e) {  // a bad option: exit 2, as ecgforest's own settings
    std::cerr << e.what() << "\n";
    return 2;
  } catch (const ecgforest::Error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "ecgforest-synth: unexpected error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

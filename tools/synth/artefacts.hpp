#pragma once
// Artefact episodes for the synthetic ECG: stretches of electrode motion as seen on long
// EEG-system monitoring (movement, chewing, electrode pops). --artefacts-per-h places them away
// from the seizures, so that every alarm inside one is a false alarm caused by the artefact;
// --ictal-artefacts puts them inside seizures, as the movement of a motor seizure.
#include <vector>

#include "synth.hpp"

namespace ecgforest::synth {

/// A Poisson number (mean rate_per_h x duration) of non-overlapping episodes of 20-120 s, none in
/// the first 30 s or the last 30 s, each at least 180 s from every seizure (its heart-rate ramps
/// included) and 30 s from the next episode; sorted by start. Draws that do not fit are dropped.
std::vector<ArtefactEpisode> draw_artefacts(Rng& rng, int duration_s, double rate_per_h,
                                            const std::vector<SeizureEvent>& seizures);

/// Sorts episodes by start (the order cohort.json lists them in).
void sort_by_start(std::vector<ArtefactEpisode>& episodes);

/// For each seizure with probability `share` (one draw per seizure; none when share is 0): an
/// episode from onset + U(0, 0.5) x the seizure's length to its end + U(0, 30) s (within the
/// recording), as the movement of a motor seizure; marked ictal. Sorted by start.
std::vector<ArtefactEpisode> draw_ictal_artefacts(Rng& rng, int duration_s, double share,
                                                  const std::vector<SeizureEvent>& seizures);

/// Adds artefact to `ecg` (uV, fs_hz) inside every episode. Half of the episodes (drawn) are
/// rhythmic, as chewing, tremor or repetitive movement: at 1.3-2.5 Hz (+-5 % jitter) a 0.15-0.3 s
/// 5-15 Hz burst of 0.6-1.5 x r_amplitude_uv (QRS-like energy, so detectors see extra beats)
/// with a small baseline step. The others are electrode motion: motion events every 0.3-1.5 s,
/// each a baseline step (50-300 ms edge, 1-4 s relaxation, 0.3-2 x r_amplitude_uv) plus a
/// 1-15 Hz burst (0.3-2 s, 0.5-2 x r_amplitude_uv, overlapping the QRS band), and electrode
/// pops (one every other event: 5-20 ms edge, 0.05-0.3 s recovery, 1-2.5 x r_amplitude_uv).
/// The sum is clipped to +-4500 uV (inside the synthetic EDF's +-5000 uV range).
void add_artefacts(std::vector<double>& ecg, int fs_hz, double r_amplitude_uv,
                   const std::vector<ArtefactEpisode>& episodes, Rng& rng);

}  // namespace ecgforest::synth

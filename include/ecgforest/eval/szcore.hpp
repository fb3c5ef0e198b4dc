#pragma once
// SzCORE seizure scoring (Dan et al. 2024, Epilepsia), as its reference implementation does it:
// timescoring v0.0.7 (EventScoring, SampleScoring) called by szcore-evaluation, which first turns
// each annotation file into a 1 Hz label mask. Pure numeric code: no file I/O, no MPI.
//
// One file pair:
//   1. masks: mask[int(start) : int(stop)] = 1 for every seizure, mask length int(duration_s)
//      (both ends floored to whole seconds; a seizure inside one second vanishes);
//   2. events = maximal runs of the mask, [start, stop) in seconds;
//   3. event scoring (internally at 10 Hz): events closer than min_event_gap_s merged, events
//      longer than max_event_duration_s split into pieces from their start; a reference event is
//      detected (tp) when the hypothesis mask has relative overlap > min_overlap + 1e-6 with its
//      window [start - tolerance_start_s, stop + tolerance_end_s) (clipped to the file); a
//      hypothesis event is a false positive when none of its samples lies in a detected window;
//   4. sample scoring on the 1 Hz masks (tp / fp / refTrue in seconds).
// sensitivity = tp / refTrue, precision = tp / (tp + fp), f1 = 2 tp / (2 tp + fp + refTrue - tp),
// fpRate = fp per 24 h of recording; NaN where the reference gives NaN (refTrue = 0, tp + fp = 0,
// refTrue + fp = 0).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ecgforest/core/json.hpp"
#include "ecgforest/eval/events.hpp"

namespace ecgforest::eval::szcore {

/// EventScoring parameters; the defaults are SzCORE's (timescoring's defaults).
struct Params {
  double tolerance_start_s = 30;      ///< toleranceStart: window starts this long before onset
  double tolerance_end_s = 60;        ///< toleranceEnd: window ends this long after offset
  double min_overlap = 0;             ///< minOverlap: relative overlap needed for a detection
  double max_event_duration_s = 300;  ///< maxEventDuration: longer events are split
  double min_event_gap_s = 90;        ///< minDurationBetweenEvents: closer events are merged
};

/// Events longer than max_dur split into pieces of max_dur from their start, the rest as the last
/// piece (timescoring's _splitLongEvents).
std::vector<Event> split_long(const std::vector<Event>& events, double max_dur);

/// 1 Hz label mask of `seizures` over int(duration_s) seconds (SzCORE's getMask(1)).
std::vector<std::uint8_t> label_mask(const std::vector<Event>& seizures, double duration_s);

/// Maximal runs of 1 in a mask sampled at fs Hz, as [start, stop) in seconds.
std::vector<Event> mask_events(const std::vector<std::uint8_t>& mask, double fs);

/// Counts and scores with timescoring's attribute names.
struct Scores {
  std::uint64_t tp = 0, fp = 0, ref_true = 0, num_samples = 0;
  double fs = 1;
  double sensitivity = 0, precision = 0, f1 = 0, fp_rate = 0;  ///< NaN where undefined
  double duration_s() const { return static_cast<double>(num_samples) / fs; }
};

/// The four ratios from tp, fp, ref_true, num_samples and fs (timescoring computeScores).
void compute_scores(Scores& s);

/// Event scoring with its intermediate lists (for tests and diagnostics).
struct EventDetail {
  Scores scores;
  std::vector<Event> ref_events, hyp_events;  ///< after merge and split
  std::vector<Event> ref_windows;
  std::vector<bool> ref_detected, hyp_is_fp;
};

/// Event scoring of two 1 Hz masks of one length (timescoring EventScoring at 10 Hz).
EventDetail score_events(const std::vector<std::uint8_t>& ref, const std::vector<std::uint8_t>& hyp,
                         const Params& p = {});

/// Sample scoring of two 1 Hz masks of one length (timescoring SampleScoring, fs = 1).
Scores score_samples(const std::vector<std::uint8_t>& ref, const std::vector<std::uint8_t>& hyp);

/// One file pair scored both ways.
struct FileScores {
  Scores event, sample;
};

/// Scores one recording as szcore-evaluation does: the hypothesis counts as no detection when
/// hyp_duration_s floors to another whole number of seconds than ref_duration_s.
FileScores score_file(const std::vector<Event>& ref, double ref_duration_s, const std::vector<Event>& hyp,
                      double hyp_duration_s, const Params& p = {});

/// Counts summed over files (ratios recomputed from the sums).
Scores pool(const std::vector<Scores>& parts);

/// Mean over subjects of each ratio ignoring NaN (numpy.nanmean) and its population standard
/// deviation (numpy.nanstd); NaN when every subject is NaN.
struct MeanStd {
  double sensitivity = 0, sensitivity_std = 0, precision = 0, precision_std = 0;
  double f1 = 0, f1_std = 0, fp_rate = 0, fp_rate_std = 0;
};
MeanStd mean_over_subjects(const std::vector<Scores>& subjects);

/// A whole dataset: per subject pooled over its recordings, then the SzCORE summary (mean over
/// subjects with std) and the pooled summary (all files summed).
struct DatasetScores {
  std::map<std::string, FileScores> subjects;
  MeanStd event_mean, sample_mean;
  FileScores pooled;
};

/// `subject_of[i]` names the subject of `files[i]`.
DatasetScores score_dataset(const std::vector<FileScores>& files, const std::vector<std::string>& subject_of);

/// {"tp":..,"fp":..,"refTrue":..,"numSamples":..,"fs":..,"duration_s":..,"sensitivity":..,
///  "precision":..,"f1":..,"fpRate":..} into an open writer (NaN is written as null).
void write_scores_json(JsonWriter& j, const Scores& s);

/// {"event": {...}, "sample": {...}} of one pooled set of files.
void write_file_scores_json(JsonWriter& j, const FileScores& s);

/// {"per_subject_mean": {"event": {...}, "sample": {...}}, "pooled": {...}, "subjects": {...},
///  "parameters": {...}}.
void write_dataset_json(JsonWriter& j, const DatasetScores& d, const Params& p);

}  // namespace ecgforest::eval::szcore

// SzCORE event and sample scoring (timescoring v0.0.7 through szcore-evaluation); see szcore.hpp.
#include "ecgforest/eval/szcore.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ecgforest::eval::szcore {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kEventFs = 10.0;  // timescoring's EventScoring works at 10 Hz

// Python's round() (half to even, the default rounding mode) of t * fs as a sample index.
std::int64_t sample_at(double t, double fs) { return static_cast<std::int64_t>(std::nearbyint(t * fs)); }

// The [begin, end) sample range of [start_s, stop_s) clipped like a Python slice of length n.
std::pair<std::size_t, std::size_t> slice(const Event& e, double fs, std::size_t n) {
  const auto clip = [n](std::int64_t i) { return static_cast<std::size_t>(std::clamp<std::int64_t>(i, 0, static_cast<std::int64_t>(n))); };
  const std::size_t b = clip(sample_at(e.start_s, fs)), en = clip(sample_at(e.stop_s, fs));
  return {b, std::max(b, en)};
}

std::vector<std::uint8_t> events_mask(const std::vector<Event>& events, double fs, std::size_t n) {
  std::vector<std::uint8_t> m(n, 0);
  for (const auto& e : events) {
    const auto [b, en] = slice(e, fs, n);
    std::fill(m.begin() + static_cast<std::ptrdiff_t>(b), m.begin() + static_cast<std::ptrdiff_t>(en), std::uint8_t{1});
  }
  return m;
}

// _mergeNeighbouringEvents: an event starting less than `gap` after the previous (merged) one
// ends is merged into it (taking its end).
std::vector<Event> merge_close(const std::vector<Event>& events, double gap) {
  std::vector<Event> out;
  for (const auto& e : events) {
    if (!out.empty() && e.start_s - out.back().stop_s < gap) {
      out.back().stop_s = e.stop_s;
    } else {
      out.push_back(e);
    }
  }
  return out;
}

std::uint64_t count_ones(const std::vector<std::uint8_t>& m, std::size_t b, std::size_t e) {
  return static_cast<std::uint64_t>(std::count(m.begin() + static_cast<std::ptrdiff_t>(b), m.begin() + static_cast<std::ptrdiff_t>(e), std::uint8_t{1}));
}

double nan_mean(const std::vector<double>& v) {
  double sum = 0;
  std::size_t n = 0;
  for (double x : v) {
    if (!std::isnan(x)) {
      sum += x;
      ++n;
    }
  }
  return n ? sum / static_cast<double>(n) : kNaN;
}

double nan_std(const std::vector<double>& v) {
  const double m = nan_mean(v);
  double ss = 0;
  std::size_t n = 0;
  for (double x : v) {
    if (!std::isnan(x)) {
      ss += (x - m) * (x - m);
      ++n;
    }
  }
  return n ? std::sqrt(ss / static_cast<double>(n)) : kNaN;
}

}  // namespace

std::vector<Event> split_long(const std::vector<Event>& events, double max_dur) {
  std::vector<Event> out;
  for (Event e : events) {
    while (e.stop_s - e.start_s > max_dur) {
      out.push_back({e.start_s, e.start_s + max_dur, e.probability});
      e.start_s += max_dur;
    }
    out.push_back(e);
  }
  return out;
}

std::vector<std::uint8_t> label_mask(const std::vector<Event>& seizures, double duration_s) {
  const auto n = duration_s > 0 ? static_cast<std::size_t>(std::trunc(duration_s)) : std::size_t{0};
  std::vector<std::uint8_t> m(n, 0);
  for (const auto& e : seizures) {
    // int() truncates toward zero; a negative start would wrap a Python slice, times here are >= 0.
    const auto b = static_cast<std::int64_t>(std::trunc(e.start_s));
    const auto en = static_cast<std::int64_t>(std::trunc(e.stop_s));
    for (std::int64_t i = std::max<std::int64_t>(b, 0); i < std::min<std::int64_t>(en, static_cast<std::int64_t>(n)); ++i) {
      m[static_cast<std::size_t>(i)] = 1;
    }
  }
  return m;
}

std::vector<Event> mask_events(const std::vector<std::uint8_t>& mask, double fs) {
  std::vector<Event> out;
  for (std::size_t i = 0; i < mask.size();) {
    if (!mask[i]) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < mask.size() && mask[j]) ++j;
    out.push_back({static_cast<double>(i) / fs, static_cast<double>(j) / fs, 1.0});
    i = j;
  }
  return out;
}

void compute_scores(Scores& s) {
  const double tp = static_cast<double>(s.tp), fp = static_cast<double>(s.fp), rt = static_cast<double>(s.ref_true);
  s.sensitivity = s.ref_true > 0 ? tp / rt : kNaN;
  s.precision = s.tp + s.fp > 0 ? tp / (tp + fp) : kNaN;
  s.f1 = s.ref_true + s.fp > 0 ? 2 * tp / (2 * tp + fp + (rt - tp)) : kNaN;
  s.fp_rate = s.num_samples > 0 ? fp / (static_cast<double>(s.num_samples) / s.fs / 3600 / 24) : kNaN;
}

EventDetail score_events(const std::vector<std::uint8_t>& ref, const std::vector<std::uint8_t>& hyp, const Params& p) {
  EventDetail d;
  const std::size_t n = ref.size() * static_cast<std::size_t>(kEventFs);
  const double file_s = static_cast<double>(n) / kEventFs;
  d.ref_events = split_long(merge_close(mask_events(ref, 1.0), p.min_event_gap_s), p.max_event_duration_s);
  d.hyp_events = split_long(merge_close(mask_events(hyp, 1.0), p.min_event_gap_s), p.max_event_duration_s);
  const auto hyp_mask = events_mask(d.hyp_events, kEventFs, n);  // merged gaps count as hypothesis
  std::vector<std::uint8_t> tp_mask(n, 0);
  for (const auto& r : d.ref_events) {
    const Event w{std::max(0.0, r.start_s - p.tolerance_start_s), std::min(file_s, r.stop_s + p.tolerance_end_s), 1.0};
    const auto [b, e] = slice(w, kEventFs, n);
    const double overlap = static_cast<double>(count_ones(hyp_mask, b, e)) / kEventFs / (w.stop_s - w.start_s);
    const bool hit = overlap > p.min_overlap + 1e-6;
    if (hit) std::fill(tp_mask.begin() + static_cast<std::ptrdiff_t>(b), tp_mask.begin() + static_cast<std::ptrdiff_t>(e), std::uint8_t{1});
    d.ref_windows.push_back(w);
    d.ref_detected.push_back(hit);
    d.scores.tp += hit ? 1 : 0;
  }
  for (const auto& h : d.hyp_events) {
    const auto [b, e] = slice(h, kEventFs, n);
    const bool fp = count_ones(tp_mask, b, e) == 0;
    d.hyp_is_fp.push_back(fp);
    d.scores.fp += fp ? 1 : 0;
  }
  d.scores.ref_true = d.ref_events.size();
  d.scores.num_samples = n;
  d.scores.fs = kEventFs;
  compute_scores(d.scores);
  return d;
}

Scores score_samples(const std::vector<std::uint8_t>& ref, const std::vector<std::uint8_t>& hyp) {
  Scores s;
  s.fs = 1;
  s.num_samples = ref.size();
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const bool h = i < hyp.size() && hyp[i];
    s.tp += (ref[i] && h) ? 1 : 0;
    s.fp += (!ref[i] && h) ? 1 : 0;
    s.ref_true += ref[i] ? 1 : 0;
  }
  compute_scores(s);
  return s;
}

FileScores score_file(const std::vector<Event>& ref, double ref_duration_s, const std::vector<Event>& hyp,
                      double hyp_duration_s, const Params& p) {
  const auto rm = label_mask(ref, ref_duration_s);
  auto hm = label_mask(hyp, hyp_duration_s);
  if (hm.size() != rm.size()) hm.assign(rm.size(), 0);  // szcore-evaluation: duration_tolerance = 0
  return {score_events(rm, hm, p).scores, score_samples(rm, hm)};
}

Scores pool(const std::vector<Scores>& parts) {
  Scores s;
  for (const auto& x : parts) {
    s.tp += x.tp;
    s.fp += x.fp;
    s.ref_true += x.ref_true;
    s.num_samples += x.num_samples;
    s.fs = x.fs;
  }
  compute_scores(s);
  return s;
}

MeanStd mean_over_subjects(const std::vector<Scores>& subjects) {
  std::vector<double> se, pr, f1, fr;
  for (const auto& s : subjects) {
    se.push_back(s.sensitivity);
    pr.push_back(s.precision);
    f1.push_back(s.f1);
    fr.push_back(s.fp_rate);
  }
  return {nan_mean(se), nan_std(se), nan_mean(pr), nan_std(pr), nan_mean(f1), nan_std(f1), nan_mean(fr), nan_std(fr)};
}

DatasetScores score_dataset(const std::vector<FileScores>& files, const std::vector<std::string>& subject_of) {
  std::map<std::string, std::vector<Scores>> ev, sa;
  std::vector<Scores> all_ev, all_sa;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string& subj = i < subject_of.size() ? subject_of[i] : std::string();
    ev[subj].push_back(files[i].event);
    sa[subj].push_back(files[i].sample);
    all_ev.push_back(files[i].event);
    all_sa.push_back(files[i].sample);
  }
  DatasetScores d;
  std::vector<Scores> subj_ev, subj_sa;
  for (const auto& [subj, parts] : ev) {
    FileScores f{pool(parts), pool(sa[subj])};
    subj_ev.push_back(f.event);
    subj_sa.push_back(f.sample);
    d.subjects[subj] = f;
  }
  d.event_mean = mean_over_subjects(subj_ev);
  d.sample_mean = mean_over_subjects(subj_sa);
  d.pooled = {pool(all_ev), pool(all_sa)};
  return d;
}

void write_scores_json(JsonWriter& j, const Scores& s) {
  j.begin_object();
  j.key("tp").value(s.tp).key("fp").value(s.fp).key("refTrue").value(s.ref_true);
  j.key("numSamples").value(s.num_samples).key("fs").value(s.fs).key("duration_s").value(s.duration_s());
  j.key("sensitivity").value(s.sensitivity).key("precision").value(s.precision).key("f1").value(s.f1);
  j.key("fpRate").value(s.fp_rate);
  j.end_object();
}

void write_file_scores_json(JsonWriter& j, const FileScores& s) {
  j.begin_object();
  j.key("event");
  write_scores_json(j, s.event);
  j.key("sample");
  write_scores_json(j, s.sample);
  j.end_object();
}

namespace {

void write_mean_json(JsonWriter& j, const MeanStd& m) {
  j.begin_object();
  j.key("sensitivity").value(m.sensitivity).key("sensitivity_std").value(m.sensitivity_std);
  j.key("precision").value(m.precision).key("precision_std").value(m.precision_std);
  j.key("f1").value(m.f1).key("f1_std").value(m.f1_std);
  j.key("fpRate").value(m.fp_rate).key("fpRate_std").value(m.fp_rate_std);
  j.end_object();
}

}  // namespace

void write_dataset_json(JsonWriter& j, const DatasetScores& d, const Params& p) {
  j.begin_object();
  j.key("n_subjects").value(static_cast<std::uint64_t>(d.subjects.size()));
  j.key("per_subject_mean").begin_object();
  j.key("event");
  write_mean_json(j, d.event_mean);
  j.key("sample");
  write_mean_json(j, d.sample_mean);
  j.end_object();
  j.key("pooled");
  write_file_scores_json(j, d.pooled);
  j.key("subjects").begin_object();
  for (const auto& [name, s] : d.subjects) {
    j.key(name);
    write_file_scores_json(j, s);
  }
  j.end_object();
  j.key("parameters").begin_object();
  j.key("toleranceStart").value(p.tolerance_start_s).key("toleranceEnd").value(p.tolerance_end_s);
  j.key("minOverlap").value(p.min_overlap).key("maxEventDuration").value(p.max_event_duration_s);
  j.key("minDurationBetweenEvents").value(p.min_event_gap_s).key("label_fs").value(1.0);
  j.end_object();
  j.end_object();
}

}  // namespace ecgforest::eval::szcore

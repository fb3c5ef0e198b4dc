#include "ecgforest/pipeline/predict_tailoring.hpp"

#include <cmath>
#include <set>
#include <sstream>

#include "ecgforest/core/privacy.hpp"
#include "ecgforest/core/text.hpp"
#include "ecgforest/io/annotation_writer.hpp"
#include "ecgforest/io/beat_file.hpp"
#include "ecgforest/io/text_file.hpp"
#include "ecgforest/pipeline/inputs_bids.hpp"

namespace ecgforest::pipeline {
namespace {

std::vector<AnnotationEvent> to_annotation_events(const std::vector<eval::Event>& ev) {
  std::vector<AnnotationEvent> out;
  for (const auto& e : ev) {
    AnnotationEvent a;
    a.start_s = e.start_s;
    a.stop_s = e.stop_s;
    a.label = "seiz";
    a.confidence = e.probability;
    out.push_back(a);
  }
  return out;
}

std::vector<eval::Event> shifted(std::vector<eval::Event> ev, double by_s) {
  for (auto& e : ev) {
    e.start_s += by_s;
    e.stop_s += by_s;
    e.alarm_s += by_s;  // NaN stays NaN
  }
  return ev;
}

// The detections of t.td (its parts are of all[pos[index - n_base]]) become the recordings' own
// (and their NAME.tse_bi/csv_bi): the tailored ones after each cut, none before; both variants
// are scored on the same hours. A recording wholly within its baseline gets no files (all_baseline).
void apply_tailored(Tailoring& t, std::vector<PredictedRecording>& all, const std::vector<std::size_t>& pos, std::size_t n_base,
                    const std::filesystem::path& out_dir, const std::vector<std::filesystem::path>& hyp_file) {
  for (std::size_t i : pos) {
    all[i].hyp.clear();
    all[i].all_baseline = true;
  }
  for (std::size_t k = 0; k < t.td.index.size(); ++k) {
    auto& p = all[pos[t.td.index[k] - n_base]];  // baselines are whole, so never scored
    p.all_baseline = false;
    const double from = t.td.from_s[k];
    p.hyp = shifted(t.td.tailored[k].hyp, from);
    if (!p.has_ref) continue;
    t.scored_independent.push_back(t.td.independent[k]);
    t.scored_tailored.push_back(t.td.tailored[k]);
    const auto ref = shifted(t.td.tailored[k].ref, from);
    t.hr_independent.push_back({recording_name(p), p.row.patient, p.time_s, p.mean_hr, ref, shifted(t.td.independent[k].hyp, from)});
    t.hr_tailored.push_back({recording_name(p), p.row.patient, p.time_s, p.mean_hr, ref, p.hyp});
  }
  t.n_detectable = pos.size();
  for (const auto& part : t.td.independent) t.detected_s += part.duration_s;
  for (std::size_t i : pos) {
    if (all[i].all_baseline) remove_hypotheses(out_dir, hyp_file[all[i].index]);
    else write_hypotheses(out_dir, hyp_file[all[i].index], all[i].hyp, all[i]);
  }
}

// One detection variant of the tailoring block: NEDC scores and responders on the scored hours.
std::string variant_json(const std::vector<eval::ScoredRecording>& scored, const std::vector<eval::RecordingHeartRate>& hr) {
  JsonWriter r;
  r.begin_object().key("responders");
  eval::write_responders_json(r, eval::summarize_responders(hr));
  r.end_object();
  return json_object_union(eval::score_json(eval::score_recordings(scored)), r.str());
}

// The "tailoring" block of --tailor-retrain: per patient its model (relative to the output folder)
// and operating point, or why it has none; then both detections on the scored recordings.
void write_retrain_json(JsonWriter& j, const Tailoring& t, const Config& config, const std::filesystem::path& out_dir) {
  j.begin_object().key("method").value("retrain").key("tailor_hours").value(config.postprocess.tailor_hours);
  j.key("train_features").value(config.tailor_retrain).key("copies").value(static_cast<std::int64_t>(config.tailor_copies));
  j.key("baseline_recordings").begin_array();
  for (const auto& n : t.baseline_names) j.value(n);
  j.end_array();
  j.key("fa_budget_per_24h").value(config.postprocess.fa_budget_per_24h);
  j.key("per_patient").begin_object();
  for (const auto& m : t.retrained) {
    j.key(m.patient).begin_object().key("folder").value(relative_path_text(m.dir, out_dir));
    j.key("baseline_recordings").value(static_cast<std::uint64_t>(m.baseline_recordings)).key("baseline_hours").value(m.baseline_hours);
    if (m.model.empty()) {
      j.key("model").raw("null").key("note").value(m.note);
    } else {
      j.key("model").value(relative_path_text(m.model, out_dir)).key("postprocess");
      eval::write_postprocess_json(j, t.retrained_pp.at(m.patient));
    }
    j.end_object();
  }
  j.end_object();
  j.key("patient_independent").raw(variant_json(t.scored_independent, t.hr_independent));
  j.key("tailored").raw(variant_json(t.scored_tailored, t.hr_tailored));
  j.end_object();
}

// The "tailoring" block of threshold tailoring.
void write_threshold_json(JsonWriter& j, const Tailoring& t, const PostprocessSettings& pp) {
  j.begin_object();
  j.key("method").value("threshold");
  j.key("tailor_hours").value(pp.tailor_hours);
  j.key("baseline_recordings").begin_array();
  for (const auto& n : t.baseline_names) j.value(n);
  j.end_array();
  j.key("margin").value(pp.tailor_margin);
  j.key("fa_budget_per_24h").value(pp.fa_budget_per_24h);
  j.key("patient_independent_threshold").value(pp.threshold);
  j.key("lowering_evidence_hours").value(eval::lowering_evidence_hours(pp.fa_budget_per_24h));
  j.key("baseline_hours").value(t.td.baseline_hours);
  j.key("per_patient").begin_object();
  for (const auto& [id, th] : t.td.per_patient) {
    j.key(id).begin_object().key("threshold").value(th.threshold).key("lowest_quiet").value(th.lowest_quiet);
    j.key("baseline_hours").value(th.baseline_hours).key("baseline_alarms").value(static_cast<std::uint64_t>(th.baseline_alarms));
    j.key("fallback").value(th.fallback).key("may_lower").value(th.may_lower);
    j.end_object();
  }
  j.end_object();
  j.key("patient_independent").raw(variant_json(t.scored_independent, t.hr_independent));
  j.key("tailored").raw(variant_json(t.scored_tailored, t.hr_tailored));
  j.end_object();
}

// Where write_hypotheses puts a recording's detections.
struct HypothesisFiles {
  std::filesystem::path tse_bi, csv_bi, events_tsv;
};

HypothesisFiles hypothesis_files(const std::filesystem::path& out_dir, const std::filesystem::path& recording) {
  const std::string stem = io::recording_name(recording);
  return {out_dir / (stem + ".tse_bi"), out_dir / (stem + ".csv_bi"), out_dir / hypothesis_events_path(recording)};
}

// A note naming the patients tailored on a baseline with nothing after it to detect ("" if none).
std::string idle_patients_note(const Tailoring& t) {
  std::set<std::string> detected;  // patients with a recording (part) after their baseline
  for (const auto& part : t.td.independent) detected.insert(part.patient);
  std::string idle;
  for (const auto& [id, th] : t.td.per_patient) {
    if (!detected.count(id)) idle += (idle.empty() ? "" : ", ") + id;
  }
  if (idle.empty()) return "";
  return "predict: note: baseline but nothing to detect for patient(s) " + idle +
         (t.baseline_names.empty() ? " (all their recordings lie within the first hours; give a smaller --tailor-hours)\n"
                                   : " (give their recordings with --input, or leave their baselines out)\n");
}

// The patients' tailored thresholds on one line, for runs that write no score.json.
std::string tailored_thresholds_text(const eval::TailoredDetection& td) {
  std::ostringstream os;
  os << "predict: tailored thresholds:";
  const char* sep = " ";
  for (const auto& [id, th] : td.per_patient) {
    os << sep << id << " " << fixed_text(th.threshold, 2) << (th.fallback ? " (fallback)" : "");
    sep = ", ";
  }
  os << "\n";
  return os.str();
}

}  // namespace

std::string recording_name(const PredictedRecording& p) { return io::recording_name(p.row.path); }

eval::RecordingProbabilities probabilities(const PredictedRecording& p) {
  return {recording_name(p), p.row.patient, scored_duration_s(p), p.time_s, p.prob, p.ref, p.usable};
}


double scored_duration_s(const PredictedRecording& p) {
  if (p.ref_duration_s) return *p.ref_duration_s;
  // A beat file states no length and ends with its last beat: stated in whole seconds (rounded
  // up), the length SzCORE pairs a hypothesis with its reference by, as EDF lengths are.
  return p.row.kind == "edf" ? p.row.duration_s : std::ceil(p.row.duration_s);
}

void write_hypotheses(const std::filesystem::path& out_dir, const std::filesystem::path& recording,
                      const std::vector<eval::Event>& hyp, const PredictedRecording& p) {
  const double duration_s = scored_duration_s(p);
  const std::string stem = io::recording_name(recording);
  const auto sz = to_annotation_events(hyp);
  const HypothesisFiles f = hypothesis_files(out_dir, recording);
  io::write_text_file_atomic(f.tse_bi, io::tse_bi_text(sz, duration_s));
  io::write_text_file_atomic(f.csv_bi, io::csv_bi_text(sz, duration_s, stem));
  std::error_code ec;
  std::filesystem::create_directories(f.events_tsv.parent_path(), ec);  // another thread may create it too
  io::write_text_file_atomic(f.events_tsv, io::events_tsv_text(sz, duration_s, p.start));
}

void remove_hypotheses(const std::filesystem::path& out_dir, const std::filesystem::path& recording) {
  const HypothesisFiles f = hypothesis_files(out_dir, recording);
  std::error_code ec;
  for (const auto& p : {f.tse_bi, f.csv_bi, f.events_tsv}) std::filesystem::remove(p, ec);
}

Tailoring tailor_thresholds(std::vector<PredictedRecording>& all, const std::vector<PredictedRecording>& baseline, const PostprocessSettings& pp,
                             double step_s, const std::filesystem::path& out_dir, const std::vector<std::filesystem::path>& hyp_file) {
  std::vector<eval::RecordingProbabilities> in;
  std::vector<bool> whole_baseline;
  std::vector<std::string> names;
  for (const auto& p : baseline) {
    if (p.row.status != "ok") continue;
    in.push_back(probabilities(p));
    whole_baseline.push_back(true);
    names.push_back(recording_name(p));
  }
  const std::size_t n_base = in.size();
  std::vector<std::size_t> pos;  // position in `all` of in[n_base + k]
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i].row.status != "ok") continue;
    in.push_back(probabilities(all[i]));
    pos.push_back(i);
  }
  if (!baseline.empty()) whole_baseline.resize(in.size(), false);
  Tailoring t;
  t.baseline_names = std::move(names);
  t.td = eval::detect_tailored(in, step_s, pp, pp.tailor_hours, pp.tailor_margin, whole_baseline);
  apply_tailored(t, all, pos, n_base, out_dir, hyp_file);
  return t;
}

void retrain_whole(Tailoring& t, const std::vector<PredictedRecording>& all) {
  for (const auto& p : all) {
    if (p.row.status != "ok") continue;
    ++t.n_detectable;
    t.detected_s += p.row.duration_s;
    if (!p.has_ref) continue;
    const std::string name = recording_name(p);
    t.scored_independent.push_back({name, p.row.patient, scored_duration_s(p), p.ref, p.hyp_independent});
    t.scored_tailored.push_back({name, p.row.patient, scored_duration_s(p), p.ref, p.hyp});
    t.hr_independent.push_back({name, p.row.patient, p.time_s, p.mean_hr, p.ref, p.hyp_independent});
    t.hr_tailored.push_back({name, p.row.patient, p.time_s, p.mean_hr, p.ref, p.hyp});
  }
}

void retrain_first_hours(Tailoring& t, std::vector<PredictedRecording>& all, const PostprocessSettings& pp, double step,
                         const std::filesystem::path& out_dir, const std::vector<std::filesystem::path>& hyp_file) {
  std::vector<eval::RecordingProbabilities> in;
  std::vector<std::size_t> pos;
  std::map<std::string, std::vector<eval::RecordingProbabilities>> own_in;  // per retrained patient
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i].row.status != "ok") continue;
    auto r = probabilities(all[i]);
    if (t.retrained_pp.count(all[i].row.patient)) own_in[all[i].row.patient].push_back(r);
    r.prob = all[i].prob_independent;
    in.push_back(std::move(r));
    pos.push_back(i);
  }
  t.td = eval::detect_tailored(in, step, pp, pp.tailor_hours, pp.tailor_margin);
  t.td.per_patient.clear();  // no threshold was tailored
  std::map<std::string, eval::ScoredRecording> own;  // by recording name (unique among inputs)
  for (const auto& [id, recs] : own_in) {
    const auto d = eval::detect_tailored(recs, step, t.retrained_pp.at(id), pp.tailor_hours, pp.tailor_margin);
    for (const auto& part : d.independent) own[part.name] = part;
  }
  for (std::size_t k = 0; k < t.td.index.size(); ++k) {
    const auto it = own.find(t.td.independent[k].name);
    t.td.tailored[k] = it == own.end() ? t.td.independent[k] : it->second;
  }
  apply_tailored(t, all, pos, 0, out_dir, hyp_file);
}

void write_tailoring_json(JsonWriter& j, const Tailoring& t, const Config& config, const std::filesystem::path& out_dir) {
  if (t.retrained.empty()) write_threshold_json(j, t, config.postprocess);
  else write_retrain_json(j, t, config, out_dir);
}

std::string tailoring_text(const Tailoring& t, const PostprocessSettings& pp) {
  const auto a = eval::score_recordings(t.scored_independent), b = eval::score_recordings(t.scored_tailored);
  std::ostringstream os;
  if (pp.tailor_hours > 0 && t.n_detectable > 0 && t.td.index.empty()) {
    os << "predict: warning: every recording lies within its patient's first " << pp.tailor_hours
       << " h (--tailor-hours), the baseline, so nothing was detected or scored; give a smaller --tailor-hours, longer "
          "recordings, or the baseline as separate recordings (--tailor-baseline)\n";
    return os.str();
  }
  if (t.retrained.empty()) {
    os << idle_patients_note(t);
    os << "predict: tailored thresholds for " << t.td.per_patient.size() << " patient(s) on ";
    if (t.baseline_names.empty()) os << "their first " << pp.tailor_hours << " h";
    else os << t.baseline_names.size() << " baseline recording(s)";
    os << " (" << fixed_text(t.td.baseline_hours, 1) << " baseline h, not scored); on the ";
  } else {
    os << "predict: models retrained for " << t.retrained_pp.size() << " of " << t.retrained.size() << " patient(s) on ";
    if (t.baseline_names.empty()) os << "their first " << pp.tailor_hours << " h";
    else os << t.baseline_names.size() << " baseline recording(s)";
    os << " (not scored); on the ";
  }
  if (a.total_s <= 0) {
    os << fixed_text(t.detected_s / 3600.0, 1) << " h detected after the baselines: none has reference annotations, so "
       << "nothing is scored and no score.json is written\n";
    if (t.retrained.empty()) os << tailored_thresholds_text(t.td);
    return os.str();
  }
  os << fixed_text(a.total_s / 3600.0, 1) << " scored h: patient-independent OVLP sensitivity " << fixed_text(a.ovlp_sensitivity, 3)
     << " (" << a.ovlp.hits << "/" << a.ovlp.n_ref << ") at " << fixed_text(a.ovlp_fa_per_24h, 2)
     << " FA/24h; tailored " << fixed_text(b.ovlp_sensitivity, 3) << " (" << b.ovlp.hits << "/" << b.ovlp.n_ref << ") at "
     << fixed_text(b.ovlp_fa_per_24h, 2) << " FA/24h\n";
  return os.str();
}

}  // namespace ecgforest::pipeline

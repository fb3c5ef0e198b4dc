#include "ecgforest/pipeline/predict_edf.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include <omp.h>

#include "ecgforest/core/clock.hpp"
#include "ecgforest/core/progress.hpp"
#include "ecgforest/core/error.hpp"
#include "ecgforest/eval/quality_gate.hpp"
#include "ecgforest/eval/responders.hpp"
#include "ecgforest/eval/szcore_recordings.hpp"
#include "ecgforest/io/annotation_writer.hpp"
#include "ecgforest/io/annotations.hpp"
#include "ecgforest/io/beat_file.hpp"
#include "ecgforest/io/edf_reader.hpp"
#include "ecgforest/io/features_file.hpp"
#include "ecgforest/io/feature_matrix.hpp"
#include "ecgforest/io/predictions_file.hpp"
#include "ecgforest/io/model_file.hpp"
#include "ecgforest/pipeline/model.hpp"
#include "ecgforest/pipeline/tools.hpp"
#include "ecgforest/comm/mpi.hpp"
#include "ecgforest/parallel/work_queue.hpp"
#include "ecgforest/pipeline/extract.hpp"
#include "ecgforest/pipeline/inputs.hpp"
#include "ecgforest/pipeline/inputs_bids.hpp"
#include "ecgforest/pipeline/privacy.hpp"
#include "ecgforest/pipeline/predict_tailoring.hpp"
#include "ecgforest/pipeline/tailor_retrain.hpp"
#include "ecgforest/pipeline/training_overlap.hpp"
#include "ecgforest/core/privacy.hpp"
#include "ecgforest/version.hpp"
#include "ecgforest/core/bytes.hpp"
#include "ecgforest/core/text.hpp"

namespace ecgforest::pipeline {
namespace {

using Predicted = PredictedRecording;

void put_events(ByteWriter& w, const std::vector<eval::Event>& ev) {
  w.u64(ev.size());
  for (const auto& e : ev) {
    w.f64(e.start_s);
    w.f64(e.stop_s);
    w.f64(e.probability);
    w.f64(e.alarm_s);
  }
}

std::vector<eval::Event> get_events(ByteReader& r) {
  std::vector<eval::Event> ev(r.u64());
  for (auto& e : ev) {
    e.start_s = r.f64();
    e.stop_s = r.f64();
    e.probability = r.f64();
    e.alarm_s = r.f64();
  }
  return ev;
}

void put_start(ByteWriter& w, const StartDateTime& s) {
  for (const int v : {s.year, s.month, s.day, s.hour, s.minute, s.second}) w.u64(static_cast<std::uint64_t>(v));
  w.f64(s.subsecond);
}

StartDateTime get_start(ByteReader& r) {
  StartDateTime s;
  for (int* v : {&s.year, &s.month, &s.day, &s.hour, &s.minute, &s.second}) *v = static_cast<int>(r.u64());
  s.subsecond = r.f64();
  return s;
}

void serialize(ByteWriter& w, const Predicted& p) {
  w.u64(p.index);
  io::put_record_row(w, p.row);
  w.pod_vector(p.time_s);
  w.pod_vector(p.prob);
  w.pod_vector(p.smoothed);
  w.pod_vector(p.label);
  w.pod_vector(p.mean_hr);
  w.pod_vector(p.usable);
  put_events(w, p.hyp);
  put_events(w, p.ref);
  w.u64(p.has_ref ? 1 : 0);
  io::put_record_row(w, p.own_row);
  put_events(w, p.hyp_independent);
  w.pod_vector(p.prob_independent);
  put_start(w, p.start);
  w.f64(p.ref_duration_s.value_or(std::numeric_limits<double>::quiet_NaN()));
}

Predicted deserialize(ByteReader& r) {
  Predicted p;
  p.index = r.u64();
  p.row = io::get_record_row(r);
  p.time_s = r.pod_vector<double>();
  p.prob = r.pod_vector<float>();
  p.smoothed = r.pod_vector<float>();
  p.label = r.pod_vector<float>();
  p.mean_hr = r.pod_vector<float>();
  p.usable = r.pod_vector<std::uint8_t>();
  p.hyp = get_events(r);
  p.ref = get_events(r);
  p.has_ref = r.u64() != 0;
  p.own_row = io::get_record_row(r);
  p.hyp_independent = get_events(r);
  p.prob_independent = r.pod_vector<float>();
  p.start = get_start(r);
  if (const double d = r.f64(); !std::isnan(d)) p.ref_duration_s = d;
  return p;
}


// Reference seizure events of a recording (only seizure labels), or nothing without annotation.
// The reference seizures of p's recording (p.has_ref: it has an annotation file) and the duration
// the file states; a note in p's message when that differs from the recording's by a second or more.
// `start` (the recording's wall-clock start) converts ISO timestamps.
void read_reference(const std::string& annotation, const std::optional<StartDateTime>& start, Predicted& p) {
  p.has_ref = false;
  if (annotation.empty()) return;
  const auto a = io::read_annotations(annotation, start);
  p.ref = eval::merge_overlapping(seizure_events(a));
  p.has_ref = true;
  if (const auto d = io::stated_duration(a); d && *d > 0) p.ref_duration_s = d;
  if (p.ref_duration_s && std::abs(*p.ref_duration_s - p.row.duration_s) >= 1.0) {
    p.row.message += std::string(p.row.message.empty() ? "" : " ") + "The reference annotations state a recording of " +
                     fixed_text(*p.ref_duration_s, 2) + " s, this recording lasts " + fixed_text(p.row.duration_s, 2) +
                     " s; the hypothesis files and the scores take the reference's, as SzCORE scores only against "
                     "a reference of the same duration.";
  }
}

// Heart-rate traces, references and detections of the scored recordings (responders).
std::vector<eval::RecordingHeartRate> heart_rates(const std::vector<Predicted>& all) {
  std::vector<eval::RecordingHeartRate> out;
  for (const auto& p : all) {
    if (p.row.status == "ok" && p.has_ref) out.push_back({recording_name(p), p.row.patient, p.time_s, p.mean_hr, p.ref, p.hyp});
  }
  return out;
}

// One column of a feature matrix as floats.
std::vector<float> column(const io::FeatureRows& m, Eigen::Index c) {
  std::vector<float> out(static_cast<std::size_t>(m.rows()));
  for (Eigen::Index i = 0; i < m.rows(); ++i) out[static_cast<std::size_t>(i)] = m(i, c);
  return out;
}

// Threshold tailoring and --tailor-hours rewrite every recording's detections on rank 0 after
// the cut (apply_tailored), and write no files for recordings wholly within the baseline.
bool tailoring_writes_hypotheses(const Config& config) {
  return config.postprocess.tailor_hours > 0 || (!config.tailor_baseline.empty() && config.tailor_retrain.empty());
}

// Reads the model; features must be computed as in training, so the window settings, the
// detector, the HRV profile and the HRV windows come from the model, and the post-processing train chose unless the user set a key.
// Returns what the model lists as its training data (nullopt: an older model without the list).
std::optional<io::TrainingData> apply_model_settings(const std::filesystem::path& model_path, Config& config,
                                                     forest::Forest& model) {
  io::ModelMeta meta;
  model = read_model(model_path, &meta);
  if (!meta.extract) {
    throw Error("The model " + model_path.string() + " was written by an older ecgforest without its typed window "
                "settings (window_s, step_s, detector); retrain it with this version.");
  }
  const auto& x = *meta.extract;
  config.extract.window_s = x.window_s;
  config.extract.step_s = x.step_s;
  config.extract.detector = x.detector;
  config.extract.hrv_profile = x.hrv_profile;
  config.extract.hrv_nonlinear_window_s = x.hrv_nonlinear_window_s;
  config.extract.hrv_frequency_window_s = x.hrv_frequency_window_s;
  try {
    validate(config);  // the model's values pass the same limits as the user's
  } catch (const ConfigError& e) {
    throw Error("The model " + model_path.string() + " stores extraction settings outside their limits (" + e.what() +
                "); write the model again with 'ecgforest train'.");
  }
  if (meta.postprocess && config.postprocess.select == PostprocessSelect::cv) {
    config.postprocess = effective_postprocess(config, *meta.postprocess);
  }
  record_model_training_settings(meta, config);
  return meta.training;
}

// Where the model's features, mean_hr and sqi sit in the matrix process_recording computes.
struct ModelColumns {
  std::vector<std::size_t> model;  ///< per model feature: its column in the extracted matrix
  std::optional<Eigen::Index> mean_hr, sqi;
};

ModelColumns model_columns(const Config& config, const forest::Forest& model, const std::filesystem::path& model_path) {
  const auto columns = feature_columns(config);
  auto find = [&](const std::string& name) -> std::optional<Eigen::Index> {
    const auto it = std::find(columns.begin(), columns.end(), name);
    if (it == columns.end()) return std::nullopt;
    return static_cast<Eigen::Index>(it - columns.begin());
  };
  ModelColumns out;
  out.mean_hr = find("mean_hr");
  out.sqi = find("sqi");
  std::string missing;
  out.model = model_column_positions(columns, model.feature_names, missing);
  if (!missing.empty()) {
    throw CollectiveError("The model " + model_path.string() + " needs features this build does not compute: " + missing +
                          ". Retrain the model with this version of ecgforest.");
  }
  return out;
}

// A patient's retrained model (--tailor-retrain), where its features sit and its operating point.
struct PatientModel {
  forest::Forest model;
  ModelColumns cols;
  PostprocessSettings pp;
  std::optional<io::TrainingData> training;  // what it was trained on: FEATURES' training rows and the baseline
};

// Everything one recording's prediction needs besides the recording itself.
struct PredictContext {
  const Config& config;
  const forest::Forest& model;
  ModelColumns cols;
  PublicNames names;
  std::filesystem::path out_dir;
  std::vector<std::filesystem::path> hyp_file;  // the recording path write_hypotheses names files after
  std::size_t n_baseline = 0;  // the first n_baseline recordings are --tailor-baseline ones (never scored)
  std::map<std::string, PatientModel> tailored;  // --tailor-retrain: per patient id (InputRecording::patient)
  std::vector<RetrainedModel> retrained;         // --tailor-retrain: every baseline patient's retraining
  std::optional<io::TrainingData> model_training;  // the model's training recordings and patients
};

// A model's probabilities for a recording's feature matrix (`col`: the model's features in it).
std::vector<float> model_probabilities(const forest::Forest& model, const std::vector<std::size_t>& col,
                                       const io::FeatureRows& features) {
  const auto n = static_cast<std::size_t>(features.rows());
  std::vector<float> x(n * col.size());
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < col.size(); ++j) {
      x[i * col.size() + j] = features(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(col[j]));
    }
  }
  return n ? model.predict_proba(x.data(), n) : std::vector<float>{};
}

// p.smoothed and p.hyp from p.prob with `pp` (quality gate p.usable).
void detect_events(const PostprocessSettings& pp, double step_s, Predicted& p) {
  p.smoothed = eval::gated_smoothing(p.prob, p.usable, pp.smoothing, pp.smoothing_windows);
  p.hyp = eval::gated_events(p.time_s, p.smoothed, p.usable, step_s, pp.threshold, pp.min_duration_s, pp.merge_gap_s);
}

// --tailor-retrain: the given model's probabilities (and, without --tailor-hours, its events)
// kept as the patient-independent ones; the patient's own model (if it has one) gives the
// probabilities and events.
void detect_retrained(const PredictContext& c, const std::string& patient, const io::FeatureRows& features, Predicted& p) {
  p.prob_independent = p.prob;
  if (c.config.postprocess.tailor_hours <= 0) p.hyp_independent = p.hyp;
  const auto it = c.tailored.find(patient);
  if (it == c.tailored.end()) return;
  p.prob = model_probabilities(it->second.model, it->second.cols.model, features);
  detect_events(it->second.pp, c.config.extract.step_s, p);
}

// One recording: features, probabilities, post-processed events (quality gate included), its
// reference, and its NAME.tse_bi/csv_bi/events.tsv.
Predicted predict_recording(const PredictContext& c, const InputRecording& rec, std::size_t idx) {
  const Config& config = c.config;
  auto res = process_recording(rec, idx, config);
  Predicted p;
  p.index = idx;
  p.row = res.row;
  p.own_row = res.row;
  c.names.apply(rec, p.row);
  if (res.row.status != "ok") return p;
  // The start, read once (an RR table is read whole): events.tsv's dateTime and ISO references.
  std::optional<StartDateTime> start;
  try {
    start = recording_start(rec.edf);
  } catch (const std::exception&) {
    // extraction read the file a moment ago; without a start, ISO references say what they lack
  }
  p.start = public_start(config.extract, start.value_or(StartDateTime{}));
  p.prob = model_probabilities(c.model, c.cols.model, res.features);
  p.mean_hr.assign(p.prob.size(), std::numeric_limits<float>::quiet_NaN());
  if (c.cols.mean_hr) p.mean_hr = column(res.features, *c.cols.mean_hr);
  p.time_s = std::move(res.time_s);
  p.label = std::move(res.label);
  const auto& pp = config.postprocess;
  if (c.cols.sqi && pp.min_sqi > 0) {
    p.usable = eval::quality_flags(column(res.features, *c.cols.sqi), pp.min_sqi,
                                   eval::gate_min_run(config.extract.window_s, config.extract.step_s));
  }
  detect_events(pp, config.extract.step_s, p);
  if (!config.tailor_retrain.empty() && idx >= c.n_baseline) detect_retrained(c, rec.patient, res.features, p);
  try {
    read_reference(res.row.annotation, start, p);
  } catch (const std::exception& e) {
    p.has_ref = false;
    p.ref.clear();
    p.ref_duration_s.reset();
    p.row.message += std::string(p.row.message.empty() ? "" : " ") + "Reference not scored: " +
                     c.names.scrub(rec, res.row.annotation, e.what());
  }
  if (idx >= c.n_baseline && !tailoring_writes_hypotheses(config)) {
    write_hypotheses(c.out_dir, c.hyp_file[idx], p.hyp, p);
  }
  return p;
}

// COLLECTIVE: every rank predicts the recordings the dynamic queue hands it (whole recordings
// per OpenMP thread, as in extract); rank 0 gets all of them back in input order.
std::vector<Predicted> predict_all(MPI_Comm comm, const PredictContext& c, const std::vector<InputRecording>& recs,
                                   bool show_progress, double t0) {
  const std::vector<std::size_t> order = largest_first(recs);
  std::vector<Predicted> local;
  std::mutex local_mutex;  // recordings run on several threads
  auto bar = Progress::to_stderr(show_progress, "predict", "recordings", order.size(), t0);
  bar.set_extra([](double windows, double) { return ", " + std::to_string(static_cast<std::uint64_t>(windows)) + " windows scored"; });
  auto progress = [&](std::size_t done, std::size_t total, double windows) {
    if (done == total) bar.finish(windows); else bar.update(done, windows);
  };
  comm::collective_try(comm, "Prediction failed: ", [&] {
    parallel::run_dynamic(comm, order.size(), [&](std::size_t pos) {
      Predicted p = predict_recording(c, recs[order[pos]], order[pos]);
      const auto n_scored = static_cast<double>(p.prob.size());
      std::lock_guard<std::mutex> lock(local_mutex);
      local.push_back(std::move(p));
      return n_scored;
    }, progress, omp_get_max_threads());
  });
  ByteWriter mine;
  for (const auto& p : local) serialize(mine, p);
  const auto all_bytes = comm::gather_bytes(comm, mine.bytes(), 0);
  std::vector<Predicted> all;
  ByteReader rd(all_bytes.data(), all_bytes.size());
  while (!rd.done()) all.push_back(deserialize(rd));
  std::sort(all.begin(), all.end(), [](const Predicted& a, const Predicted& b) { return a.index < b.index; });
  return all;
}

// What rank 0 assembles from all predictions: the predictions.h5 table, the recordings to
// score, the threshold-sweep input and the failures to list.
struct Collected {
  io::PredictionsTable table;
  std::vector<eval::ScoredRecording> scored;
  std::vector<eval::RecordingProbabilities> sweep_in;
  std::vector<std::string> failures;
  TrainingOverlap overlap;     ///< predicted recordings that trained the model
  std::size_t n_predicted = 0;  ///< recordings predicted (ok, baseline excluded)
  std::size_t n_patients = 0;   ///< their patients
};

Collected collect(const std::vector<Predicted>& all, PredictEdfSummary& s) {
  Collected c;
  for (std::uint32_t r = 0; r < all.size(); ++r) {
    const auto& p = all[r];
    append_record(c.table, p, r);
    if (p.row.status != "ok") {
      ++s.n_failed;
      c.failures.push_back(p.row.path + ": " + p.row.status + ": " + p.row.message);
      continue;
    }
    ++s.n_ok;
    s.hours += p.row.duration_s / 3600.0;
    s.n_events += p.hyp.size();
    if (!p.has_ref) continue;
    const std::string name = io::recording_name(p.row.path);
    c.scored.push_back({name, p.row.patient, scored_duration_s(p), p.ref, p.hyp});
    c.sweep_in.push_back(probabilities(p));
  }
  return c;
}

// The predicted recordings (baseline excluded, also recordings wholly within --tailor-hours) that were among the training data of the model
// that detected them: the given model's, and for a patient detected by its own retrained model
// (--tailor-retrain) also that model's (FEATURES' training rows and the patient's baseline).
void scored_training_overlap(const std::vector<Predicted>& all, const PredictContext& c, Collected& col) {
  std::vector<ScoredFingerprint> predicted;
  for (const auto& p : all) {
    if (p.row.status != "ok" || p.all_baseline) continue;
    predicted.push_back(scored_fingerprint(p.own_row, p.row));
    const auto it = c.tailored.find(p.own_row.patient);
    if (it != c.tailored.end() && it->second.training) predicted.back().extra = &*it->second.training;
  }
  col.n_predicted = predicted.size();
  col.n_patients = count_patients(predicted);
  col.overlap = training_overlap(predicted, c.model_training);
}

// Baseline recordings in the ok/failed counts: one that could not be read is a failed recording
// like any other (listed, counted for --strict); its patient keeps the patient-independent
// threshold if it has no other baseline.
void count_baseline_recordings(const std::vector<Predicted>& baseline, Collected& col, PredictEdfSummary& s) {
  for (const auto& p : baseline) {
    if (p.row.status == "ok") {
      ++s.n_ok;
      continue;
    }
    ++s.n_failed;
    col.failures.push_back(p.row.path + " (tailoring baseline): " + p.row.status + ": " + p.row.message);
  }
}

// "training_overlap": {"checked": ..., "recordings": [NAME, ...], "patients": [ID, ...]}.
void write_overlap_json(JsonWriter& w, const TrainingOverlap& o) {
  w.key("training_overlap").begin_object().key("checked").value(o.checked).key("recordings").begin_array();
  for (const auto& name : o.in_training) w.value(name);
  w.end_array().key("patients").begin_array();
  for (const auto& id : o.patients) w.value(id);
  w.end_array().end_object();
}

// score.json's threshold sweep under tailoring: the scored parts only (after each recording's
// baseline cut; recordings wholly within it left out; every recording whole when no cut was
// made: --tailor-retrain with --tailor-baseline), always with the given model's probabilities,
// so that it counts the same hours and seizures as the scores beside it and sweeps one model.
std::vector<eval::RecordingProbabilities> scored_sweep_input(const std::vector<Predicted>& all, const eval::TailoredDetection& td) {
  std::map<std::string, double> from;  // recording name -> where its scored part starts
  for (std::size_t k = 0; k < td.independent.size(); ++k) from[td.independent[k].name] = td.from_s[k];
  std::vector<eval::RecordingProbabilities> out;
  for (const auto& p : all) {
    const auto it = from.find(recording_name(p));
    if (p.row.status != "ok" || !p.has_ref || (!from.empty() && it == from.end())) continue;
    out.push_back(probabilities(p));
    if (!p.prob_independent.empty()) out.back().prob = p.prob_independent;
    out.back().scored_from_s = from.empty() ? 0.0 : it->second;
  }
  return out;
}

// OUT_DIR/score.json: NEDC scores, threshold sweep, SzCORE keys, responders and tailoring.
void write_score_file(const std::filesystem::path& out_dir, const Config& config, const Collected& c,
                      const std::vector<Predicted>& all, const std::optional<Tailoring>& tailoring, PredictEdfSummary& s) {
  const auto& pp = config.postprocess;
  s.score = eval::score_recordings(c.scored);
  const auto sweep = eval::sweep_thresholds(c.sweep_in, config.extract.step_s, pp, eval::default_thresholds());
  const auto best = eval::best_under_budget(sweep, pp.fa_budget_per_24h);
  JsonWriter extra;
  extra.begin_object().key("postprocess");
  eval::write_postprocess_json(extra, pp);
  const auto szp = szcore_params(config.score);
  eval::szcore::write_szcore_keys(extra, eval::szcore::score_recordings(c.scored, szp), szp);
  extra.key("responders");
  eval::write_responders_json(extra, eval::summarize_responders(tailoring ? tailoring->hr_tailored : heart_rates(all)));
  if (tailoring) {
    extra.key("tailoring");
    write_tailoring_json(extra, *tailoring, config, out_dir);
  }
  write_overlap_json(extra, c.overlap);
  extra.end_object();
  io::write_text_file_atomic(out_dir / "score.json",
                             json_object_union(eval::score_json(s.score, sweep, best, pp.fa_budget_per_24h), extra.str()) + "\n");
  s.scored = true;
  s.n_scored = c.scored.size();
}

std::string summary_text(const PredictEdfSummary& s, const Config& config, const Collected& c,
                         const std::optional<Tailoring>& tailoring, const std::filesystem::path& out_dir, int n_ranks) {
  std::ostringstream os;
  os << "predict: " << s.n_records << " recordings: " << s.n_ok << " ok, " << s.n_failed << " skipped; "
     << fixed_text(s.hours, 2) << " ECG hours, " << s.n_events << " seizure events detected in " << fixed_text(s.seconds, 1)
     << " s on " << n_ranks << " rank(s)\n";
  for (const auto& l : c.failures) os << "  " << l << "\n";
  os << "predict: annotations (NAME.tse_bi, NAME.csv_bi) and predictions.h5 written to " << out_dir.string() << "\n";
  const auto& lq = c.table.low_quality;
  if (config.postprocess.min_sqi > 0)
    os << "predict: quality gate: " << std::count(lq.begin(), lq.end(), 1) << " of " << lq.size()
       << " windows gated (sqi below postprocess.min_sqi " << config.postprocess.min_sqi
       << ", or next to such windows): they cannot start or extend an event\n";
  if (tailoring) os << tailoring_text(*tailoring, config.postprocess);
  os << training_overlap_text(c.overlap, c.n_predicted, c.n_patients, s.scored);
  if (s.scored) {
    os << "predict: scored " << s.n_scored << " recordings with reference annotations (";
    if (tailoring && !tailoring->retrained.empty()) os << "each retrained patient at its model's operating point";
    else if (tailoring) os << "each patient at its tailored threshold, on the scored hours";
    else os << "threshold " << config.postprocess.threshold;
    os << "): OVLP sensitivity " << fixed_text(s.score.ovlp_sensitivity, 3) << " ("
       << s.score.ovlp.hits << "/" << s.score.ovlp.n_ref << "), " << fixed_text(s.score.ovlp_fa_per_24h, 2)
       << " FA/24h; TAES sensitivity " << fixed_text(s.score.taes_sensitivity, 3) << ", "
       << fixed_text(s.score.taes_fa_per_24h, 2) << " FA/24h -> " << (out_dir / "score.json").string() << "\n";
  }
  return os.str();
}

// Rank 0: tailoring, predictions.h5, score.json and the summary lines.
PredictEdfSummary finish(std::vector<Predicted>& all, const PredictContext& c, const std::filesystem::path& model_path,
                         double t0, int n_ranks, std::ostream* log) {
  const Config& config = c.config;
  PredictEdfSummary s;
  std::vector<Predicted> baseline(std::make_move_iterator(all.begin()),
                                  std::make_move_iterator(all.begin() + static_cast<std::ptrdiff_t>(c.n_baseline)));
  all.erase(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(c.n_baseline));
  s.n_records = all.size() + baseline.size();
  std::optional<Tailoring> tailoring;
  if (!config.tailor_retrain.empty()) {
    Tailoring t;
    for (const auto& p : baseline) {
      if (p.row.status == "ok") t.baseline_names.push_back(recording_name(p));
    }
    t.retrained = c.retrained;
    for (const auto& [id, m] : c.tailored) t.retrained_pp[id] = m.pp;
    if (config.postprocess.tailor_hours > 0) {
      retrain_first_hours(t, all, config.postprocess, config.extract.step_s, c.out_dir, c.hyp_file);
    } else {
      retrain_whole(t, all);
    }
    tailoring = std::move(t);
  } else if (config.postprocess.tailor_hours > 0 || !config.tailor_baseline.empty()) {
    tailoring = tailor_thresholds(all, baseline, config.postprocess, config.extract.step_s, c.out_dir, c.hyp_file);
  }
  Collected col = collect(all, s);
  scored_training_overlap(all, c, col);
  count_baseline_recordings(baseline, col, s);
  auto& t = col.table;
  t.model = config.extract.absolute_paths ? model_path.string() : relative_path_text(model_path, c.out_dir);
  t.window_s = fixed_text(config.extract.window_s, 6);
  t.step_s = fixed_text(config.extract.step_s, 6);
  io::write_predictions_file(c.out_dir / "predictions.h5", t, {stored_config_toml(config, c.out_dir / "predictions.h5")});
  if (tailoring) col.scored = tailoring->scored_tailored;  // the same hours as the baseline-free comparison
  if (tailoring) col.sweep_in = scored_sweep_input(all, tailoring->td);
  if (!col.scored.empty()) write_score_file(c.out_dir, config, col, all, tailoring, s);
  s.seconds = now_s() - t0;
  if (log) *log << summary_text(s, config, col, tailoring, c.out_dir, n_ranks) << std::flush;
  return s;
}

// --tailor-retrain (COLLECTIVE): trains a model for every patient with baseline recordings (the
// first c.n_baseline of `recs`) and loads each with its own operating point into c.tailored.
void retrain_models(MPI_Comm comm, const Config& user, const std::filesystem::path& model_path,
                    const std::vector<InputRecording>& recs, PredictContext& c, std::ostream* log) {
  Config training;
  comm::collective_try(comm, "", [&] {
    io::ModelMeta meta;
    (void)read_model(model_path, &meta);
    training = retraining_config(meta, model_path, user);
  });
  // The baseline recordings, or with --tailor-hours the inputs, whose first hours are the baseline.
  const auto end = c.n_baseline > 0 ? recs.begin() + static_cast<std::ptrdiff_t>(c.n_baseline) : recs.end();
  const std::vector<InputRecording> baseline(recs.begin(), end);
  std::set<std::string> input_patients;
  for (auto it = recs.begin() + static_cast<std::ptrdiff_t>(c.n_baseline); it != recs.end(); ++it) input_patients.insert(it->patient);
  c.retrained = retrain_per_patient(comm, c.config, training, baseline, input_patients, c.out_dir, log);
  for (auto& m : c.retrained) {
    if (m.model.empty()) continue;
    try {  // every rank reads the same file
      comm::collective_try(comm, "", [&] {
        io::ModelMeta meta;
        PatientModel pm;
        pm.model = read_model(m.model, &meta);
        pm.cols = model_columns(c.config, pm.model, m.model);
        pm.pp = meta.postprocess ? effective_postprocess(c.config, *meta.postprocess) : c.config.postprocess;
        pm.training = meta.training;
        c.tailored.emplace(m.patient, std::move(pm));
      });
    } catch (const CollectiveError& e) {
      c.tailored.erase(m.patient);
      m.model.clear();
      m.note = std::string("its model could not be read: ") + e.what();
      std::error_code ec;  // so that the next run retrains it instead of reusing it
      if (comm::rank(comm) == 0) std::filesystem::remove(m.dir / "retrained.txt", ec);
      if (log) *log << "predict: patient " << m.patient << ": " << m.note << "; the given model detects its recordings\n";
    }
  }
}

}  // namespace

PredictEdfSummary run_predict_edf(MPI_Comm comm, const Config& config_in, const std::filesystem::path& model_path,
                                  const std::filesystem::path& out_dir, std::ostream* log) {
  const double t0 = now_s();
  const int me = comm::rank(comm);
  Config config = config_in;
  forest::Forest model;
  std::vector<InputRecording> recs;
  std::uint64_t n_baseline = 0;
  std::optional<io::TrainingData> model_training;
  comm::collective_try(comm, "", [&] {
    model_training = apply_model_settings(model_path, config, model);
    std::error_code ec;
    std::filesystem::create_directories(out_dir, ec);
    if (ec) throw Error("Cannot create the output directory " + out_dir.string() + ": " + ec.message() + ".");
    if (me == 0) recs = baseline_then_inputs(config, n_baseline);
  });
  PredictContext c{config, model, model_columns(config, model, model_path), PublicNames(config), out_dir, {}, 0, {}, {},
                   std::move(model_training)};
  broadcast_recordings(comm, recs);
  comm::check_mpi(MPI_Bcast(&n_baseline, 1, MPI_UINT64_T, 0, comm), "MPI_Bcast (baseline recordings)");
  c.n_baseline = static_cast<std::size_t>(n_baseline);
  for (const auto& r : recs) c.hyp_file.push_back(c.names.pseudonymised() ? std::filesystem::path(c.names.name(r.edf) + ".edf") : r.edf);
  if (!config.tailor_retrain.empty()) retrain_models(comm, config_in, model_path, recs, c, log);
  auto all = predict_all(comm, c, recs, log != nullptr && me == 0, now_s());  // rates and ETA without the retraining

  PredictEdfSummary s;
  comm::collective_try(comm, "", [&] {
    if (me == 0) s = finish(all, c, model_path, t0, comm::size(comm), log);
  });
  // Share the counts so every rank can decide the exit status.
  double counts[2] = {static_cast<double>(s.n_ok), static_cast<double>(s.n_failed)};
  comm::check_mpi(MPI_Bcast(counts, 2, MPI_DOUBLE, 0, comm), "MPI_Bcast (predict summary)");
  s.n_ok = static_cast<std::size_t>(counts[0]);
  s.n_failed = static_cast<std::size_t>(counts[1]);
  if (s.n_ok == 0) throw CollectiveError("No recording was usable for prediction; see the skipped list above.");
  return s;
}

eval::FixedPostprocess fixed_postprocess(const Config& config) {
  auto has = [&](const char* k) { return config.explicit_keys.count(k) > 0; };
  eval::FixedPostprocess f;
  f.smoothing = has("postprocess.smoothing");
  f.smoothing_windows = has("postprocess.smoothing_windows");
  f.threshold = has("postprocess.threshold");
  f.min_duration_s = has("postprocess.min_duration_s");
  f.merge_gap_s = has("postprocess.merge_gap_s");
  return f;
}

PostprocessSettings effective_postprocess(const Config& config, const PostprocessSettings& model_pp) {
  const auto fixed = fixed_postprocess(config);
  PostprocessSettings pp = config.postprocess;
  if (!fixed.smoothing) pp.smoothing = model_pp.smoothing;
  if (!fixed.smoothing_windows) pp.smoothing_windows = model_pp.smoothing_windows;
  if (!fixed.threshold) pp.threshold = model_pp.threshold;
  if (!fixed.min_duration_s) pp.min_duration_s = model_pp.min_duration_s;
  if (!fixed.merge_gap_s) pp.merge_gap_s = model_pp.merge_gap_s;
  return pp;
}

void append_record(io::PredictionsTable& t, const RecordingPredictions& p, std::uint32_t r) {
  t.first_window.push_back(t.probability.size());
  t.n_windows.push_back(p.prob.size());
  t.probability.insert(t.probability.end(), p.prob.begin(), p.prob.end());
  t.smoothed.insert(t.smoothed.end(), p.smoothed.begin(), p.smoothed.end());
  t.label.insert(t.label.end(), p.label.begin(), p.label.end());
  t.mean_hr.insert(t.mean_hr.end(), p.mean_hr.begin(), p.mean_hr.end());
  for (std::size_t i = 0; i < p.prob.size(); ++i) t.low_quality.push_back(p.usable.empty() || p.usable[i] ? 0 : 1);
  t.time_s.insert(t.time_s.end(), p.time_s.begin(), p.time_s.end());
  t.record.insert(t.record.end(), p.prob.size(), r);
  for (const auto& e : p.hyp) {
    t.event_record.push_back(r);
    t.event_start_s.push_back(e.start_s);
    t.event_stop_s.push_back(e.stop_s);
    t.event_probability.push_back(e.probability);
    t.event_alarm_s.push_back(e.alarm_s);
  }
  for (const auto& e : p.ref) {
    t.reference_record.push_back(r);
    t.reference_start_s.push_back(e.start_s);
    t.reference_stop_s.push_back(e.stop_s);
  }
  t.path.push_back(p.row.path);
  t.patient.push_back(p.row.patient);
  t.status.push_back(p.row.status);
  t.message.push_back(p.row.message);
  t.annotation.push_back(p.row.annotation);
  t.duration_s.push_back(p.row.duration_s);
}

}  // namespace ecgforest::pipeline

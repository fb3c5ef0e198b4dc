#include "ecgforest/pipeline/predict_edf.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <mutex>
#include <sstream>

#include <omp.h>

#include "ecgforest/core/clock.hpp"
#include "ecgforest/core/error.hpp"
#include "ecgforest/eval/quality_gate.hpp"
#include "ecgforest/eval/responders.hpp"
#include "ecgforest/io/annotation_writer.hpp"
#include "ecgforest/io/annotations.hpp"
#include "ecgforest/io/beat_file.hpp"
#include "ecgforest/io/edf_reader.hpp"
#include "ecgforest/io/features_file.hpp"
#include "ecgforest/io/h5.hpp"
#include "ecgforest/io/model_file.hpp"
#include "ecgforest/parallel/mpi.hpp"
#include "ecgforest/parallel/work_queue.hpp"
#include "ecgforest/pipeline/extract.hpp"
#include "ecgforest/pipeline/inputs.hpp"
#include "ecgforest/version.hpp"

namespace ecgforest::pipeline {
namespace {

// What one rank produced for one recording (moved to rank 0 as bytes).
struct Predicted {
  std::uint64_t index = 0;
  io::RecordRow row;
  std::vector<double> time_s;
  std::vector<float> prob, smoothed, label, mean_hr;
  std::vector<std::uint8_t> usable;  // postprocess.min_sqi gate per window; empty = no sqi column
  std::vector<eval::Event> hyp, ref;
  bool has_ref = false;
};

void put_events(parallel::Writer& w, const std::vector<eval::Event>& ev) {
  w.u64(ev.size());
  for (const auto& e : ev) {
    w.f64(e.start_s);
    w.f64(e.stop_s);
    w.f64(e.probability);
  }
}

std::vector<eval::Event> get_events(parallel::Reader& r) {
  std::vector<eval::Event> ev(r.u64());
  for (auto& e : ev) {
    e.start_s = r.f64();
    e.stop_s = r.f64();
    e.probability = r.f64();
  }
  return ev;
}

void serialize(parallel::Writer& w, const Predicted& p) {
  w.u64(p.index);
  w.str(p.row.path);
  w.str(p.row.patient);
  w.str(p.row.status);
  w.str(p.row.message);
  w.str(p.row.annotation);
  w.f64(p.row.duration_s);
  w.pod_vector(p.time_s);
  w.pod_vector(p.prob);
  w.pod_vector(p.smoothed);
  w.pod_vector(p.label);
  w.pod_vector(p.mean_hr);
  w.pod_vector(p.usable);
  put_events(w, p.hyp);
  put_events(w, p.ref);
  w.u64(p.has_ref ? 1 : 0);
}

Predicted deserialize(parallel::Reader& r) {
  Predicted p;
  p.index = r.u64();
  p.row.path = r.str();
  p.row.patient = r.str();
  p.row.status = r.str();
  p.row.message = r.str();
  p.row.annotation = r.str();
  p.row.duration_s = r.f64();
  p.time_s = r.pod_vector<double>();
  p.prob = r.pod_vector<float>();
  p.smoothed = r.pod_vector<float>();
  p.label = r.pod_vector<float>();
  p.mean_hr = r.pod_vector<float>();
  p.usable = r.pod_vector<std::uint8_t>();
  p.hyp = get_events(r);
  p.ref = get_events(r);
  p.has_ref = r.u64() != 0;
  return p;
}

std::vector<io::AnnotationEvent> to_annotation_events(const std::vector<eval::Event>& ev) {
  std::vector<io::AnnotationEvent> out;
  for (const auto& e : ev) {
    io::AnnotationEvent a;
    a.start_s = e.start_s;
    a.stop_s = e.stop_s;
    a.label = "seiz";
    a.confidence = e.probability;
    out.push_back(a);
  }
  return out;
}

void write_string_dataset(hid_t parent, const std::string& name, const std::vector<std::string>& values) {
  io::h5::Handle type = io::h5::vlen_string_type();
  const hsize_t n = values.size();
  io::h5::Handle space = io::h5::dataspace_handle(H5Screate_simple(1, &n, nullptr), "Cannot create a dataspace.");
  io::h5::Handle lcpl = io::h5::plist_handle(H5Pcreate(H5P_LINK_CREATE), "Cannot create a link property list.");
  io::h5::check_status(H5Pset_create_intermediate_group(lcpl, 1), "Cannot enable intermediate groups.");
  io::h5::Handle ds = io::h5::dataset_handle(H5Dcreate2(parent, name.c_str(), type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT),
                                             "Cannot create the dataset " + name + ".");
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  if (n > 0) io::h5::check_status(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), "Cannot write " + name + ".");
}

// Wall-clock start of a recording, which converts ISO timestamps in its annotations: the EDF
// header's (header only), or an RR table's timestamps; a beats file has none.
std::optional<io::StartDateTime> recording_start(const std::filesystem::path& file) {
  switch (io::recording_kind(file)) {
    case io::RecordingKind::edf: return io::EdfFile(file).info().start;
    case io::RecordingKind::rr_csv: return io::read_beat_file(file).start;
    case io::RecordingKind::beats_csv: break;
  }
  return std::nullopt;
}

// Reference seizure events of a recording (only seizure labels), or nothing without annotation.
std::vector<eval::Event> reference_events(const InputRecording& rec, const std::string& annotation, bool& has_ref) {
  has_ref = false;
  if (annotation.empty()) return {};
  const auto ann = io::read_annotations(annotation, recording_start(rec.edf));
  std::vector<eval::Event> out;
  for (const auto& e : ann.events) {
    if (io::is_seizure_label(e.label)) out.push_back({e.start_s, e.stop_s, e.confidence});
  }
  has_ref = true;
  return eval::merge_overlapping(out);
}

std::string fmt(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string recording_name(const Predicted& p) { return io::recording_name(p.row.path); }

std::vector<eval::Event> shifted(std::vector<eval::Event> ev, double by_s) {
  for (auto& e : ev) {
    e.start_s += by_s;
    e.stop_s += by_s;
  }
  return ev;
}

// OUT_DIR/NAME.tse_bi, NAME.csv_bi and the SzCORE NAME_events.tsv: the detected seizures of one recording.
void write_hypotheses(const std::filesystem::path& out_dir, const std::string& stem, const std::vector<eval::Event>& hyp,
                      double duration_s) {
  const auto sz = to_annotation_events(hyp);
  io::write_text_file_atomic(out_dir / (stem + ".tse_bi"), io::tse_bi_text(sz, duration_s));
  io::write_text_file_atomic(out_dir / (stem + ".csv_bi"), io::csv_bi_text(sz, duration_s, stem));
  io::write_text_file_atomic(out_dir / io::events_tsv_name(stem), io::events_tsv_text(sz, duration_s));
}

// Heart-rate traces, references and detections of the scored recordings (responders).
std::vector<eval::RecordingHeartRate> heart_rates(const std::vector<Predicted>& all) {
  std::vector<eval::RecordingHeartRate> out;
  for (const auto& p : all) {
    if (p.row.status == "ok" && p.has_ref) out.push_back({recording_name(p), p.row.patient, p.time_s, p.mean_hr, p.ref, p.hyp});
  }
  return out;
}

// Patient-tailored thresholds (postprocess.tailor_hours): the scored parts detected both ways.
struct Tailoring {
  eval::TailoredDetection td;
  std::vector<eval::ScoredRecording> scored_independent, scored_tailored;  // recordings with references
  std::vector<eval::RecordingHeartRate> hr_independent, hr_tailored;
};

// Tailors every patient's threshold on its first tailor_hours and replaces each recording's
// detections (and its NAME.tse_bi/csv_bi) with the tailored ones; the baseline hours get none.
Tailoring tailor_predictions(std::vector<Predicted>& all, const PostprocessSettings& pp, double step_s,
                             const std::filesystem::path& out_dir) {
  std::vector<eval::RecordingProbabilities> in;
  std::vector<std::size_t> pos;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& p = all[i];
    if (p.row.status != "ok") continue;
    in.push_back({recording_name(p), p.row.patient, p.row.duration_s, p.time_s, p.prob, p.ref, p.usable});
    pos.push_back(i);
  }
  Tailoring t;
  t.td = eval::detect_tailored(in, step_s, pp, pp.tailor_hours, pp.tailor_margin);
  for (std::size_t i : pos) all[i].hyp.clear();
  for (std::size_t k = 0; k < t.td.index.size(); ++k) {
    auto& p = all[pos[t.td.index[k]]];
    const double from = t.td.from_s[k];
    p.hyp = shifted(t.td.tailored[k].hyp, from);
    if (!p.has_ref) continue;
    t.scored_independent.push_back(t.td.independent[k]);
    t.scored_tailored.push_back(t.td.tailored[k]);
    const auto ref = shifted(t.td.tailored[k].ref, from);
    t.hr_independent.push_back({recording_name(p), p.row.patient, p.time_s, p.mean_hr, ref, shifted(t.td.independent[k].hyp, from)});
    t.hr_tailored.push_back({recording_name(p), p.row.patient, p.time_s, p.mean_hr, ref, p.hyp});
  }
  for (std::size_t i : pos) write_hypotheses(out_dir, recording_name(all[i]), all[i].hyp, all[i].row.duration_s);
  return t;
}

// One detection variant of the tailoring block: NEDC scores and responders on the scored hours.
std::string variant_json(const std::vector<eval::ScoredRecording>& scored, const std::vector<eval::RecordingHeartRate>& hr) {
  JsonWriter r;
  r.begin_object().key("responders");
  eval::write_responders_json(r, eval::summarize_responders(hr));
  r.end_object();
  return json_object_union(eval::score_json(eval::score_recordings(scored)), r.str());
}

void write_tailoring_json(JsonWriter& j, const Tailoring& t, const PostprocessSettings& pp) {
  j.begin_object();
  j.key("tailor_hours").value(pp.tailor_hours);
  j.key("margin").value(pp.tailor_margin);
  j.key("fa_budget_per_24h").value(pp.fa_budget_per_24h);
  j.key("patient_independent_threshold").value(pp.threshold);
  j.key("baseline_hours").value(t.td.baseline_hours);
  j.key("per_patient").begin_object();
  for (const auto& [id, th] : t.td.per_patient) {
    j.key(id).begin_object().key("threshold").value(th.threshold).key("lowest_quiet").value(th.lowest_quiet);
    j.key("baseline_hours").value(th.baseline_hours).key("baseline_alarms").value(static_cast<std::uint64_t>(th.baseline_alarms));
    j.key("fallback").value(th.fallback);
    j.end_object();
  }
  j.end_object();
  j.key("patient_independent").raw(variant_json(t.scored_independent, t.hr_independent));
  j.key("tailored").raw(variant_json(t.scored_tailored, t.hr_tailored));
  j.end_object();
}

std::string tailoring_text(const Tailoring& t, const PostprocessSettings& pp) {
  const auto a = eval::score_recordings(t.scored_independent), b = eval::score_recordings(t.scored_tailored);
  std::ostringstream os;
  os << "predict: tailored thresholds for " << t.td.per_patient.size() << " patient(s) on their first "
     << pp.tailor_hours << " h (" << fmt(t.td.baseline_hours, 1) << " baseline h, not scored); on the "
     << fmt(a.total_s / 3600.0, 1) << " scored h: patient-independent OVLP sensitivity " << fmt(a.ovlp_sensitivity, 3)
     << " (" << a.ovlp.hits << "/" << a.ovlp.n_ref << ") at " << fmt(a.ovlp_fa_per_24h, 2)
     << " FA/24h; tailored " << fmt(b.ovlp_sensitivity, 3) << " (" << b.ovlp.hits << "/" << b.ovlp.n_ref << ") at "
     << fmt(b.ovlp_fa_per_24h, 2) << " FA/24h\n";
  return os.str();
}

// One column of /windows/features by name (NaN everywhere when the file has no such column).
std::vector<float> read_feature_column(hid_t f, const std::string& name, std::size_t n_rows) {
  namespace h5 = io::h5;
  std::vector<float> out(n_rows, std::numeric_limits<float>::quiet_NaN());
  h5::Handle ds = h5::dataset_handle(H5Dopen2(f, "/windows/features", H5P_DEFAULT), "Cannot open /windows/features.");
  const auto cols = h5::read_string_list_attribute(ds, "columns");
  const auto it = std::find(cols.begin(), cols.end(), name);
  if (it == cols.end() || n_rows == 0) return out;
  h5::read_rows<float>(ds, H5P_DEFAULT, 0, n_rows, static_cast<hsize_t>(it - cols.begin()), 1, out.data(),
                       "column " + name + " of /windows/features");
  return out;
}


// The extract settings the features file was written with (stored configuration), else config's.
ExtractSettings features_extract(const std::filesystem::path& features, const Config& config) {
  try {
    Config fc;
    apply_config_text(fc, io::read_features_summary(features).config_toml, features.string());
    return fc.extract;
  } catch (const std::exception&) {
    return config.extract;
  }
}

// Windows of one feature window: the shortest stretch above the gate trusted between bad ones.
std::size_t gate_min_run(const ExtractSettings& ex) {
  return static_cast<std::size_t>(std::max(1.0, std::round(ex.window_s / ex.step_s)));
}

// Quality-gate flags (eval::quality_flags, per recording) of every window of a features file;
// empty when the gate is off or the file has no `sqi` column (then every window is usable).
std::vector<std::uint8_t> file_quality_flags(hid_t f, const std::vector<std::uint32_t>& record, double min_sqi,
                                             std::size_t min_run) {
  if (!(min_sqi > 0)) return {};
  io::h5::Handle ds = io::h5::dataset_handle(H5Dopen2(f, "/windows/features", H5P_DEFAULT), "Cannot open /windows/features.");
  const auto cols = io::h5::read_string_list_attribute(ds, "columns");
  if (std::find(cols.begin(), cols.end(), "sqi") == cols.end()) return {};
  const auto sqi = read_feature_column(f, "sqi", record.size());
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < record.size();) {
    std::size_t j = i;
    while (j < record.size() && record[j] == record[i]) ++j;
    const std::vector<float> one(sqi.begin() + static_cast<std::ptrdiff_t>(i), sqi.begin() + static_cast<std::ptrdiff_t>(j));
    const auto part = eval::quality_flags(one, min_sqi, min_run);
    out.insert(out.end(), part.begin(), part.end());
    i = j;
  }
  return out;
}

// One column of a feature matrix as floats.
std::vector<float> column(const io::FeatureRows& m, Eigen::Index c) {
  std::vector<float> out(static_cast<std::size_t>(m.rows()));
  for (Eigen::Index i = 0; i < m.rows(); ++i) out[static_cast<std::size_t>(i)] = m(i, c);
  return out;
}

}  // namespace

PredictEdfSummary run_predict_edf(MPI_Comm comm, const Config& config_in, const std::filesystem::path& model_path,
                                  const std::filesystem::path& out_dir, std::ostream* log) {
  const double t0 = now_s();
  const int me = parallel::rank(comm);
  Config config = config_in;
  std::string err, note;
  forest::Forest model;
  std::vector<InputRecording> recs;
  try {
    io::ModelMeta meta;
    model = io::read_model_file(model_path, &meta);
    // Features must be computed as in training: take the window settings from the model.
    try {
      Config mc;
      apply_config_text(mc, meta.config_toml, model_path.string() + " (stored configuration)");
      config.extract.window_s = mc.extract.window_s;
      config.extract.step_s = mc.extract.step_s;
      config.extract.detector = mc.extract.detector;
      if (!meta.postprocess_toml.empty() && config.postprocess.select == "cv") {
        Config pc;
        apply_config_text(pc, meta.postprocess_toml, model_path.string() + " (post-processing chosen in training)");
        config.postprocess = effective_postprocess(config, pc.postprocess);
      }
    } catch (const std::exception& e) {
      note = std::string("could not use the model's stored extract settings (") + e.what() +
             "); using the command's window_s/step_s/detector.";
    }
    std::error_code ec;
    std::filesystem::create_directories(out_dir, ec);
    if (ec) throw Error("Cannot create the output directory " + out_dir.string() + ": " + ec.message() + ".");
    if (me == 0) recs = expand_inputs(config.input, config.extract);
  } catch (const std::exception& e) {
    err = e.what();
  }
  if (auto e = parallel::agree_on_error(comm, err); !e.empty()) throw CollectiveError(e);

  // Model columns inside the extracted feature matrix.
  const auto columns = feature_columns(config);
  const auto hr_it = std::find(columns.begin(), columns.end(), std::string("mean_hr"));
  const bool has_hr = hr_it != columns.end();
  const auto hr_col = static_cast<Eigen::Index>(hr_it - columns.begin());
  const auto sqi_it = std::find(columns.begin(), columns.end(), std::string("sqi"));
  const bool gate = sqi_it != columns.end() && config.postprocess.min_sqi > 0;
  const auto sqi_col = static_cast<Eigen::Index>(sqi_it - columns.begin());
  std::vector<std::size_t> col;
  std::string missing;
  for (const auto& name : model.feature_names) {
    auto it = std::find(columns.begin(), columns.end(), name);
    if (it == columns.end()) {
      missing += (missing.empty() ? "" : ", ") + name;
    } else {
      col.push_back(static_cast<std::size_t>(it - columns.begin()));
    }
  }
  if (!missing.empty()) {
    throw CollectiveError("The model " + model_path.string() + " needs features this build does not compute: " + missing +
                          ". Retrain the model with this version of ecgforest.");
  }

  broadcast_recordings(comm, recs);
  {  // OUT_DIR/<stem>.tse_bi per recording: two inputs with one file name would overwrite each other.
    std::map<std::string, std::string> seen;
    for (const auto& r : recs) {
      const auto [it, fresh] = seen.emplace(io::recording_name(r.edf), r.edf.string());
      if (!fresh) {
        throw CollectiveError("Two inputs share the file name '" + it->first + "': " + it->second + " and " +
                              r.edf.string() + "; their annotation files in " + out_dir.string() +
                              " would overwrite each other. Predict them in separate runs (different --output).");
      }
    }
  }
  const std::vector<std::size_t> order = largest_first(recs);

  const double step_s = config.extract.step_s;
  std::vector<Predicted> local;
  std::mutex local_mutex;  // recordings run on several threads
  std::string work_error;
  try {
    parallel::run_dynamic(comm, order.size(), [&](std::size_t pos) {
      const std::size_t idx = order[pos];
      auto res = process_recording(recs[idx], idx, config);
      Predicted p;
      p.index = idx;
      p.row = res.row;
      if (res.row.status == "ok") {
        const auto n = static_cast<std::size_t>(res.features.rows());
        std::vector<float> x(n * col.size());
        for (std::size_t i = 0; i < n; ++i) {
          for (std::size_t j = 0; j < col.size(); ++j) {
            x[i * col.size() + j] = res.features(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(col[j]));
          }
        }
        p.prob = n ? model.predict_proba(x.data(), n) : std::vector<float>{};
        p.mean_hr.assign(n, std::numeric_limits<float>::quiet_NaN());
        if (has_hr) {
          for (std::size_t i = 0; i < n; ++i) p.mean_hr[i] = res.features(static_cast<Eigen::Index>(i), hr_col);
        }
        p.time_s = std::move(res.time_s);
        p.label = std::move(res.label);
        const auto& pp = config.postprocess;
        if (gate) p.usable = eval::quality_flags(column(res.features, sqi_col), pp.min_sqi, gate_min_run(config.extract));
        p.smoothed = eval::gated_smoothing(p.prob, p.usable, pp.smoothing, pp.smoothing_windows);
        p.hyp = eval::gated_events(p.time_s, p.smoothed, p.usable, step_s, pp.threshold, pp.min_duration_s, pp.merge_gap_s);
        try {
          p.ref = reference_events(recs[idx], p.row.annotation, p.has_ref);
        } catch (const std::exception& e) {
          p.has_ref = false;
          p.row.message += std::string(p.row.message.empty() ? "" : " ") + "Reference not scored: " + e.what();
        }
        write_hypotheses(out_dir, io::recording_name(recs[idx].edf), p.hyp, p.row.duration_s);
      }
      const double d = res.row.duration_s;
      std::lock_guard<std::mutex> lock(local_mutex);
      local.push_back(std::move(p));
      return d;
    }, nullptr, omp_get_max_threads());  // whole recordings per OpenMP thread, as in extract
  } catch (const std::exception& e) {
    work_error = e.what();
  }
  if (auto e = parallel::agree_on_error(comm, work_error); !e.empty()) throw CollectiveError("Prediction failed: " + e);

  parallel::Writer mine;
  for (const auto& p : local) serialize(mine, p);
  const auto all_bytes = parallel::gather_bytes(comm, mine.bytes(), 0);

  PredictEdfSummary s;
  std::string write_err;
  if (me == 0) {
    try {
      std::vector<Predicted> all;
      parallel::Reader rd(all_bytes.data(), all_bytes.size());
      while (!rd.done()) all.push_back(deserialize(rd));
      std::sort(all.begin(), all.end(), [](const Predicted& a, const Predicted& b) { return a.index < b.index; });
      s.n_records = all.size();
      std::optional<Tailoring> tailoring;
      if (config.postprocess.tailor_hours > 0) tailoring = tailor_predictions(all, config.postprocess, step_s, out_dir);
      // Window arrays in input order.
      std::vector<float> prob, smoothed, label, mean_hr;
      std::vector<std::uint8_t> low_quality;
      std::vector<std::uint32_t> record, ev_rec, ref_rec;
      std::vector<double> time_s, ev_start, ev_stop, ev_p, ref_start, ref_stop, duration;
      std::vector<std::uint64_t> first, count;
      std::vector<std::string> path, patient, status, message, annotation;
      std::vector<eval::ScoredRecording> scored;
      std::vector<eval::RecordingProbabilities> sweep_in;
      std::vector<std::string> failures;
      for (std::uint32_t r = 0; r < all.size(); ++r) {
        const auto& p = all[r];
        first.push_back(prob.size());
        count.push_back(p.prob.size());
        prob.insert(prob.end(), p.prob.begin(), p.prob.end());
        smoothed.insert(smoothed.end(), p.smoothed.begin(), p.smoothed.end());
        label.insert(label.end(), p.label.begin(), p.label.end());
        mean_hr.insert(mean_hr.end(), p.mean_hr.begin(), p.mean_hr.end());
        for (std::size_t i = 0; i < p.prob.size(); ++i) low_quality.push_back(p.usable.empty() || p.usable[i] ? 0 : 1);
        time_s.insert(time_s.end(), p.time_s.begin(), p.time_s.end());
        record.insert(record.end(), p.prob.size(), r);
        for (const auto& e : p.hyp) {
          ev_rec.push_back(r);
          ev_start.push_back(e.start_s);
          ev_stop.push_back(e.stop_s);
          ev_p.push_back(e.probability);
        }
        for (const auto& e : p.ref) {
          ref_rec.push_back(r);
          ref_start.push_back(e.start_s);
          ref_stop.push_back(e.stop_s);
        }
        path.push_back(p.row.path);
        patient.push_back(p.row.patient);
        status.push_back(p.row.status);
        message.push_back(p.row.message);
        annotation.push_back(p.row.annotation);
        duration.push_back(p.row.duration_s);
        if (p.row.status == "ok") {
          ++s.n_ok;
          s.hours += p.row.duration_s / 3600.0;
          s.n_events += p.hyp.size();
        } else {
          ++s.n_failed;
          failures.push_back(p.row.path + ": " + p.row.status + ": " + p.row.message);
        }
        if (p.row.status == "ok" && p.has_ref) {
          const std::string name = io::recording_name(p.row.path);
          scored.push_back({name, p.row.patient, p.row.duration_s, p.ref, p.hyp});
          sweep_in.push_back({name, p.row.patient, p.row.duration_s, p.time_s, p.prob, p.ref, p.usable});
        }
      }
      namespace h5 = io::h5;
      h5::init_error_handling();
      const auto out = out_dir / "predictions.h5";
      const std::filesystem::path tmp = out.string() + ".partial";
      {
        h5::Handle f = h5::file_handle(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
                                       "Cannot create " + tmp.string() + "; check that the directory is writable.");
        h5::write_dataset<float>(f, "/windows/probability", {prob.size()}, prob.data());
        h5::write_dataset<float>(f, "/windows/smoothed", {smoothed.size()}, smoothed.data());
        h5::write_dataset<float>(f, "/windows/label", {label.size()}, label.data());
        h5::write_dataset<float>(f, "/windows/mean_hr", {mean_hr.size()}, mean_hr.data());
        h5::write_dataset<std::uint8_t>(f, "/windows/low_quality", {low_quality.size()}, low_quality.data());
        h5::write_dataset<std::uint32_t>(f, "/windows/record", {record.size()}, record.data());
        h5::write_dataset<double>(f, "/windows/time_s", {time_s.size()}, time_s.data());
        write_string_dataset(f, "/records/path", path);
        write_string_dataset(f, "/records/patient", patient);
        write_string_dataset(f, "/records/status", status);
        write_string_dataset(f, "/records/message", message);
        write_string_dataset(f, "/records/annotation", annotation);
        h5::write_dataset<double>(f, "/records/duration_s", {duration.size()}, duration.data());
        h5::write_dataset<std::uint64_t>(f, "/records/first_window", {first.size()}, first.data());
        h5::write_dataset<std::uint64_t>(f, "/records/n_windows", {count.size()}, count.data());
        h5::write_dataset<std::uint32_t>(f, "/events/record", {ev_rec.size()}, ev_rec.data());
        h5::write_dataset<double>(f, "/events/start_s", {ev_start.size()}, ev_start.data());
        h5::write_dataset<double>(f, "/events/stop_s", {ev_stop.size()}, ev_stop.data());
        h5::write_dataset<double>(f, "/events/probability", {ev_p.size()}, ev_p.data());
        h5::write_dataset<std::uint32_t>(f, "/reference/record", {ref_rec.size()}, ref_rec.data());
        h5::write_dataset<double>(f, "/reference/start_s", {ref_start.size()}, ref_start.data());
        h5::write_dataset<double>(f, "/reference/stop_s", {ref_stop.size()}, ref_stop.data());
        h5::write_string_attribute(f, "format", "ecgforest-predictions/1");
        h5::write_string_attribute(f, "config", to_toml(config));
        h5::write_string_attribute(f, "version", kVersion);
        h5::write_string_attribute(f, "created", io::utc_now_iso());
        h5::write_string_attribute(f, "model", model_path.string());
        h5::write_string_attribute(f, "window_s", fmt(config.extract.window_s, 6));
        h5::write_string_attribute(f, "step_s", fmt(config.extract.step_s, 6));
        f.close("Closing " + tmp.string() + " failed; the disk may be full.");
      }
      std::filesystem::rename(tmp, out);
      if (tailoring) scored = tailoring->scored_tailored;  // the same hours as the baseline-free comparison
      if (!scored.empty()) {
        s.score = eval::score_recordings(scored);
        const auto sweep = eval::sweep_thresholds(sweep_in, step_s, config.postprocess, eval::default_thresholds());
        const auto best = eval::best_under_budget(sweep, config.postprocess.fa_budget_per_24h);
        JsonWriter extra;
        extra.begin_object().key("postprocess");
        write_postprocess_json(extra, config.postprocess);
        extra.key("responders");
        eval::write_responders_json(extra, eval::summarize_responders(tailoring ? tailoring->hr_tailored : heart_rates(all)));
        if (tailoring) {
          extra.key("tailoring");
          write_tailoring_json(extra, *tailoring, config.postprocess);
        }
        extra.end_object();
        io::write_text_file_atomic(out_dir / "score.json",
                                   json_object_union(eval::score_json(s.score, sweep, best, config.postprocess.fa_budget_per_24h),
                                                     extra.str()) + "\n");
        s.scored = true;
        s.n_scored = scored.size();
      }
      s.seconds = now_s() - t0;
      if (log) {
        std::ostringstream os;
        if (!note.empty()) os << "predict: note: " << note << "\n";
        os << "predict: " << s.n_records << " recordings: " << s.n_ok << " ok, " << s.n_failed << " skipped; "
           << fmt(s.hours, 2) << " ECG hours, " << s.n_events << " seizure events detected in " << fmt(s.seconds, 1)
           << " s on " << parallel::size(comm) << " rank(s)\n";
        for (const auto& l : failures) os << "  " << l << "\n";
        os << "predict: annotations (NAME.tse_bi, NAME.csv_bi) and predictions.h5 written to " << out_dir.string() << "\n";
        if (config.postprocess.min_sqi > 0)
          os << "predict: quality gate: " << std::count(low_quality.begin(), low_quality.end(), 1) << " of "
             << low_quality.size() << " windows gated (sqi below postprocess.min_sqi " << config.postprocess.min_sqi
             << ", or next to such windows): they cannot start or extend an event\n";
        if (tailoring) os << tailoring_text(*tailoring, config.postprocess);
        if (s.scored) {
          os << "predict: scored " << s.n_scored << " recordings with reference annotations (threshold "
             << config.postprocess.threshold << "): OVLP sensitivity " << fmt(s.score.ovlp_sensitivity, 3) << " ("
             << s.score.ovlp.hits << "/" << s.score.ovlp.n_ref << "), " << fmt(s.score.ovlp_fa_per_24h, 2)
             << " FA/24h; TAES sensitivity " << fmt(s.score.taes_sensitivity, 3) << ", "
             << fmt(s.score.taes_fa_per_24h, 2) << " FA/24h -> " << (out_dir / "score.json").string() << "\n";
        }
        *log << os.str() << std::flush;
      }
    } catch (const std::exception& e) {
      write_err = e.what();
    }
  }
  if (auto e = parallel::agree_on_error(comm, write_err); !e.empty()) throw CollectiveError(e);
  // Share the counts so every rank can decide the exit status.
  double c[2] = {static_cast<double>(s.n_ok), static_cast<double>(s.n_failed)};
  parallel::check_mpi(MPI_Bcast(c, 2, MPI_DOUBLE, 0, comm), "MPI_Bcast (predict summary)");
  s.n_ok = static_cast<std::size_t>(c[0]);
  s.n_failed = static_cast<std::size_t>(c[1]);
  if (s.n_ok == 0) throw CollectiveError("No recording was usable for prediction; see the skipped list above.");
  return s;
}

std::optional<eval::PostprocessChoice> write_cv_event_scores(JsonWriter& j, const std::filesystem::path& features,
                                                             const std::vector<float>& oof, const Config& config) {
  std::string why;
  std::vector<float> mean_hr;  // per labelled window, in the order of oof
  std::vector<eval::RecordingProbabilities> recs;
  std::size_t unreadable = 0;
  try {
    const auto summary = io::read_features_summary(features);
    namespace h5 = io::h5;
    h5::init_error_handling();
    h5::Handle f = h5::file_handle(H5Fopen(features.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT),
                                   "Cannot open " + features.string() + " to score the cross-validation at event level.");
    const auto label = h5::read_dataset<float>(f, "/windows/label");
    const auto record = h5::read_dataset<std::uint32_t>(f, "/windows/record");
    const auto time_s = h5::read_dataset<double>(f, "/windows/time_s");
    const auto all_hr = read_feature_column(f, "mean_hr", label.size());
    const auto all_usable =
        file_quality_flags(f, record, config.postprocess.min_sqi, gate_min_run(features_extract(features, config)));
    std::size_t n_train = 0;
    for (float l : label) n_train += std::isfinite(l) ? 1 : 0;
    if (n_train != oof.size() || record.size() != label.size() || time_s.size() != label.size()) {
      why = "skipped: the training rows (" + std::to_string(oof.size()) + ") are not the labelled windows of the file (" +
            std::to_string(n_train) + "), e.g. because of train.min_sqi";
    } else {
      std::map<std::uint32_t, std::size_t> slot;  // record → position in recs
      std::size_t t = 0;
      for (std::size_t i = 0; i < label.size(); ++i) {
        if (!std::isfinite(label[i])) continue;
        const auto r = record[i];
        auto it = slot.find(r);
        if (it == slot.end()) {
          if (r >= summary.records.size()) throw Error("/windows/record names a missing /records row.");
          const auto& row = summary.records[r];
          eval::RecordingProbabilities rp;
          rp.name = io::recording_name(row.path);
          rp.patient = row.patient;
          rp.duration_s = row.duration_s;
          bool has_ref = false;
          try {
            InputRecording in;
            in.edf = row.path;
            rp.ref = reference_events(in, row.annotation, has_ref);
          } catch (const std::exception&) {
            has_ref = false;
          }
          if (!has_ref) {
            ++unreadable;
            slot[r] = std::numeric_limits<std::size_t>::max();
          } else {
            slot[r] = recs.size();
            recs.push_back(std::move(rp));
          }
          it = slot.find(r);
        }
        if (it->second != std::numeric_limits<std::size_t>::max()) {
          recs[it->second].window_end_s.push_back(time_s[i]);
          recs[it->second].prob.push_back(oof[t]);
          if (!all_usable.empty()) recs[it->second].usable.push_back(all_usable[i]);
          mean_hr.push_back(all_hr[i]);
        }
        ++t;
      }
      if (recs.empty()) why = "skipped: no recording's annotation file could be read again";
    }
  } catch (const std::exception& e) {
    why = std::string("skipped: ") + e.what();
  }
  if (!why.empty()) {
    j.value(why);
    return std::nullopt;
  }
  auto pp = config.postprocess;
  const double step_s = features_extract(features, config).step_s;
  std::optional<eval::PostprocessChoice> choice;
  if (pp.select == "cv") {
    choice = eval::choose_postprocess(recs, step_s, pp, fixed_postprocess(config));
    pp = choice->chosen;
  }
  std::vector<eval::ScoredRecording> scored;
  std::vector<eval::RecordingHeartRate> hr;
  std::size_t w = 0;
  for (const auto& r : recs) {
    scored.push_back({r.name, r.patient, r.duration_s, r.ref, eval::gated_postprocess(r.window_end_s, r.prob, r.usable, step_s, pp)});
    const auto n = static_cast<std::ptrdiff_t>(r.prob.size());
    hr.push_back({r.name, r.patient, r.window_end_s, {mean_hr.begin() + w, mean_hr.begin() + w + n}, r.ref,
                  scored.back().hyp});
    w += r.prob.size();
  }
  const auto sum = eval::score_recordings(scored);
  const auto sweep = eval::sweep_thresholds(recs, step_s, pp, eval::default_thresholds());
  JsonWriter score, extra;
  eval::write_score_json(score, sum, sweep, eval::best_under_budget(sweep, pp.fa_budget_per_24h), pp.fa_budget_per_24h);
  extra.begin_object().key("responders");
  eval::write_responders_json(extra, eval::summarize_responders(hr));
  extra.key("postprocess");
  write_postprocess_json(extra, pp);
  extra.end_object();
  j.raw(json_object_union(score.str(), extra.str()));
  if (unreadable > 0) {
    std::fprintf(stderr, "train: note: %zu recording(s) left out of the event-level CV scores (annotation not readable)\n",
                 unreadable);
  }
  return choice;
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

void write_postprocess_json(JsonWriter& j, const PostprocessSettings& pp) {
  j.begin_object();
  j.key("smoothing").value(pp.smoothing);
  j.key("smoothing_windows").value(pp.smoothing_windows);
  j.key("threshold").value(pp.threshold);
  j.key("min_duration_s").value(pp.min_duration_s);
  j.key("merge_gap_s").value(pp.merge_gap_s);
  j.end_object();
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

}  // namespace ecgforest::pipeline

#include "ecgforest/pipeline/tailor_retrain.hpp"

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "ecgforest/comm/mpi.hpp"
#include "ecgforest/core/clock.hpp"
#include "ecgforest/core/error.hpp"
#include "ecgforest/core/hash.hpp"
#include "ecgforest/core/text.hpp"
#include "ecgforest/io/features_merge.hpp"
#include "ecgforest/io/text_file.hpp"
#include "ecgforest/pipeline/extract.hpp"
#include "ecgforest/pipeline/stage.hpp"
#include "ecgforest/pipeline/train.hpp"

namespace ecgforest::pipeline {
namespace {

namespace fs = std::filesystem;

// A folder name for a patient id: letters, digits, '.', '-' and '_' kept, anything else '_'
// (a second patient with the same folder name gets "_2", "_3", ...).
std::string folder_name(const std::string& patient, std::set<std::string>& used) {
  std::string s;
  for (char ch : patient) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
                    (ch == '.' && !s.empty());
    s += ok ? ch : '_';
  }
  if (s.empty()) s = "patient";
  std::string name = s;
  for (int k = 2; !used.insert(name).second; ++k) name = s + "_" + std::to_string(k);
  return name;
}

// The baseline recordings of each patient, in patient order.
std::map<std::string, std::vector<InputRecording>> by_patient(const std::vector<InputRecording>& baseline) {
  std::map<std::string, std::vector<InputRecording>> out;
  for (const auto& r : baseline) out[r.patient].push_back(r);
  return out;
}

// What a patient's model is made from: the program and extraction settings, the training
// settings and copies, FEATURES and the baseline files (path, size, modification time).
std::string retrain_fingerprint(const Config& config, const Config& training, const std::vector<InputRecording>& recs) {
  Config extraction = config;  // without the post-processing and tailoring keys (threshold, margin, ...)
  extraction.postprocess = PostprocessSettings{};
  extraction.tailor_baseline.clear();
  extraction.tailor_retrain.clear();
  std::string s = extraction_fingerprint(extraction) + "\ntraining=" + to_toml(training) +
                  "\nhours=" + number_text(config.postprocess.tailor_hours) + "\ncopies=" + std::to_string(config.tailor_copies) +
                  "\nfeatures=" + file_identity(config.tailor_retrain);
  Hasher h;
  h.text(s);
  for (const auto& r : recs) h.text(recording_identity(r));
  return h.hex();
}

// DIR/retrained.txt, written once the model is: a later run with the same fingerprint reuses it.
std::filesystem::path done_file(const RetrainedModel& m) { return m.dir / "retrained.txt"; }

void write_done(const RetrainedModel& m, const std::string& fingerprint) {
  std::ostringstream os;
  os << std::setprecision(17) << "fingerprint=" << fingerprint << "\nbaseline_recordings=" << m.baseline_recordings
     << "\nbaseline_hours=" << m.baseline_hours << "\n";
  io::write_text_file_atomic(done_file(m), os.str());
}

// Rank 0: true (and the baseline figures filled in) when DIR holds a model of this fingerprint.
bool read_done(RetrainedModel& m, const std::string& fingerprint) {
  std::ifstream in(done_file(m));
  std::string line;
  std::map<std::string, std::string> kv;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
  }
  std::error_code ec;
  if (kv["fingerprint"] != fingerprint || !fs::exists(m.dir / "model.h5", ec) || !fs::exists(m.dir / "metrics.json", ec)) return false;
  try {
    m.baseline_recordings = std::stoull(kv.at("baseline_recordings"));
    m.baseline_hours = std::stod(kv.at("baseline_hours"));
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

// Removes what an earlier retraining of this patient left (model, metrics, retrained.txt), so
// that a failed retraining never leaves an older model looking current.
void forget(const RetrainedModel& m) {
  std::error_code ec;
  for (const char* f : {"retrained.txt", "model.h5", "metrics.json", "training.h5"}) fs::remove(m.dir / f, ec);
}

// An error message as a clause: leading blanks and the final full stop dropped.
std::string sentence(std::string s) {
  s.erase(0, s.find_first_not_of(' '));
  while (!s.empty() && (s.back() == '.' || s.back() == ' ')) s.pop_back();
  return s;
}

// COLLECTIVE: rank 0's read_done, shared.
bool reusable(MPI_Comm comm, RetrainedModel& m, const std::string& fingerprint) {
  double v[3] = {0, 0, 0};
  if (comm::rank(comm) == 0 && read_done(m, fingerprint)) v[0] = 1, v[1] = static_cast<double>(m.baseline_recordings), v[2] = m.baseline_hours;
  comm::check_mpi(MPI_Bcast(v, 3, MPI_DOUBLE, 0, comm), "MPI_Bcast (retrained model reuse)");
  m.baseline_recordings = static_cast<std::size_t>(v[1]);
  m.baseline_hours = v[2];
  if (v[0] == 1) m.model = m.dir / "model.h5";
  return v[0] == 1;
}

// COLLECTIVE: one patient's baseline features, training file and model (m.model stays empty and
// m.note says why when there is nothing to train on).
void retrain_one(MPI_Comm comm, const Config& config, const Config& training, const std::vector<InputRecording>& recs,
                 RetrainedModel& m, std::ostream* plog) {
  Config cx = config;
  cx.input.clear();
  for (const auto& r : recs) cx.input.push_back(r.edf.string());
  const double first_h = config.postprocess.tailor_hours;  // > 0: the baseline is the recordings' first hours
  const auto base = m.dir / (first_h > 0 ? "recordings.h5" : "baseline.h5");
  const auto sum = run_extract(comm, cx, base, plog);
  if (sum.n_ok == 0) {
    m.note = "no usable baseline recording (its folder's log.txt says why)";
    return;
  }
  const auto merged = m.dir / "training.h5";
  io::FeaturesPart baseline{base, config.tailor_copies, tailored_patient_id(m.patient), true};
  baseline.first_s = first_h * 3600.0;
  baseline.guard_s = 300.0;  // as the threshold tailoring (eval::tailor_threshold)
  const auto kept = io::merge_features_files(comm, merged, {{config.tailor_retrain, 1, ""}, baseline}).parts.back();
  m.baseline_recordings = kept.records;
  m.baseline_hours = static_cast<double>(kept.windows) * config.extract.step_s / 3600.0;
  const double asked_h = first_h > 0 ? first_h : sum.ecg_hours;
  if (m.baseline_hours < 0.5 * asked_h) {  // as the threshold tailoring's fallback
    m.note = "too little seizure-free baseline: " + fixed_text(m.baseline_hours, 2) + " of " + fixed_text(asked_h, 2) +
             " h usable (windows within 5 min of an annotated seizure are left out), under half";
  } else {
    run_train(comm, training, merged, m.dir / "model.h5", m.dir / "metrics.json", plog);
    m.model = m.dir / "model.h5";
  }
  if (comm::rank(comm) == 0) {
    std::error_code ec;
    fs::remove(merged, ec);
  }
  if (m.model.empty()) return;
  if (comm::rank(comm) == 0) write_done(m, retrain_fingerprint(config, training, recs));
}

}  // namespace

std::string tailored_patient_id(const std::string& patient) { return "tailored:" + patient; }

Config retraining_config(const io::ModelMeta& meta, const fs::path& model, const Config& user) {
  Config t;
  apply_config_text(t, meta.config_toml, "the configuration stored in the model " + model.string());
  t.explicit_keys.clear();
  std::string fixed = "[postprocess]\n";
  for (const auto& k : config_schema()) {
    const bool pp_key = k.key.rfind("postprocess.", 0) == 0 && k.key.rfind("postprocess.tailor_", 0) != 0;
    if (pp_key && user.explicit_keys.count(k.key)) fixed += k.key.substr(12) + " = " + k.to_toml(user) + "\n";
  }
  apply_config_text(t, fixed, "predict's post-processing settings");
  t.train.cv_predictions.clear();
  validate(t);
  return t;
}

std::vector<RetrainedModel> retrain_per_patient(MPI_Comm comm, const Config& config, const Config& training,
                                                const std::vector<InputRecording>& baseline,
                                                const std::set<std::string>& input_patients, const fs::path& out_dir,
                                                std::ostream* log) {
  auto has_input = [&](const std::string& p) { return input_patients.count(p) > 0; };
  const bool root = comm::rank(comm) == 0;
  std::vector<RetrainedModel> out;
  std::set<std::string> used;
  const auto groups = by_patient(baseline);
  std::size_t i = 0;
  const double t0 = now_s();
  for (const auto& [patient, recs] : groups) {
    RetrainedModel m;
    m.patient = patient;
    m.dir = out_dir / "tailor" / folder_name(patient, used);
    std::error_code ec;
    fs::create_directories(m.dir, ec);
    const bool reused = has_input(patient) && reusable(comm, m, retrain_fingerprint(config, training, recs));
    if (!has_input(patient)) {
      m.note = "no --input recording of this patient (the baseline's patient id matches none of theirs)";
    } else if (!reused) {
      if (root) forget(m);
      std::unique_ptr<std::ofstream> plog;
      if (root) plog = std::make_unique<std::ofstream>(m.dir / "log.txt");
      try {  // every step fails on every rank alike (its inputs are the same); agree anyway
        comm::collective_try(comm, "", [&] { retrain_one(comm, config, training, recs, m, plog.get()); });
      } catch (const CollectiveError& e) {
        m.model.clear();
        m.note = "retraining failed: " + sentence(e.what());
        if (root) fs::remove(m.dir / "training.h5", ec);
      }
    }
    ++i;
    if (log) {
      *log << "predict: tailor-retrain " << i << "/" << groups.size() << " patient " << patient << ": ";
      if (m.model.empty()) *log << "not retrained, " << m.note << "; the given model detects its recordings";
      else *log << fixed_text(m.baseline_hours, 2) << " usable baseline h of "
                << (config.postprocess.tailor_hours > 0 ? "its first " + number_text(config.postprocess.tailor_hours) + " h"
                                                        : std::to_string(recs.size()) + " baseline recording(s)")
                << " x" << config.tailor_copies << " -> " << m.model.string()
                << (reused ? " (reused: made from the same files and settings)" : "");
      const double el = now_s() - t0;
      *log << "; elapsed " << fixed_text(el, 0) << " s, ETA " << fixed_text(el / static_cast<double>(i) * static_cast<double>(groups.size() - i), 0)
           << " s\n" << std::flush;
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace ecgforest::pipeline

#include "ecgforest/pipeline/tailor_retrain.hpp"

#include <fstream>
#include <map>
#include <memory>
#include <set>

#include "ecgforest/comm/mpi.hpp"
#include "ecgforest/core/error.hpp"
#include "ecgforest/core/text.hpp"
#include "ecgforest/io/features_merge.hpp"
#include "ecgforest/pipeline/extract.hpp"
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
std::map<std::string, std::vector<std::string>> by_patient(const std::vector<InputRecording>& baseline) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& r : baseline) out[r.patient].push_back(r.edf.string());
  return out;
}

// COLLECTIVE: one patient's baseline features, training file and model (m.model stays empty and
// m.note says why when there is nothing to train on).
void retrain_one(MPI_Comm comm, const Config& config, const Config& training, const std::vector<std::string>& files,
                 RetrainedModel& m, std::ostream* plog) {
  Config cx = config;
  cx.input = files;
  const auto base = m.dir / "baseline.h5";
  const auto sum = run_extract(comm, cx, base, plog);
  m.baseline_recordings = sum.n_ok;
  m.baseline_hours = sum.ecg_hours;
  if (sum.n_ok == 0) {
    m.note = "no usable baseline recording (its folder's log.txt says why)";
    return;
  }
  const auto merged = m.dir / "training.h5";
  io::merge_features_files(comm, merged, {{config.tailor_retrain, 1, ""},
                                          {base, config.tailor_copies, tailored_patient_id(m.patient), true}});
  run_train(comm, training, merged, m.dir / "model.h5", m.dir / "metrics.json", plog);
  if (comm::rank(comm) == 0) {
    std::error_code ec;
    fs::remove(merged, ec);
  }
  m.model = m.dir / "model.h5";
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
                                                const std::vector<InputRecording>& baseline, const fs::path& out_dir,
                                                std::ostream* log) {
  const bool root = comm::rank(comm) == 0;
  std::vector<RetrainedModel> out;
  std::set<std::string> used;
  const auto groups = by_patient(baseline);
  std::size_t i = 0;
  for (const auto& [patient, files] : groups) {
    RetrainedModel m;
    m.patient = patient;
    m.dir = out_dir / "tailor" / folder_name(patient, used);
    std::error_code ec;
    fs::create_directories(m.dir, ec);
    std::unique_ptr<std::ofstream> plog;
    if (root) plog = std::make_unique<std::ofstream>(m.dir / "log.txt");
    try {  // every step fails on every rank alike (its inputs are the same); agree anyway
      comm::collective_try(comm, "", [&] { retrain_one(comm, config, training, files, m, plog.get()); });
    } catch (const CollectiveError& e) {
      m.model.clear();
      m.note = std::string("retraining failed: ") + e.what();
    }
    ++i;
    if (log) {
      *log << "predict: tailor-retrain " << i << "/" << groups.size() << " patient " << patient << ": ";
      if (m.model.empty()) *log << "not retrained, " << m.note << "; the given model detects its recordings\n";
      else *log << files.size() << " baseline recording(s), " << fixed_text(m.baseline_hours, 1) << " h x" << config.tailor_copies
                << " -> " << m.model.string() << "\n";
      *log << std::flush;
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace ecgforest::pipeline

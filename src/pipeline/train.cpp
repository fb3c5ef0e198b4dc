#include "ecgforest/pipeline/train.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/json.hpp"
#include "ecgforest/forest/forest.hpp"
#include "ecgforest/io/features_file.hpp"
#include "ecgforest/io/model_file.hpp"
#include "ecgforest/parallel/forest.hpp"
#include "ecgforest/parallel/mpi.hpp"
#include "ecgforest/version.hpp"

namespace ecgforest::pipeline {
namespace {

std::string fmt_g(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

forest::ForestParams forest_params(const Config& c) {
  forest::ForestParams p;
  p.n_trees = c.train.trees;
  p.max_features = c.train.max_features;
  p.max_depth = c.train.max_depth;
  p.min_samples_leaf = c.train.min_samples_leaf;
  p.bootstrap = c.train.bootstrap == "standard";
  p.class_weight = c.train.class_weight == "balanced" ? forest::ClassWeight::balanced : forest::ClassWeight::none;
  p.seed = c.train.seed;
  return p;
}

void metrics_json(JsonWriter& j, const eval::BinaryMetrics& m) {
  j.begin_object();
  j.key("tp").value(static_cast<std::uint64_t>(m.tp)).key("fp").value(static_cast<std::uint64_t>(m.fp));
  j.key("tn").value(static_cast<std::uint64_t>(m.tn)).key("fn").value(static_cast<std::uint64_t>(m.fn));
  j.key("sensitivity").value(m.sensitivity).key("specificity").value(m.specificity);
  j.key("precision").value(m.precision).key("f1").value(m.f1);
  j.key("roc_auc").value(m.roc_auc).key("pr_auc").value(m.pr_auc);
  j.end_object();
}

std::string row_text(const std::string& name, std::size_t n_test, std::size_t n_pos, const eval::BinaryMetrics& m) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "  %-8s %8zu %7zu %7.3f %7.3f %7.3f %7.3f %7.3f %7.3f\n", name.c_str(), n_test, n_pos,
                m.sensitivity, m.specificity, m.precision, m.f1, m.roc_auc, m.pr_auc);
  return buf;
}

}  // namespace

std::filesystem::path metrics_path_for(const std::filesystem::path& model) {
  auto p = model;
  p.replace_extension("");
  return p.string() + ".metrics.json";
}

TrainSummary run_train(MPI_Comm comm, const Config& config, const std::filesystem::path& features,
                       const std::filesystem::path& model_path, const std::filesystem::path& metrics_json_path,
                       std::ostream* log) {
  const double t0 = now_s();
  const int me = parallel::rank(comm);
  const int p = parallel::size(comm);
  std::string err;
  io::FeaturesData data;
  try {
    data = io::read_features_file(comm, features);
  } catch (const std::exception& e) {
    err = e.what();
  }
  if (auto e = parallel::agree_on_error(comm, err); !e.empty()) throw CollectiveError(e);

  const std::size_t N = static_cast<std::size_t>(data.x.rows());
  const std::size_t F = static_cast<std::size_t>(data.x.cols());
  // Training rows: labelled windows of recordings with status ok.
  std::vector<std::uint32_t> rows;
  std::vector<std::uint8_t> y(N, 0);
  std::vector<std::string> patient_of_row;
  std::size_t n_pos = 0;
  for (std::size_t i = 0; i < N; ++i) {
    const float l = data.label[i];
    if (!std::isfinite(l)) continue;
    rows.push_back(static_cast<std::uint32_t>(i));
    y[i] = static_cast<double>(l) >= config.train.label_threshold ? 1 : 0;
    n_pos += y[i];
    const auto rec = data.record[i];
    patient_of_row.push_back(rec < data.records.size() ? data.records[rec].patient : std::string("?"));
  }
  TrainSummary s;
  s.n_rows = rows.size();
  s.n_positive = n_pos;
  std::set<std::string> patients(patient_of_row.begin(), patient_of_row.end());
  s.n_patients = patients.size();
  if (F == 0) throw CollectiveError("The features file " + features.string() + " has no feature columns; re-run extract.");
  if (rows.empty()) {
    throw CollectiveError("The features file " + features.string() +
                          " has no labelled windows (all labels are NaN): pair the EDF files with annotation files "
                          "(.tse_bi, .csv_bi, ...) or --annotation-map and run extract again.");
  }
  if (n_pos == 0 || n_pos == rows.size()) {
    throw CollectiveError("The features file " + features.string() + " has " + std::to_string(n_pos) +
                          " positive windows out of " + std::to_string(rows.size()) +
                          " labelled ones (label >= " + fmt_g(config.train.label_threshold) +
                          "); training needs both seizure and background windows. Add recordings with seizures "
                          "or lower --label-threshold.");
  }

  const auto xb = forest::BinnedMatrix::build(data.x.data(), N, F, 256);
  const auto params = forest_params(config);
  std::vector<std::string> notes;
  if (p > params.n_trees) {
    notes.push_back(std::to_string(p) + " ranks for " + std::to_string(params.n_trees) +
                    " trees: ranks beyond the tree count stay idle during training.");
  }

  // Patient-grouped cross-validation.
  int k = config.train.cv_folds;
  if (k >= 2 && static_cast<int>(patients.size()) < 2) {
    notes.push_back("Cross-validation skipped: all labelled windows belong to one patient (" + *patients.begin() + ").");
    k = 0;
  } else if (k > static_cast<int>(patients.size())) {
    notes.push_back("Cross-validation folds reduced from " + std::to_string(k) + " to " +
                    std::to_string(patients.size()) + " (one per patient).");
    k = static_cast<int>(patients.size());
  }
  JsonWriter j;
  j.begin_object();
  j.key("version").value(kVersion);
  j.key("features_file").value(features.string());
  j.key("n_windows_labelled").value(static_cast<std::uint64_t>(rows.size()));
  j.key("n_positive").value(static_cast<std::uint64_t>(n_pos));
  j.key("n_patients").value(static_cast<std::uint64_t>(patients.size()));
  j.key("n_features").value(static_cast<std::uint64_t>(F));
  j.key("label_threshold").value(config.train.label_threshold);
  j.key("decision_threshold").value(config.train.decision_threshold);
  j.key("n_ranks").value(p);
  j.key("trees").value(params.n_trees);
  std::string table;
  if (k >= 2) {
    const auto fold = eval::group_kfold(patient_of_row, k, config.train.seed);
    std::vector<float> oof(rows.size(), 0.0f);
    std::vector<std::uint8_t> truth(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) truth[i] = y[rows[i]];
    j.key("cv").begin_object().key("folds").value(k).key("grouping").value("patient").key("per_fold").begin_array();
    table += "  fold       test     pos    sens    spec    prec      f1 roc_auc  pr_auc\n";
    for (int f = 0; f < k; ++f) {
      std::vector<std::uint32_t> train_rows, test_rows;
      std::vector<std::size_t> test_pos;
      std::set<std::string> test_patients;
      for (std::size_t i = 0; i < rows.size(); ++i) {
        if (fold[i] == f) {
          test_rows.push_back(rows[i]);
          test_pos.push_back(i);
          test_patients.insert(patient_of_row[i]);
        } else {
          train_rows.push_back(rows[i]);
        }
      }
      auto fp = params;
      fp.seed = params.seed + 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(f + 1);
      const auto local = parallel::grow_distributed(comm, xb, y, train_rows, fp);
      const auto prob = parallel::predict_distributed(comm, local, static_cast<std::uint64_t>(fp.n_trees), data.x.data(), F, test_rows);
      std::vector<std::uint8_t> t(test_rows.size());
      std::size_t pos = 0;
      for (std::size_t i = 0; i < test_rows.size(); ++i) {
        t[i] = y[test_rows[i]];
        pos += t[i];
        oof[test_pos[i]] = prob[i];
      }
      const auto m = eval::binary_metrics(prob, t, config.train.decision_threshold);
      j.begin_object().key("fold").value(f).key("n_test").value(static_cast<std::uint64_t>(test_rows.size()));
      j.key("n_test_positive").value(static_cast<std::uint64_t>(pos));
      j.key("test_patients").begin_array();
      for (const auto& tp : test_patients) j.value(tp);
      j.end_array().key("metrics");
      metrics_json(j, m);
      j.end_object();
      table += row_text(std::to_string(f), test_rows.size(), pos, m);
    }
    j.end_array();
    s.pooled = eval::binary_metrics(oof, truth, config.train.decision_threshold);
    j.key("pooled");
    metrics_json(j, s.pooled);
    j.end_object();
    table += row_text("pooled", rows.size(), n_pos, s.pooled);
    s.folds_used = k;
  } else {
    j.key("cv").value("none");
  }
  // Final model on every labelled row.
  const auto local = parallel::grow_distributed(comm, xb, y, rows, params);
  auto trees = parallel::gather_trees(comm, local, 0);
  s.seconds = now_s() - t0;
  j.key("notes").begin_array();
  for (const auto& n : notes) j.value(n);
  j.end_array();
  j.key("train_seconds").value(s.seconds);
  j.end_object();
  s.metrics_json = j.str();

  std::string write_err;
  if (me == 0) {
    try {
      forest::Forest model;
      model.trees = std::move(trees);
      model.feature_names = data.columns;
      io::ModelMeta meta;
      meta.config_toml = to_toml(config);
      meta.metrics_json = s.metrics_json;
      meta.bin_edges = xb.upper_edges();
      io::write_model_file(model_path, model, meta);
      const auto tmp = metrics_json_path.string() + ".partial";
      {
        std::ofstream out(tmp);
        out << s.metrics_json << "\n";
        if (!out) throw Error("Cannot write " + tmp + "; check the directory and free space.");
      }
      std::filesystem::rename(tmp, metrics_json_path);
    } catch (const std::exception& e) {
      write_err = e.what();
    }
  }
  if (auto e = parallel::agree_on_error(comm, write_err); !e.empty()) throw CollectiveError(e);
  if (log && me == 0) {
    std::ostringstream os;
    os << "train: " << rows.size() << " labelled windows (" << n_pos << " positive) from " << patients.size()
       << " patients, " << F << " features, " << params.n_trees << " trees on " << p << " rank(s)\n";
    if (k >= 2) os << "train: patient-grouped " << k << "-fold cross-validation (threshold " << config.train.decision_threshold << "):\n" << table;
    for (const auto& n : notes) os << "train: note: " << n << "\n";
    os << "train: model written to " << model_path.string() << ", metrics to " << metrics_json_path.string() << " ("
       << s.seconds << " s)\n";
    *log << os.str() << std::flush;
  }
  return s;
}

}  // namespace ecgforest::pipeline

// `train` on small generated features files (MPI_COMM_SELF): training-row selection (label
// threshold, NaN labels, sqi filter), bad inputs with clear messages, OOB and importances in the
// metrics, and Python (tools/ecgforest_model.py) vs C++ predictions on the same rows.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "ecgforest/core/config.hpp"
#include "ecgforest/core/error.hpp"
#include "ecgforest/io/features_file.hpp"
#include "ecgforest/io/h5.hpp"
#include "ecgforest/io/model_file.hpp"
#include "ecgforest/pipeline/predict.hpp"
#include "ecgforest/pipeline/train.hpp"
#include "ecgforest/pipeline/model.hpp"
#include "support/unit_mpi.hpp"

namespace ecgforest::pipeline {
namespace {

namespace fs = std::filesystem;
const float kNan = std::numeric_limits<float>::quiet_NaN();

struct Spec {
  int patients = 4;
  int rows_per_patient = 150;
  double pos_fraction = 0.2;          ///< share of windows with label 1
  double nan_label_fraction = 0.0;    ///< share of windows with NaN label
  bool nan_column = false;            ///< add a column "empty" that is always NaN
  bool sqi_column = false;            ///< add a column "sqi" = (row % 10) / 10
  std::vector<std::string> extra_columns;  ///< more noise columns
};

/// Columns: "hr" (shifted by +2 for positives), "noise", then the optional ones. Returns the
/// number of rows written.
std::size_t write_features(const fs::path& file, const Spec& s, unsigned seed = 1) {
  std::mt19937 g(seed);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  io::FeaturesMeta meta;
  meta.columns = {"hr", "noise"};
  if (s.nan_column) meta.columns.push_back("empty");
  if (s.sqi_column) meta.columns.push_back("sqi");
  for (const auto& c : s.extra_columns) meta.columns.push_back(c);
  const auto F = static_cast<Eigen::Index>(meta.columns.size());
  std::vector<io::RecordResult> recs;
  for (int p = 0; p < s.patients; ++p) {
    io::RecordResult r;
    r.index = static_cast<std::size_t>(p);
    r.row.path = std::string("p").append(std::to_string(p)).append(".edf");
    r.row.patient = std::string("PAT_").append(std::to_string(p));
    r.row.status = "ok";
    r.features.resize(s.rows_per_patient, F);
    for (int i = 0; i < s.rows_per_patient; ++i) {
      const bool pos = u(g) < s.pos_fraction;
      float label = pos ? 1.0f : 0.0f;
      if (u(g) < s.nan_label_fraction) label = kNan;
      r.label.push_back(label);
      r.time_s.push_back(i);
      Eigen::Index c = 0;
      r.features(i, c++) = nd(g) + (pos ? 2.0f : 0.0f);
      r.features(i, c++) = nd(g);
      if (s.nan_column) r.features(i, c++) = kNan;
      if (s.sqi_column) r.features(i, c++) = static_cast<float>(i % 10) / 10.0f;
      for (std::size_t k = 0; k < s.extra_columns.size(); ++k) r.features(i, c++) = nd(g);
    }
    r.row.n_windows = static_cast<std::uint64_t>(s.rows_per_patient);
    recs.push_back(std::move(r));
  }
  io::write_features_file(MPI_COMM_SELF, file, recs.size(), recs, meta);
  return static_cast<std::size_t>(s.patients * s.rows_per_patient);
}

class Train : public ::testing::Test {
 protected:
  void SetUp() override {
    testing_unit::require_mpi();  // the features file and train take MPI_COMM_SELF
    dir_ = fs::temp_directory_path() /
           ("ecgforest_train_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    cfg_.train.trees = 10;
    cfg_.train.cv_folds = 2;
  }
  void TearDown() override { fs::remove_all(dir_); }
  TrainSummary train(const fs::path& features) {
    return run_train(MPI_COMM_SELF, cfg_, features, dir_ / "model.h5", dir_ / "model.metrics.json", nullptr);
  }
  /// The message of the CollectiveError thrown by train(), or "" when nothing was thrown.
  std::string train_error(const fs::path& features) {
    try {
      train(features);
    } catch (const CollectiveError& e) {
      return e.what();
    }
    return "";
  }
  fs::path dir_;
  Config cfg_;
};

TEST_F(Train, MissingFileNamesThePath) {
  const std::string msg = train_error(dir_ / "nope.h5");
  EXPECT_NE(msg.find("nope.h5"), std::string::npos) << msg;
  EXPECT_NE(msg.find("does not exist"), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(dir_ / "model.h5"));
}

TEST_F(Train, FileWithoutLabelsIsRejected) {
  const fs::path f = dir_ / "bad.h5";
  {
    io::h5::init_error_handling();
    io::h5::Handle h = io::h5::file_handle(H5Fcreate(f.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "create");
    const std::vector<float> x(6, 1.0f);
    io::h5::write_dataset<float>(h, "/windows/features", {3, 2}, x.data());
    h.close("close");
  }
  const std::string msg = train_error(f);
  EXPECT_NE(msg.find("/windows/label"), std::string::npos) << msg;
  EXPECT_NE(msg.find("extract"), std::string::npos) << msg;
}

TEST_F(Train, NoPositiveOrNoNegativeWindows) {
  Spec s;
  s.pos_fraction = 0.0;
  write_features(dir_ / "neg.h5", s);
  std::string msg = train_error(dir_ / "neg.h5");
  EXPECT_NE(msg.find("has 0 positive windows out of 600"), std::string::npos) << msg;
  EXPECT_NE(msg.find("lower --label-threshold"), std::string::npos) << msg;
  s.pos_fraction = 1.0;
  write_features(dir_ / "pos.h5", s);
  msg = train_error(dir_ / "pos.h5");
  EXPECT_NE(msg.find("has 600 positive windows out of 600"), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(dir_ / "model.h5"));
}

TEST_F(Train, AllLabelsNanSaysSo) {
  Spec s;
  s.nan_label_fraction = 1.0;
  write_features(dir_ / "f.h5", s);
  const std::string msg = train_error(dir_ / "f.h5");
  EXPECT_NE(msg.find("no training windows: 600 of 600 windows have no label"), std::string::npos) << msg;
}

TEST_F(Train, LabelThresholdAndNanLabelsSelectRows) {
  Spec s;
  s.nan_label_fraction = 0.1;
  write_features(dir_ / "f.h5", s, 5);
  // Count independently with the Python-free reader: labels of the file.
  const auto d = io::read_features_summary(dir_ / "f.h5");
  std::size_t labelled = 0, pos = 0;
  for (float l : d.label) {
    if (std::isnan(l)) continue;
    ++labelled;
    pos += l >= 0.5f;
  }
  ASSERT_GT(labelled, 0u);
  ASSERT_LT(labelled, 600u);
  const auto sum = train(dir_ / "f.h5");
  EXPECT_EQ(sum.n_rows, labelled);
  EXPECT_EQ(sum.n_positive, pos);
  EXPECT_EQ(sum.n_patients, 4u);
  EXPECT_EQ(sum.folds_used, 2);
}

TEST_F(Train, SqiThresholdSkipsLowQualityWindows) {
  Spec s;
  s.sqi_column = true;
  write_features(dir_ / "f.h5", s);
  cfg_.train.min_sqi = 0.35;  // sqi = (i % 10) / 10: values 0.4 .. 0.9 kept, 6 of every 10
  const auto sum = train(dir_ / "f.h5");
  EXPECT_EQ(sum.n_rows, 4u * 150u * 6u / 10u);
  EXPECT_NE(sum.metrics_json.find("240 labelled windows skipped: sqi below 0.35"), std::string::npos);
  // Without the threshold every row is used.
  cfg_.train.min_sqi = 0;
  EXPECT_EQ(train(dir_ / "f.h5").n_rows, 600u);
}

TEST_F(Train, SinglePatientWithFoldsTrainsOnceWithANote) {
  Spec s;
  s.patients = 1;
  s.rows_per_patient = 400;
  write_features(dir_ / "f.h5", s);
  cfg_.train.cv_folds = 3;
  const auto sum = train(dir_ / "f.h5");
  EXPECT_EQ(sum.folds_used, 0);
  EXPECT_NE(sum.metrics_json.find("Cross-validation skipped: all training windows belong to one patient (PAT_0)"),
            std::string::npos) << sum.metrics_json;
  EXPECT_NE(sum.metrics_json.find("\"cv\":\"none\""), std::string::npos);
  EXPECT_EQ(pipeline::read_model(dir_ / "model.h5").trees.size(), 10u);
}

TEST_F(Train, NanOnlyColumnIsNeverSplitOn) {
  Spec s;
  s.nan_column = true;
  write_features(dir_ / "f.h5", s);
  cfg_.train.max_features = 3;  // every split looks at "empty" too
  const auto sum = train(dir_ / "f.h5");
  EXPECT_NE(sum.metrics_json.find("NaN in every training window (never used for splits): empty."), std::string::npos)
      << sum.metrics_json;
  const auto m = pipeline::read_model(dir_ / "model.h5");
  ASSERT_EQ(m.feature_names[2], "empty");
  for (const auto& t : m.trees) {
    for (std::size_t i = 0; i < t.n_nodes(); ++i) {
      if (t.left[i] >= 0) {
        ASSERT_NE(t.feature[i], 2);
      }
    }
  }
}

TEST_F(Train, OobAndImportancesInMetrics) {
  Spec s;
  s.extra_columns = {"n1", "n2"};
  write_features(dir_ / "f.h5", s);
  cfg_.train.trees = 30;
  cfg_.train.max_features = 4;
  const auto sum = train(dir_ / "f.h5");
  const std::string& j = sum.metrics_json;
  EXPECT_NE(j.find("\"oob\":{\"n_rows\":"), std::string::npos) << j;
  EXPECT_NE(j.find("\"importance\":{\"impurity\":{\"hr\":"), std::string::npos) << j;
  EXPECT_NE(j.find("\"permutation\":{\"hr\":"), std::string::npos) << j;
  // The model file carries the same metrics JSON.
  io::ModelMeta meta;
  pipeline::read_model(dir_ / "model.h5", &meta);
  EXPECT_EQ(meta.metrics_json, j);
  // hr (the only informative column) has the largest impurity and permutation importance: read
  // the numbers back from the JSON text.
  auto number_after = [&](const std::string& section, const std::string& key) {
    const auto a = j.find("\"" + section + "\":{");
    const auto b = j.find("\"" + key + "\":", a);
    return std::stod(j.substr(b + key.size() + 3));
  };
  for (const char* sec : {"impurity", "permutation"}) {
    const double hr = number_after(sec, "hr");
    for (const char* other : {"noise", "n1", "n2"}) EXPECT_GT(hr, number_after(sec, other)) << sec << " " << other;
  }
  EXPECT_GT(number_after("permutation", "hr"), 0.1);
  // OOB ROC AUC: hr separates the classes by 2 sd, so about Phi(2/sqrt 2) = 0.92.
  const auto a = j.find("\"oob\":{");
  const double auc = std::stod(j.substr(j.find("\"roc_auc\":", a) + 10));
  EXPECT_GT(auc, 0.8);
  // Without bootstrap there is no OOB estimate, and a note says why.
  cfg_.train.bootstrap = Bootstrap::none;
  const auto s2 = train(dir_ / "f.h5");
  EXPECT_NE(s2.metrics_json.find("\"oob\":\"none\""), std::string::npos);
  EXPECT_NE(s2.metrics_json.find("bootstrap is 'none'"), std::string::npos);
}

TEST_F(Train, BalancedBootstrapTrains) {
  Spec s;
  write_features(dir_ / "f.h5", s);
  cfg_.train.bootstrap = Bootstrap::balanced;
  const auto sum = train(dir_ / "f.h5");
  EXPECT_GT(sum.pooled.roc_auc, 0.8);
}

TEST_F(Train, PredictNamesMissingColumns) {
  Spec s;
  s.extra_columns = {"extra"};
  write_features(dir_ / "f.h5", s);
  train(dir_ / "f.h5");
  Spec s2;  // lacks "extra"
  write_features(dir_ / "g.h5", s2);
  try {
    run_predict_features(MPI_COMM_SELF, cfg_, dir_ / "model.h5", dir_ / "g.h5", dir_ / "p.h5", nullptr);
    FAIL() << "no error";
  } catch (const CollectiveError& e) {
    EXPECT_NE(std::string(e.what()).find("needs: extra"), std::string::npos) << e.what();
  }
}

TEST_F(Train, PythonLoaderAgreesWithCpp) {
  for (const auto learner : {Learner::forest, Learner::boosted}) {
    SCOPED_TRACE(choice_name(learner));
    if (!fs::exists("/usr/bin/python3")) GTEST_SKIP() << "/usr/bin/python3 not installed";
    Spec s;
    s.nan_column = true;
    s.extra_columns = {"n1"};
    write_features(dir_ / "f.h5", s);
    cfg_.train.trees = 7;
    cfg_.train.learner = learner;
    cfg_.train.boost_rounds = 20;
    train(dir_ / "f.h5");
    // New rows, some with NaN in the model's columns, scored by C++ and by the Python module.
    Spec t = s;
    t.patients = 2;
    write_features(dir_ / "g.h5", t, 77);
    const auto model = pipeline::read_model(dir_ / "model.h5");
    auto d = io::read_features_file(MPI_COMM_SELF, dir_ / "g.h5");
    for (Eigen::Index i = 0; i < d.x.rows(); i += 7) d.x(i, 0) = kNan;  // NaN in "hr" too
    {
      // Rewrite g.h5's matrix with the NaNs (through the same writer).
      io::RecordResult r;
      r.index = 0;
      r.row.patient = "X";
      r.features = d.x;
      r.label = d.label;
      r.time_s = d.time_s;
      r.row.n_windows = static_cast<std::uint64_t>(d.x.rows());
      io::FeaturesMeta meta;
      meta.columns = d.columns;
      io::write_features_file(MPI_COMM_SELF, dir_ / "g.h5", 1, {r}, meta);
    }
    const auto cpp = model.predict_proba(d.x.data(), static_cast<std::size_t>(d.x.rows()));
    const fs::path out = dir_ / "py.bin";
    const std::string cmd = "cd '" + dir_.string() + "' && /usr/bin/python3 -c \"import sys; sys.path.insert(0, '" +
                            std::string(ECGFOREST_SOURCE_DIR) + "/tools'); import ecgforest_model as e; "
                            "e.load('model.h5').predict_features('g.h5').astype('float32').tofile('py.bin')\"";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::ifstream in(out, std::ios::binary);
    std::vector<float> py(cpp.size());
    in.read(reinterpret_cast<char*>(py.data()), static_cast<std::streamsize>(py.size() * sizeof(float)));
    ASSERT_TRUE(in) << "python wrote fewer than " << cpp.size() << " values";
    std::size_t distinct = 0;
    for (std::size_t i = 0; i < cpp.size(); ++i) {
      if (learner == Learner::forest) ASSERT_EQ(py[i], cpp[i]) << "row " << i;  // same float32 bits (same summation order)
      else ASSERT_NEAR(py[i], cpp[i], 1.2e-7) << "row " << i;  // numpy's exp vs the C library's: one float32 step
      distinct += i > 0 && cpp[i] != cpp[i - 1];
    }
    EXPECT_GT(distinct, 10u);  // not a constant model
  }
}


// --tune (pipeline/tune.hpp) end to end: a configured min_samples_leaf of half the rows leaves
// every tree a single leaf; of the grid, only min_samples_leaf / 4 can split (on the
// 2/3 of the rows a CV fold trains on), so it is the only setting with a gain, and a large one.
// The alternatives that keep the huge leaf predict exactly what the configured setting does (one
// constant per fold): gain 0 with error 0, margin the floor 0.002. The tuned model is the plain model of the chosen settings.
TEST_F(Train, TuneReplacesASettingThatCannotSplitAndGrowsThePlainForestOfTheChoice) {
  Spec s;
  s.patients = 12;
  s.rows_per_patient = 500;
  write_features(dir_ / "f.h5", s);
  cfg_.train.trees = 12;
  cfg_.train.cv_folds = 0;
  cfg_.train.min_samples_leaf = 3000;
  cfg_.train.tune = true;
  const auto tuned = train(dir_ / "f.h5");
  const auto& j = tuned.metrics_json;
  EXPECT_NE(j.find("\"chosen_index\":3,"), std::string::npos) << j;
  EXPECT_NE(j.find("\"chosen\":{\"max_depth\":10,\"min_samples_leaf\":750,"), std::string::npos) << j;
  EXPECT_NE(j.find("\"folds\":3,\"fold_trees\":2,"), std::string::npos) << j;
  EXPECT_NE(j.find("\"patients\":12,\"candidates\""), std::string::npos) << j;
  // The five alternatives that keep the huge leaf score exactly like the configured setting.
  std::size_t at = 0, same = 0;
  while ((at = j.find("\"gain\":0,\"gain_std_error\":0,\"margin\":0.002,\"trees\":", at)) != std::string::npos) ++same, ++at;
  EXPECT_EQ(same, 5u) << j;
  // Of them, the leaf_prior candidate grew nothing: the configured fold trees with its prior.
  EXPECT_NE(j.find("\"leaf_prior\":800,\"roc_auc\""), std::string::npos) << j;
  EXPECT_EQ(j.find("re-derived"), j.rfind("re-derived")) << j;
  const auto prior = j.find("\"leaf_prior\":800,\"roc_auc\"");
  EXPECT_NE(j.substr(prior, j.find('}', prior) - prior).find("\"trees\":\"the configured setting's, leaf values re-derived\""),
            std::string::npos) << j;
  // The chosen one: a gain of > 0.3 and the margin t_{1-0.01/6, 11 df} x error = 3.72829 x error
  // (12 patients, 6 alternatives; t from a Simpson integration of the t density in Python).
  const auto c = j.find("\"min_samples_leaf\":750,");
  ASSERT_NE(c, std::string::npos) << j;
  auto number = [&](const std::string& key) { return std::stod(j.substr(j.find("\"" + key + "\":", c) + key.size() + 3)); };
  EXPECT_GT(number("gain"), 0.3);
  EXPECT_GT(number("gain_std_error"), 0.0);
  EXPECT_NEAR(number("margin") / number("gain_std_error"), 3.72829, 1e-4);
  const auto a = read_model(dir_ / "model.h5");
  cfg_.train.tune = false;
  cfg_.train.min_samples_leaf = 750;
  train(dir_ / "f.h5");
  const auto b = read_model(dir_ / "model.h5");
  ASSERT_EQ(a.trees.size(), 12u);
  ASSERT_EQ(b.trees.size(), 12u);
  for (std::size_t t = 0; t < 12; ++t) {
    EXPECT_EQ(a.trees[t].feature, b.trees[t].feature) << t;
    EXPECT_EQ(a.trees[t].threshold, b.trees[t].threshold) << t;
    EXPECT_EQ(a.trees[t].value, b.trees[t].value) << t;
  }
  EXPECT_GT(a.trees[0].feature.size(), 1u);  // it splits
}

// One patient: no patient-grouped score, so nothing is scored and the configured settings stay.
TEST_F(Train, TuneWithOnePatientKeepsTheConfiguredSettings) {
  Spec s;
  s.patients = 1;
  s.rows_per_patient = 400;
  write_features(dir_ / "f.h5", s);
  cfg_.train.trees = 6;
  cfg_.train.cv_folds = 0;
  cfg_.train.min_samples_leaf = 7;
  cfg_.train.tune = true;
  const auto j = train(dir_ / "f.h5").metrics_json;
  EXPECT_NE(j.find("\"folds\":0,\"fold_trees\":0,"), std::string::npos) << j;
  EXPECT_NE(j.find("\"patients\":1,\"candidates\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"chosen_index\":0,\"chosen\":{\"max_depth\":10,\"min_samples_leaf\":7,"), std::string::npos) << j;
}

}  // namespace
}  // namespace ecgforest::pipeline

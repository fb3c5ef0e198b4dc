// MPI tests of the distributed OOB / permutation / binned-prediction sums and of `train` itself:
// identical to the serial computation (bitwise) for any rank count; more ranks than trees gives
// the right number of trees and a note.
#include <gtest/gtest.h>
#include <mpi.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "ecgforest/comm/mpi.hpp"
#include "ecgforest/core/config.hpp"
#include "ecgforest/forest/forest.hpp"
#include "ecgforest/io/features_file.hpp"
#include "ecgforest/io/model_file.hpp"
#include "ecgforest/parallel/forest.hpp"
#include "ecgforest/pipeline/train.hpp"
#include "ecgforest/pipeline/train_data.hpp"
#include "ecgforest/pipeline/training_overlap.hpp"
#include "ecgforest/pipeline/model.hpp"
#include "mpi_test_util.hpp"

namespace ecgforest::parallel {

using namespace ::ecgforest::comm;  // rank, size, gathers: the MPI helpers live in comm
namespace {

using namespace ecgforest::testing_mpi;

struct Small {
  std::size_t n = 400, f = 3;
  std::vector<float> x;
  std::vector<std::uint8_t> y;
};

Small make_small() {
  Small d;
  std::mt19937 g(3);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  for (std::size_t i = 0; i < d.n; ++i) {
    const std::uint8_t y = i % 4 == 0 ? 1 : 0;
    d.y.push_back(y);
    d.x.push_back(nd(g) + 1.5f * y);
    d.x.push_back(nd(g));
    d.x.push_back(nd(g));
  }
  return d;
}

/// Rank 0 writes a 3-patient features file (100 windows each, 20 % positive, column a informative)
/// with MPI_COMM_SELF; every rank waits for it.
void write_three_patients(const std::filesystem::path& features) {
  if (comm_rank(MPI_COMM_WORLD) == 0) {
    io::FeaturesMeta meta;
    meta.columns = {"a", "b"};
    std::vector<io::RecordResult> recs;
    std::mt19937 g(5);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    for (int p = 0; p < 3; ++p) {
      io::RecordResult r;
      r.index = static_cast<std::size_t>(p);
      r.row.patient = std::string("P").append(std::to_string(p));
      r.features.resize(100, 2);
      for (int i = 0; i < 100; ++i) {
        const float y = i % 5 == 0 ? 1.0f : 0.0f;
        r.label.push_back(y);
        r.time_s.push_back(i);
        r.features(i, 0) = nd(g) + 2 * y;
        r.features(i, 1) = nd(g);
      }
      r.row.n_windows = 100;
      recs.push_back(std::move(r));
    }
    io::write_features_file(MPI_COMM_SELF, features, recs.size(), recs, meta);
    }
  MPI_Barrier(MPI_COMM_WORLD);
}

TEST(MpiForestTrain, OobPermutationAndBinnedVotesEqualSerial) {
  const Small d = make_small();
  const auto xb = forest::BinnedMatrix::build(d.x.data(), d.n, d.f);
  std::vector<std::uint32_t> rows(d.n);
  for (std::size_t i = 0; i < d.n; ++i) rows[i] = static_cast<std::uint32_t>(i);
  forest::ForestParams prm;
  prm.n_trees = 7;
  const auto serial = forest::grow_trees(xb, d.y, rows, prm, 0, 7);
  std::vector<std::uint64_t> ref(d.n, 0);
  forest::accumulate_oob(xb, d.y, rows, prm, serial, 0, ref);
  const LocalTrees local = grow_distributed(MPI_COMM_WORLD, xb, d.y, rows, prm);
  EXPECT_EQ(oob_distributed(MPI_COMM_WORLD, local, xb, d.y, rows, prm), ref);

  const std::vector<std::uint32_t> eval_pos = {0, 4, 8, 1, 2, 3, 100, 101};
  std::vector<std::vector<std::uint32_t>> perm(d.f, std::vector<std::uint32_t>{7, 6, 5, 4, 3, 2, 1, 0});
  std::vector<std::uint64_t> pref(d.f * eval_pos.size(), 0);
  forest::accumulate_permutation(xb, d.y, rows, prm, serial, 0, eval_pos, perm, pref);
  EXPECT_EQ(permutation_distributed(MPI_COMM_WORLD, local, xb, d.y, rows, prm, eval_pos, perm), pref);

  const auto p = predict_distributed_binned(MPI_COMM_WORLD, local, xb, rows);
  for (std::size_t i = 0; i < d.n; ++i) {
    std::uint64_t acc = 0;
    for (const auto& t : serial) acc += forest::vote(t.predict_binned(xb.row(i)));
    ASSERT_EQ(p[i], static_cast<float>(forest::vote_mean(acc))) << "row " << i;
  }
}

TEST(MpiForestTrain, TwoTreesOnAnyRankCount) {
  const auto dir = shared_tmp("forest_train_two_trees");
  const auto features = dir / "f.h5";
  write_three_patients(features);
  Config cfg;
  cfg.train.trees = 2;
  cfg.train.cv_folds = 3;
  const auto s = pipeline::run_train(MPI_COMM_WORLD, cfg, features, dir / "m.h5", dir / "m.metrics.json", nullptr);
  EXPECT_EQ(s.folds_used, 3);
  const bool idle_note = s.metrics_json.find("ranks beyond the tree count stay idle") != std::string::npos;
  EXPECT_EQ(idle_note, comm_size(MPI_COMM_WORLD) > 2);
  if (comm_rank(MPI_COMM_WORLD) == 0) {
    EXPECT_EQ(pipeline::read_model(dir / "m.h5").trees.size(), 2u);
  }
  MPI_Barrier(MPI_COMM_WORLD);
}

TEST(MpiForestTrain, TuneChoosesTheSameForestOnAnyRankAndThreadCount) {
  const auto dir = shared_tmp("forest_train_tune");
  const auto features = dir / "f.h5";
  write_three_patients(features);
  Config cfg;
  cfg.train.trees = 6;
  cfg.train.cv_folds = 0;
  cfg.train.tune = true;
  cfg.train.max_depth = 3;
  cfg.train.min_samples_leaf = 4;
  cfg.train.leaf_prior = 10;
  const auto s = pipeline::run_train(MPI_COMM_WORLD, cfg, features, dir / "m.h5", dir / "m.metrics.json", nullptr);
  if (comm_rank(MPI_COMM_WORLD) == 0) {
    // Reference: one rank, one thread.
    const int threads = omp_get_max_threads();
    omp_set_num_threads(1);
    const auto ref = pipeline::run_train(MPI_COMM_SELF, cfg, features, dir / "r.h5", dir / "r.metrics.json", nullptr);
    omp_set_num_threads(threads);
    const auto a = pipeline::read_model(dir / "m.h5"), b = pipeline::read_model(dir / "r.h5");
    ASSERT_EQ(a.trees.size(), 6u);
    ASSERT_EQ(b.trees.size(), 6u);
    for (std::size_t t = 0; t < 6; ++t) {
      EXPECT_EQ(a.trees[t].feature, b.trees[t].feature) << t;
      EXPECT_EQ(a.trees[t].threshold, b.trees[t].threshold) << t;
      EXPECT_EQ(a.trees[t].nan_left, b.trees[t].nan_left) << t;
      EXPECT_EQ(a.trees[t].left, b.trees[t].left) << t;
      EXPECT_EQ(a.trees[t].value, b.trees[t].value) << t;
    }
    // The grid of 7 settings and the choice are in the metrics (identical apart from the timing
    // and rank count).
    const auto cut = [](const std::string& j) { return j.substr(j.find("\"tune\""), j.find("\"cv\"") - j.find("\"tune\"")); };
    ASSERT_NE(s.metrics_json.find("\"tune\""), std::string::npos);
    EXPECT_EQ(cut(s.metrics_json), cut(ref.metrics_json));
    const auto c = s.metrics_json.find("\"chosen\":{\"max_depth\":");
    ASSERT_NE(c, std::string::npos) << s.metrics_json;
    // The effective configuration stored in the model carries the chosen depth.
    const int depth = std::stoi(s.metrics_json.substr(c + 22));
    io::ModelMeta meta;
    pipeline::read_model(dir / "m.h5", &meta);
    EXPECT_NE(meta.config_toml.find("max_depth = " + std::to_string(depth) + "\n"), std::string::npos) << meta.config_toml;
    EXPECT_NE(meta.summary.find("train: tune: chosen max_depth=" + std::to_string(depth) + " "), std::string::npos)
        << meta.summary;
  }
  MPI_Barrier(MPI_COMM_WORLD);
}

TEST(MpiForestTrain, TrainingSetSplitAcrossRanksEqualsTheSerialOne) {
  const auto dir = shared_tmp("forest_train_split");
  const auto features = dir / "f.h5";
  if (comm_rank(MPI_COMM_WORLD) == 0) {
    io::FeaturesMeta meta;
    meta.columns = {"a", "b", "sqi"};
    std::vector<io::RecordResult> recs;
    std::mt19937 g(11);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    for (int p = 0; p < 5; ++p) {
      io::RecordResult r;
      r.index = static_cast<std::size_t>(p);
      r.row.patient = std::string("P").append(std::to_string(p % 3));
      const int n = 60 + 37 * p;
      r.features.resize(n, 3);
      for (int i = 0; i < n; ++i) {
        const float y = i % 7 == 0 ? 1.0f : 0.0f;
        r.label.push_back(i % 11 == 5 ? std::nanf("") : y);  // some unlabelled windows
        r.time_s.push_back(i);
        r.features(i, 0) = i % 13 == 0 ? std::nanf("") : nd(g) + 2 * y;
        r.features(i, 1) = static_cast<float>(i % 9);  // few distinct values
        r.features(i, 2) = i % 17 == 3 ? 0.1f : 0.9f;   // sqi: some below min_sqi
      }
      recs.push_back(std::move(r));
    }
    io::write_features_file(MPI_COMM_SELF, features, recs.size(), recs, meta);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  TrainSettings st;
  st.min_sqi = 0.5;
  st.max_bins = 16;
  const auto ref = pipeline::read_training_set(MPI_COMM_SELF, features, st);  // one rank reads it all
  for (std::size_t chunk : {std::size_t{7}, std::size_t{64}, std::size_t{0}}) {
    SCOPED_TRACE("chunk rows " + std::to_string(chunk));
    const auto t = pipeline::read_training_set(MPI_COMM_WORLD, features, st, chunk);
    ASSERT_EQ(t.xb.n_rows(), ref.xb.n_rows());
    ASSERT_GT(t.xb.n_rows(), 500u);
    EXPECT_EQ(t.xb.upper_edges(), ref.xb.upper_edges());
    std::size_t differ = 0;
    for (std::size_t r = 0; r < t.xb.n_rows(); ++r)
      for (std::size_t f = 0; f < 3; ++f) differ += t.xb.code(r, f) != ref.xb.code(r, f);
    EXPECT_EQ(differ, 0u);
    EXPECT_EQ(t.y, ref.y);
    EXPECT_EQ(t.patient, ref.patient);
    EXPECT_EQ(t.patients, ref.patients);
    EXPECT_EQ(t.n_low_sqi, ref.n_low_sqi);
    EXPECT_GT(t.n_low_sqi, 0u);
    EXPECT_EQ(t.n_nan_label, ref.n_nan_label);
  }
  MPI_Barrier(MPI_COMM_WORLD);
}

TEST(MpiForestTrain, TrainingListsNameOnlyRecordingsWithTrainingRows) {
  // Four recordings: 0 and 3 have training rows; 1 has only unlabelled windows, 2 only windows
  // below train.min_sqi: they gave windows but trained nothing, so model.h5 does not list them.
  const auto dir = shared_tmp("forest_train_lists");
  const auto features = dir / "f.h5";
  std::vector<io::RecordRow> rows;
  for (int k = 0; k < 4; ++k) {
    io::RecordRow row;
    row.path = "P" + std::to_string(k) + "/P" + std::to_string(k) + "_s001_t000.edf";
    row.patient = "P" + std::to_string(k);
    row.status = "ok";
    row.duration_s = 100.0 + k;
    row.n_beats = static_cast<std::uint64_t>(120 + k);
    row.n_windows = 50;
    rows.push_back(row);
  }
  if (comm_rank(MPI_COMM_WORLD) == 0) {
    io::FeaturesMeta meta;
    meta.columns = {"a", "sqi"};
    std::vector<io::RecordResult> recs;
    for (int k = 0; k < 4; ++k) {
      io::RecordResult r;
      r.index = static_cast<std::size_t>(k);
      r.row = rows[static_cast<std::size_t>(k)];
      r.features.resize(50, 2);
      for (int i = 0; i < 50; ++i) {
        r.label.push_back(k == 1 ? std::nanf("") : (i % 5 == 0 ? 1.0f : 0.0f));
        r.time_s.push_back(i);
        r.features(i, 0) = static_cast<float>(i % 7);
        r.features(i, 1) = k == 2 ? 0.2f : 0.9f;
      }
      recs.push_back(std::move(r));
    }
    io::write_features_file(MPI_COMM_SELF, features, recs.size(), recs, meta);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  TrainSettings st;
  st.min_sqi = 0.5;
  const auto t = pipeline::read_training_set(MPI_COMM_WORLD, features, st);
  std::vector<std::uint64_t> want{pipeline::recording_fingerprint(rows[0]), pipeline::recording_fingerprint(rows[3])};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(t.trained_on.recordings, want);
  want = {pipeline::patient_fingerprint("P0"), pipeline::patient_fingerprint("P3")};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(t.trained_on.patients, want);
  MPI_Barrier(MPI_COMM_WORLD);
}

}  // namespace
}  // namespace ecgforest::parallel

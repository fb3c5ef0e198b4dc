// MPI tests of the distributed OOB / permutation / binned-prediction sums and of `train` itself:
// identical to the serial computation (bitwise) for any rank count; more ranks than trees gives
// the right number of trees and a note.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "ecgforest/core/config.hpp"
#include "ecgforest/forest/forest.hpp"
#include "ecgforest/io/features_file.hpp"
#include "ecgforest/io/model_file.hpp"
#include "ecgforest/parallel/forest.hpp"
#include "ecgforest/pipeline/train.hpp"
#include "mpi_test_util.hpp"

namespace ecgforest::parallel {
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
  // Rank 0 writes a 3-patient features file with MPI_COMM_SELF.
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
  Config cfg;
  cfg.train.trees = 2;
  cfg.train.cv_folds = 3;
  const auto s = pipeline::run_train(MPI_COMM_WORLD, cfg, features, dir / "m.h5", dir / "m.metrics.json", nullptr);
  EXPECT_EQ(s.folds_used, 3);
  const bool idle_note = s.metrics_json.find("ranks beyond the tree count stay idle") != std::string::npos;
  EXPECT_EQ(idle_note, comm_size(MPI_COMM_WORLD) > 2);
  if (comm_rank(MPI_COMM_WORLD) == 0) {
    EXPECT_EQ(io::read_model_file(dir / "m.h5").trees.size(), 2u);
  }
  MPI_Barrier(MPI_COMM_WORLD);
}

}  // namespace
}  // namespace ecgforest::parallel

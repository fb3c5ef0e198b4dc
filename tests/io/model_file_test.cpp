// Tests of the model file (io::write_model_file / read_model_file) with hand-made forests, of
// damaged-file errors, and of the small HDF5 helpers in io/h5.hpp it is built on.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <unistd.h>

#include "ecgforest/core/error.hpp"
#include "ecgforest/forest/forest.hpp"
#include "ecgforest/io/h5.hpp"
#include "ecgforest/io/model_file.hpp"
#include "ecgforest/version.hpp"
#include "ecgforest/pipeline/model.hpp"

namespace ecgforest::io {
namespace {

namespace fs = std::filesystem;
using forest::Forest;
using forest::Tree;

class ModelFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ecgforest_model_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Tree A (features a=0, b=1, c=2):
//   0: b <= 0.5 (NaN left) ? 1 : 2
//   1: leaf 0.25
//   2: c <= +inf (NaN right) ? 3 : 4     ("c present vs NaN")
//   3: leaf 0.75
//   4: leaf 1.0
Tree tree_a() {
  Tree t;
  t.feature = {1, -1, 2, -1, -1};
  t.threshold = {0.5f, 0.f, kInf, 0.f, 0.f};
  t.nan_left = {1, 0, 0, 0, 0};
  t.left = {1, -1, 3, -1, -1};
  t.right = {2, -1, 4, -1, -1};
  t.value = {0.f, 0.25f, 0.f, 0.75f, 1.0f};
  return t;
}

// Tree B: one leaf.
Tree tree_b() {
  Tree t;
  t.feature = {-1};
  t.threshold = {0.f};
  t.nan_left = {0};
  t.left = {-1};
  t.right = {-1};
  t.value = {0.125f};
  return t;
}

// Tree C: a <= -2 ? leaf 0.5 : leaf 0 (NaN right).
Tree tree_c() {
  Tree t;
  t.feature = {0, -1, -1};
  t.threshold = {-2.f, 0.f, 0.f};
  t.nan_left = {0, 0, 0};
  t.left = {1, -1, -1};
  t.right = {2, -1, -1};
  t.value = {0.f, 0.5f, 0.f};
  return t;
}

Forest hand_forest() {
  Forest f;
  f.trees = {tree_a(), tree_b(), tree_c()};
  f.feature_names = {"mean_rr_ms", "sdnn_ms", "rmssd ms (ünïcode)"};
  return f;
}

void expect_same_tree(const Tree& a, const Tree& b) {
  EXPECT_EQ(a.feature, b.feature);
  EXPECT_EQ(a.nan_left, b.nan_left);
  EXPECT_EQ(a.left, b.left);
  EXPECT_EQ(a.right, b.right);
  EXPECT_EQ(a.value, b.value);
  ASSERT_EQ(a.threshold.size(), b.threshold.size());
  for (std::size_t i = 0; i < a.threshold.size(); ++i) {
    EXPECT_EQ(std::memcmp(&a.threshold[i], &b.threshold[i], sizeof(float)), 0) << "threshold " << i;
  }
}

// Expects `fn` to throw an ecgforest::Error naming `file`.
template <class Fn>
void expect_error_naming(Fn fn, const fs::path& file, const std::string& also = "") {
  try {
    fn();
    ADD_FAILURE() << "expected ecgforest::Error for " << file;
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find(file.string()), std::string::npos) << m;
    if (!also.empty()) {
      EXPECT_NE(m.find(also), std::string::npos) << m;
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected ecgforest::Error, got " << e.what();
  }
}

TEST_F(ModelFile, RoundTripOfAHandMadeForest) {
  const Forest model = hand_forest();
  ModelMeta meta;
  meta.config_toml = "[train]\ntrees = 3\n";
  meta.metrics_json = R"({"auc": 0.5})";
  meta.summary = "train: 10 training windows\n  fold  test\n";
  meta.bin_edges = {{-3.f, -1.f, 0.f, 2.5f}, {0.5f}, {kInf}};
  const fs::path file = dir_ / "sub" / "model.h5";  // parent directory is created
  pipeline::write_model(file, model, meta);
  // Without a summary (as files written before it existed): no attribute, read back as "".
  ModelMeta no_summary = meta;
  no_summary.summary.clear();
  pipeline::write_model(dir_ / "old.h5", model, no_summary);
  ModelMeta old_meta;
  old_meta.summary = "stale";
  (void)pipeline::read_model(dir_ / "old.h5", &old_meta);
  EXPECT_EQ(old_meta.summary, "");
  ASSERT_TRUE(fs::exists(file));
  EXPECT_FALSE(fs::exists(file.string() + ".partial"));

  ModelMeta back_meta;
  const Forest back = pipeline::read_model(file, &back_meta);
  EXPECT_EQ(back.feature_names, model.feature_names);
  ASSERT_EQ(back.trees.size(), 3u);
  for (std::size_t t = 0; t < 3; ++t) expect_same_tree(back.trees[t], model.trees[t]);
  EXPECT_EQ(back_meta.config_toml, meta.config_toml);
  EXPECT_EQ(back_meta.metrics_json, meta.metrics_json);
  EXPECT_EQ(back_meta.summary, meta.summary);
  EXPECT_EQ(back_meta.bin_edges, meta.bin_edges);
  EXPECT_EQ(back_meta.version, std::string(kVersion));
  // "YYYY-MM-DDTHH:MM:SSZ"
  ASSERT_EQ(back_meta.created.size(), 20u) << back_meta.created;
  EXPECT_EQ(back_meta.created[4], '-');
  EXPECT_EQ(back_meta.created[10], 'T');
  EXPECT_EQ(back_meta.created[19], 'Z');

  // Reading without meta works too.
  EXPECT_EQ(pipeline::read_model(file).trees.size(), 3u);

  // The file layout is the documented one.
  h5::init_error_handling();
  h5::Handle f = h5::file_handle(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open");
  EXPECT_EQ(h5::read_string_attribute(f, "format"), "ecgforest-model/1");
  EXPECT_EQ(h5::read_int_attribute(f, "n_trees"), 3);
  EXPECT_EQ(h5::read_dataset<std::uint64_t>(f, "/trees/offsets"), (std::vector<std::uint64_t>{0, 5, 6, 9}));
  EXPECT_EQ(h5::read_dataset<std::uint64_t>(f, "/binning/offsets"), (std::vector<std::uint64_t>{0, 4, 5, 6}));
  EXPECT_EQ(h5::read_dataset<std::int32_t>(f, "/trees/left"),
            (std::vector<std::int32_t>{1, -1, 3, -1, -1, -1, 1, -1, -1}));
}

TEST_F(ModelFile, PredictionsOfTheReadForestMatchHandComputedValues) {
  const fs::path file = dir_ / "model.h5";
  pipeline::write_model(file, hand_forest(), ModelMeta{});
  const Forest back = pipeline::read_model(file);
  struct Row {
    float a, b, c;
    float want_a, want_c;  // leaf values of trees A and C (tree B is always 0.125)
  };
  const Row rows[] = {
      {-5.f, 0.5f, 1.f, 0.25f, 0.5f},    // b <= 0.5 → A leaf 1; a <= -2 → C 0.5
      {0.f, 0.6f, 1.f, 0.75f, 0.f},      // b > 0.5, c present → 0.75
      {0.f, 0.6f, kNaN, 1.0f, 0.f},      // c NaN goes right → 1.0
      {kNaN, kNaN, 3.f, 0.25f, 0.f},     // b NaN goes left; a NaN goes right
      {-2.f, 1e30f, -1e30f, 0.75f, 0.5f},  // a == threshold goes left
  };
  for (const auto& r : rows) {
    const float x[3] = {r.a, r.b, r.c};
    const double want = (static_cast<double>(r.want_a) + 0.125 + static_cast<double>(r.want_c)) / 3.0;
    EXPECT_NEAR(back.predict_proba(x), want, 1e-6) << r.a << " " << r.b << " " << r.c;
  }
}

TEST_F(ModelFile, OverwritesAnExistingFile) {
  const fs::path file = dir_ / "model.h5";
  pipeline::write_model(file, hand_forest(), ModelMeta{});
  Forest one;
  one.trees = {tree_b()};
  one.feature_names = {"x"};
  pipeline::write_model(file, one, ModelMeta{});
  const Forest back = pipeline::read_model(file);
  ASSERT_EQ(back.trees.size(), 1u);
  EXPECT_EQ(back.feature_names, std::vector<std::string>{"x"});
}

TEST_F(ModelFile, TrainingListsRoundTripSortedAndAbsentInOlderFiles) {
  ModelMeta meta;
  meta.training = TrainingData{{30, 10, 20, 10}, {7, 5}};  // read back sorted, once each
  pipeline::write_model(dir_ / "listed.h5", hand_forest(), meta);
  ModelMeta back;
  (void)pipeline::read_model(dir_ / "listed.h5", &back);
  ASSERT_TRUE(back.training.has_value());
  EXPECT_EQ(back.training->recordings, (std::vector<std::uint64_t>{10, 20, 30}));
  EXPECT_EQ(back.training->patients, (std::vector<std::uint64_t>{5, 7}));
  // Empty lists are a checked model that trained on nothing listed: present, not absent.
  meta.training = TrainingData{};
  pipeline::write_model(dir_ / "empty.h5", hand_forest(), meta);
  (void)pipeline::read_model(dir_ / "empty.h5", &back);
  ASSERT_TRUE(back.training.has_value());
  EXPECT_TRUE(back.training->recordings.empty());
  // Files written before the lists: no /training, read as nullopt.
  meta.training.reset();
  pipeline::write_model(dir_ / "old.h5", hand_forest(), meta);
  back.training = TrainingData{{1}, {2}};
  (void)pipeline::read_model(dir_ / "old.h5", &back);
  EXPECT_FALSE(back.training.has_value());
}

TEST_F(ModelFile, MissingAndNonModelFilesAreErrors) {
  const fs::path missing = dir_ / "missing.h5";
  expect_error_naming([&] { (void)pipeline::read_model(missing); }, missing);

  const fs::path text = dir_ / "text.h5";
  std::ofstream(text) << "not an HDF5 file\n";
  expect_error_naming([&] { (void)pipeline::read_model(text); }, text);

  const fs::path empty = dir_ / "empty.h5";
  std::ofstream(empty).close();
  expect_error_naming([&] { (void)pipeline::read_model(empty); }, empty);

  // A valid HDF5 file that is not a model (no format attribute).
  const fs::path other = dir_ / "other.h5";
  {
    h5::init_error_handling();
    h5::Handle f = h5::file_handle(H5Fcreate(other.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "create");
    const float v[2] = {1, 2};
    h5::write_dataset<float>(f, "/x", {2}, v);
  }
  expect_error_naming([&] { (void)pipeline::read_model(other); }, other, "format");

  // A directory.
  const fs::path d = dir_ / "dir.h5";
  fs::create_directories(d);
  expect_error_naming([&] { (void)pipeline::read_model(d); }, d);
}

TEST_F(ModelFile, DamagedTreesAreErrors) {
  auto write_with = [&](const std::string& name, Tree bad) {
    Forest f = hand_forest();
    f.trees[1] = std::move(bad);
    const fs::path file = dir_ / name;
    pipeline::write_model(file, f, ModelMeta{});
    return file;
  };
  {
    // /trees/value one element shorter than the other arrays (rewritten after a good write:
    // write_model_file itself expects consistent trees).
    const fs::path file = write_with("short.h5", tree_a());
    {
      h5::Handle f = h5::file_handle(H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "open");
      h5::check_status(H5Ldelete(f, "/trees/value", H5P_DEFAULT), "delete");
      const std::vector<float> v(12, 0.5f);  // 5 + 5 + 3 = 13 nodes
      h5::write_dataset<float>(f, "/trees/value", {v.size()}, v.data());
      f.close("close");
    }
    expect_error_naming([&] { (void)pipeline::read_model(file); }, file, "damaged");
  }
  {
    Tree t = tree_a();
    t.right[2] = 5;  // child index past the end of the 5-node tree
    const fs::path file = write_with("outside.h5", t);
    expect_error_naming([&] { (void)pipeline::read_model(file); }, file, "damaged");
  }
  {
    Tree t = tree_a();
    t.right[0] = -1;  // an internal node without right child
    const fs::path file = write_with("noright.h5", t);
    expect_error_naming([&] { (void)pipeline::read_model(file); }, file, "damaged");
  }
  {
    Tree t = tree_a();
    t.feature[0] = 3;  // only 3 feature names
    const fs::path file = write_with("feature.h5", t);
    expect_error_naming([&] { (void)pipeline::read_model(file); }, file, "damaged");
  }
  {
    // The writer refuses an empty tree (naming the file) ...
    const fs::path bad = dir_ / "empty_tree_write.h5";
    expect_error_naming([&] { write_with("empty_tree_write.h5", Tree{}); }, bad, "empty");
    EXPECT_FALSE(fs::exists(bad));
    // ... and the reader rejects a file whose offsets give tree 1 no nodes.
    const fs::path file = write_with("empty_tree.h5", tree_a());
    {
      h5::Handle f = h5::file_handle(H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "open");
      auto off = h5::read_dataset<std::uint64_t>(f, "/trees/offsets");
      ASSERT_EQ(off.size(), 4u);
      off[2] = off[1];  // tree 1 spans [off[1], off[1]): empty; tree 2 absorbs its nodes
      h5::check_status(H5Ldelete(f, "/trees/offsets", H5P_DEFAULT), "delete");
      h5::write_dataset<std::uint64_t>(f, "/trees/offsets", {off.size()}, off.data());
      f.close("close");
    }
    expect_error_naming([&] { (void)pipeline::read_model(file); }, file, "empty tree");
  }
}

// Regression: read_model_file once checked only that child indices lie inside the tree, so a
// damaged file whose node 0 is its own child was accepted and Tree::predict looped forever.
// Children must come after their parent. This test only reads the file, so it cannot hang.
TEST_F(ModelFile, CyclicTreeIsRejected) {
  Forest f = hand_forest();
  f.trees[0].left[0] = 0;  // node 0 is its own left child
  const fs::path file = dir_ / "cycle.h5";
  pipeline::write_model(file, f, ModelMeta{});
  expect_error_naming([&] { (void)pipeline::read_model(file); }, file, "damaged");
}

TEST_F(ModelFile, H5HelpersRoundTripAndCheckErrors) {
  h5::init_error_handling();
  const fs::path file = dir_ / "helpers.h5";
  {
    h5::Handle f = h5::file_handle(H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "create");
    const double m[6] = {1, 2, 3, 4, 5, 6};
    h5::write_dataset<double>(f, "/g/h/matrix", {2, 3}, m);  // intermediate groups created
    const std::uint8_t none[1] = {0};
    h5::write_dataset<std::uint8_t>(f, "/empty", {0}, none);
    h5::write_string_attribute(f, "s", "héllo wörld");
    h5::write_string_attribute(f, "empty_s", "");
    h5::write_string_list_attribute(f, "list", {"a", "", "ccc"});
    h5::write_int_attribute(f, "i", -1234567890123LL);
    f.close("close");
  }
  h5::Handle f = h5::file_handle(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open");
  std::vector<hsize_t> dims;
  EXPECT_EQ(h5::read_dataset<double>(f, "/g/h/matrix", &dims), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(dims, (std::vector<hsize_t>{2, 3}));
  EXPECT_TRUE(h5::read_dataset<std::uint8_t>(f, "/empty", &dims).empty());
  EXPECT_EQ(dims, (std::vector<hsize_t>{0}));
  EXPECT_EQ(h5::read_string_attribute(f, "s"), "héllo wörld");
  EXPECT_EQ(h5::read_string_attribute(f, "empty_s"), "");
  EXPECT_EQ(h5::read_string_list_attribute(f, "list"), (std::vector<std::string>{"a", "", "ccc"}));
  EXPECT_THROW((void)h5::read_string_attribute(f, "list"), Hdf5Error);  // not a single string
  EXPECT_EQ(h5::read_int_attribute(f, "i"), -1234567890123LL);
  EXPECT_TRUE(h5::has_attribute(f, "s"));
  EXPECT_FALSE(h5::has_attribute(f, "nope"));
  EXPECT_THROW((void)h5::read_dataset<float>(f, "/missing"), Hdf5Error);
  try {
    (void)h5::check(-1, "Doing the thing failed.");
    ADD_FAILURE() << "check(-1) did not throw";
  } catch (const Hdf5Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("Doing the thing failed.", 0), 0u) << e.what();
  }
  EXPECT_EQ(h5::check(7, "fine"), 7);
  EXPECT_NO_THROW(h5::check_status(0, "fine"));
  EXPECT_THROW(h5::check_status(-1, "bad"), Hdf5Error);
}

}  // namespace
}  // namespace ecgforest::io

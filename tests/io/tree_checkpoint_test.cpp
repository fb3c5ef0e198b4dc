// Tree checkpoints (io/tree_checkpoint.hpp): trees round-trip bit for bit, any block of indices
// can be read back from files written by other ranks, and truncated, half-written or other-run
// files are never used.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ecgforest/core/hash.hpp"
#include "ecgforest/forest/tree_bytes.hpp"
#include "ecgforest/io/tree_checkpoint.hpp"

namespace ecgforest::io {
namespace {

namespace fs = std::filesystem;

forest::Tree tree(int i) {  // a made-up tree whose every array depends on i
  forest::Tree t;
  t.feature = {i, -1, -1};
  t.threshold = {0.5f + static_cast<float>(i), 0, 0};
  t.nan_left = {1, 0, 0};
  t.left = {1, -1, -1};
  t.right = {2, -1, -1};
  t.value = {0.25f, 0.125f * static_cast<float>(i), 1.0f / 3.0f};
  t.bin = {static_cast<std::uint8_t>(i), 0, 0};
  t.importance = {0.1 * i, 1e-300};
  return t;
}

bool same(const forest::Tree& a, const forest::Tree& b) {
  return a.feature == b.feature && a.threshold == b.threshold && a.nan_left == b.nan_left && a.left == b.left &&
         a.right == b.right && a.value == b.value && a.bin == b.bin && a.importance == b.importance;
}

class TreeCheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("ecgforest_ckpt_test_" + std::to_string(::getpid())) / "m.h5.checkpoint";
    fs::remove_all(dir.parent_path());
  }
  void TearDown() override { fs::remove_all(dir.parent_path()); }
  std::vector<fs::path> files() const {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
    return out;
  }
  fs::path dir;
  const std::string run = "0123456789abcdef", phase = "fedcba9876543210";
};

TEST_F(TreeCheckpointTest, DirectoryIsNextToTheModel) {
  EXPECT_EQ(checkpoint_dir_for("out/model.h5"), fs::path("out/model.h5.checkpoint"));
}

TEST_F(TreeCheckpointTest, TreesOfTwoRanksAreReadBackByAnyBlock) {
  const TreeCheckpoint ck(dir, run);
  TreeBatch a, b;
  for (int i : {0, 2, 1}) a.add(static_cast<std::uint64_t>(i), forest::tree_bytes(tree(i)));  // "rank 0", out of order
  for (int i : {4, 3}) b.add(static_cast<std::uint64_t>(i), forest::tree_bytes(tree(i)));     // "rank 1"
  ASSERT_TRUE(ck.store(phase, a));
  ASSERT_TRUE(ck.store(phase, b));
  EXPECT_TRUE(a.empty());
  ASSERT_EQ(files().size(), 2u);
  EXPECT_EQ(files()[0].filename().string().substr(0, 34), run + "-" + phase + "-");
  std::size_t n_stored = 0;
  const auto got = ck.load(phase, 1, 4, &n_stored);  // a block across both files
  EXPECT_EQ(n_stored, 5u);
  ASSERT_EQ(got.size(), 3u);
  for (std::uint64_t i : {1, 2, 3}) EXPECT_TRUE(same(forest::tree_from_bytes(got.at(i)), tree(static_cast<int>(i)))) << i;
  EXPECT_TRUE(ck.load("0000000000000000", 0, 5).empty());  // another phase
  EXPECT_EQ(ck.count_stale(), 0u);
}

TEST_F(TreeCheckpointTest, TruncatedPartialAndOtherRunFilesAreIgnored) {
  {
    const TreeCheckpoint other(dir, "aaaaaaaaaaaaaaaa");
    TreeBatch b;
    b.add(0, forest::tree_bytes(tree(9)));
    ASSERT_TRUE(other.store(phase, b));
  }
  const TreeCheckpoint ck(dir, run);
  TreeBatch b;
  b.add(0, forest::tree_bytes(tree(0)));
  b.add(1, forest::tree_bytes(tree(1)));
  ASSERT_TRUE(ck.store(phase, b));
  EXPECT_EQ(ck.count_stale(), 1u);
  EXPECT_EQ(ck.load(phase, 0, 2).size(), 2u);
  // Cut the file of this run short: it is ignored as a whole.
  for (const auto& p : files()) {
    if (p.filename().string().rfind(run, 0) != 0) continue;
    const auto size = fs::file_size(p);
    fs::resize_file(p, size - 3);
  }
  std::size_t n_stored = 7;
  EXPECT_TRUE(ck.load(phase, 0, 2, &n_stored).empty());
  EXPECT_EQ(n_stored, 0u);
  // A half-written temporary file is never read, even when complete.
  TreeBatch c;
  c.add(1, forest::tree_bytes(tree(1)));
  ASSERT_TRUE(ck.store(phase, c));
  for (const auto& p : files())
    if (p.filename().string().find("-" + phase + "-") != std::string::npos && p.string().find(run) != std::string::npos)
      fs::rename(p, p.string() + ".partial.1");
  EXPECT_TRUE(ck.load(phase, 0, 2).empty());
  ck.remove();
  EXPECT_FALSE(fs::exists(dir));
}

TEST(Hasher, DependsOnEveryByteAndOnHowTextIsSplit) {
  const std::vector<std::uint8_t> v(1000, 7);
  auto w = v;
  w[999] = 8;
  EXPECT_NE(Hasher().pod_vector(v).value(), Hasher().pod_vector(w).value());
  EXPECT_EQ(Hasher().pod_vector(v).value(), Hasher().pod_vector(v).value());
  EXPECT_NE(Hasher().text("ab").text("c").value(), Hasher().text("a").text("bc").value());
  EXPECT_EQ(Hasher().text("x").hex().size(), 16u);
}

}  // namespace
}  // namespace ecgforest::io

// regular_file_problem: the check every small-text reader makes before it opens a file.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ecgforest/core/file_check.hpp"

namespace ecgforest {
namespace {

namespace fs = std::filesystem;

class FileCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ecgforest_file_check_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(FileCheck, RegularFileWithinTheLimitIsAccepted) {
  std::ofstream(dir_ / "a.toml") << "x = 1\n";  // 6 bytes
  EXPECT_EQ(regular_file_problem(dir_ / "a.toml", 6), "");
}

TEST_F(FileCheck, EveryOtherKindIsNamed) {
  EXPECT_EQ(regular_file_problem(dir_ / "missing", 100), "does not exist");
  EXPECT_EQ(regular_file_problem(dir_, 100), "is a directory, not a file");
  ASSERT_EQ(::mkfifo((dir_ / "fifo").c_str(), 0600), 0);
  // Returns at once: the FIFO is never opened (an open would block until a writer appears).
  EXPECT_NE(regular_file_problem(dir_ / "fifo", 100).find("not a regular file"), std::string::npos);
  EXPECT_NE(regular_file_problem("/dev/zero", 100).find("not a regular file"), std::string::npos);
}

TEST_F(FileCheck, SizeAboveTheLimitIsRefusedWithBothSizes) {
  std::ofstream(dir_ / "big.csv") << "1234567";  // 7 bytes
  EXPECT_EQ(regular_file_problem(dir_ / "big.csv", 7), "");
  EXPECT_EQ(regular_file_problem(dir_ / "big.csv", 6),
            "is 7 bytes; the limit for this kind of file is 6 bytes, so it cannot be what it claims to be");
  fs::resize_file(dir_ / "big.csv", 3ull << 30);  // sparse 3 GiB
  EXPECT_EQ(regular_file_problem(dir_ / "big.csv", kMaxListBytes),
            "is 3.0 GiB; the limit for this kind of file is 64.0 MiB, so it cannot be what it claims to be");
}

}  // namespace
}  // namespace ecgforest

#include "ecgforest/io/output_lock.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

#include "ecgforest/core/error.hpp"

namespace fs = std::filesystem;
using ecgforest::io::OutputLock;

namespace {

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("ecgforest_output_lock_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  return d;
}

}  // namespace

TEST(OutputLock, SecondWriterOfTheSameOutputIsRefusedWithASentence) {
  const fs::path dir = fresh_dir("second");
  const fs::path out = dir / "features.h5";
  std::optional<OutputLock> first(std::in_place, out);  // creates the missing folder
  ASSERT_TRUE(first->held());
  EXPECT_TRUE(fs::exists(out.string() + ".lock"));
  try {
    OutputLock second(out);
    FAIL() << "a second lock on the same output was granted";
  } catch (const ecgforest::Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("Another ecgforest run is writing " + out.string() + " now"), std::string::npos) << m;
    EXPECT_NE(m.find(out.string() + ".lock"), std::string::npos) << m;
  }
  OutputLock other(dir / "model.h5");  // another output is not blocked
  EXPECT_TRUE(other.held());
  first.reset();  // released: the lock file goes, and the output can be locked again
  EXPECT_FALSE(fs::exists(out.string() + ".lock"));
  OutputLock again(out);
  EXPECT_TRUE(again.held());
  fs::remove_all(dir);
}

TEST(OutputLock, AStaleLockFileOfAKilledRunDoesNotBlock) {
  const fs::path dir = fresh_dir("stale");
  fs::create_directories(dir);
  const fs::path out = dir / "features.h5";
  { std::FILE* f = std::fopen((out.string() + ".lock").c_str(), "w"); ASSERT_NE(f, nullptr); std::fclose(f); }
  OutputLock lock(out);  // nobody holds the flock: the kernel released it with the dead process
  EXPECT_TRUE(lock.held());
  fs::remove_all(dir);
}

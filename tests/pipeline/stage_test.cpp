// Staged per-recording results (resume): round trip, and every reason a stage file must not be
// trusted (absent, truncated, stale input, other settings, transient failure).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>

#include <unistd.h>

#include "ecgforest/pipeline/extract.hpp"
#include "ecgforest/pipeline/stage.hpp"

namespace ecgforest::pipeline {
namespace {

namespace fs = std::filesystem;

struct StageTest : ::testing::Test {
  fs::path dir;
  InputRecording rec;
  Config config;

  void SetUp() override {
    dir = fs::temp_directory_path() / ("ecgforest_stage_test_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    rec.edf = dir / "p1_s001_t000.edf";
    std::ofstream(rec.edf) << "not really an EDF; only its size and mtime matter here";
    rec.patient = "p1";
  }
  void TearDown() override { fs::remove_all(dir); }

  // A result with `n` windows whose values are distinct and exact in float (k + 0.25).
  io::RecordResult result(std::size_t index, Eigen::Index n) const {
    io::RecordResult r;
    r.index = index;
    r.row.path = rec.edf.string();
    r.row.patient = "p1";
    r.row.ecg_channel = "EEG EKG1-REF";
    r.row.message = "a message";
    r.row.duration_s = 300.0;
    r.row.fs = 256.0;
    r.row.n_beats = 360;
    r.row.n_windows = static_cast<std::uint64_t>(n);
    const auto cols = static_cast<Eigen::Index>(feature_columns(config).size());
    r.features.resize(n, cols);
    for (Eigen::Index i = 0; i < n; ++i) {
      for (Eigen::Index j = 0; j < cols; ++j) r.features(i, j) = static_cast<float>(i * 100 + j) + 0.25f;
      r.label.push_back(i == 0 ? std::numeric_limits<float>::quiet_NaN() : 0.5f);
      r.time_s.push_back(10.0 + static_cast<double>(i));
    }
    return r;
  }
};

TEST_F(StageTest, StagedResultRoundTripsExactly) {
  const fs::path out = dir / "features.h5";
  EXPECT_EQ(stage_dir_for(out), dir / "features.h5.stage");
  RecordStage stage(out, config);
  EXPECT_FALSE(stage.load(rec, 4).has_value());  // nothing staged yet
  EXPECT_FALSE(fs::exists(stage.dir()));         // and nothing created
  auto r = result(4, 3);
  r.reference.annotated = true;
  r.reference.seizures = {{12.5, 40.25}, {100.0, 130.125}};
  ASSERT_TRUE(stage.store(rec, r));
  EXPECT_TRUE(fs::exists(dir / "features.h5.stage" / "4.bin"));
  const auto back = stage.load(rec, 4);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->index, 4u);
  EXPECT_EQ(back->row.ecg_channel, "EEG EKG1-REF");
  EXPECT_EQ(back->row.message, "a message");
  EXPECT_EQ(back->row.n_beats, 360u);
  EXPECT_EQ(back->row.n_windows, 3u);
  EXPECT_DOUBLE_EQ(back->row.fs, 256.0);
  ASSERT_EQ(back->features.rows(), 3);
  EXPECT_EQ(back->features(2, 1), 201.25f);
  EXPECT_EQ(back->features(1, 0), 100.25f);
  EXPECT_TRUE(std::isnan(back->label[0]));
  EXPECT_EQ(back->label[2], 0.5f);
  EXPECT_EQ(back->time_s[1], 11.0);
  EXPECT_TRUE(back->reference.annotated);
  ASSERT_EQ(back->reference.seizures.size(), 2u);
  EXPECT_EQ(back->reference.seizures[1].start_s, 100.0);
  EXPECT_EQ(back->reference.seizures[1].stop_s, 130.125);
  // Another index is not this file.
  EXPECT_FALSE(stage.load(rec, 5).has_value());
  stage.remove();
  EXPECT_FALSE(fs::exists(stage.dir()));
}

TEST_F(StageTest, TruncatedFileIsIgnored) {
  RecordStage stage(dir / "f.h5", config);
  ASSERT_TRUE(stage.store(rec, result(0, 5)));
  const fs::path file = stage.dir() / "0.bin";
  fs::resize_file(file, fs::file_size(file) - 1);  // last byte of the end marker missing
  EXPECT_FALSE(stage.load(rec, 0).has_value());
  fs::resize_file(file, 10);
  EXPECT_FALSE(stage.load(rec, 0).has_value());
}

TEST_F(StageTest, ChangedInputFileIsStale) {
  RecordStage stage(dir / "f.h5", config);
  ASSERT_TRUE(stage.store(rec, result(0, 2)));
  ASSERT_TRUE(stage.load(rec, 0).has_value());
  fs::last_write_time(rec.edf, fs::last_write_time(rec.edf) - std::chrono::hours(1));
  EXPECT_FALSE(stage.load(rec, 0).has_value());
}

TEST_F(StageTest, NewAnnotationFileMakesItStale) {
  RecordStage stage(dir / "f.h5", config);
  ASSERT_TRUE(stage.store(rec, result(0, 2)));
  std::ofstream(dir / "p1_s001_t000.tse_bi") << "version = tse_v1.0.0\n\n0.0 10.0 bckg 1.0\n";
  EXPECT_FALSE(stage.load(rec, 0).has_value());
}

TEST_F(StageTest, OtherExtractionSettingsDoNotMatchButTrainingSettingsDo) {
  RecordStage stage(dir / "f.h5", config);
  ASSERT_TRUE(stage.store(rec, result(0, 2)));
  Config train_changed = config;
  train_changed.train.trees = 7;
  train_changed.extract.strict = true;
  train_changed.output = "elsewhere";
  EXPECT_TRUE(RecordStage(dir / "f.h5", train_changed).load(rec, 0).has_value());
  Config window_changed = config;
  window_changed.extract.window_s = 20.0;
  EXPECT_FALSE(RecordStage(dir / "f.h5", window_changed).load(rec, 0).has_value());
  Config detector_changed = config;
  detector_changed.extract.ecg_channel = "ECG";
  EXPECT_FALSE(RecordStage(dir / "f.h5", detector_changed).load(rec, 0).has_value());
}

TEST_F(StageTest, PossiblyTransientFailuresAreNotStaged) {
  RecordStage stage(dir / "f.h5", config);
  auto r = result(0, 0);
  r.row.status = "unreadable";
  EXPECT_FALSE(stage.store(rec, r));
  r.row.status = "error";
  EXPECT_FALSE(stage.store(rec, r));
  r.row.status = "flat_ecg";  // a property of the file: staged
  EXPECT_TRUE(stage.store(rec, r));
  const auto back = stage.load(rec, 0);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->row.status, "flat_ecg");
  EXPECT_EQ(back->features.rows(), 0);
}

}  // namespace
}  // namespace ecgforest::pipeline

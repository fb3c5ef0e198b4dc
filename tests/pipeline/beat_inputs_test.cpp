// Tests of heart-beat recordings among the inputs: expand_inputs finds NAME_rr.csv[.gz] and
// NAME_beats.csv[.gz] in directories and globs, pairs patient and annotations by NAME, rejects an
// EDF and a beat file of one NAME in one directory; process_recording on a beat file gives the
// windows, labels and /records fields worked out by hand.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ecgforest/core/config.hpp"
#include "ecgforest/core/error.hpp"
#include "ecgforest/io/annotations.hpp"
#include "ecgforest/pipeline/extract.hpp"
#include "ecgforest/pipeline/inputs.hpp"

namespace ecgforest::pipeline {
namespace {

namespace fs = std::filesystem;

class BeatInputs : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("ecgforest_beat_inputs_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
             "_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
    root_ = fs::canonical(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path text(const std::string& rel, const std::string& content) {
    const fs::path p = root_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  static std::vector<fs::path> paths(const std::vector<InputRecording>& r) {
    std::vector<fs::path> out;
    for (const auto& x : r) out.push_back(x.edf);
    return out;
  }
  fs::path root_;
  ExtractSettings settings_;
};

TEST_F(BeatInputs, DirectoriesAndGlobsFindBeatFiles) {
  text("d/a_rr.csv.gz", "x");
  text("d/b_beats.csv", "x");
  text("d/c.edf", "x");
  text("d/sub/aaaaaaac_s001_t000_BEATS.CSV.GZ", "x");
  text("d/notes.csv", "x");          // not a recording
  text("d/d_rr.csv.bak", "x");       // not a recording
  text("d/e_rr.txt", "x");           // not a recording (and not read as a list inside a directory)
  const auto r = expand_inputs({(root_ / "d").string()}, settings_);
  const std::vector<fs::path> want = {root_ / "d/a_rr.csv.gz", root_ / "d/b_beats.csv", root_ / "d/c.edf",
                                      root_ / "d/sub/aaaaaaac_s001_t000_BEATS.CSV.GZ"};
  EXPECT_EQ(paths(r), want);
  // Patient: the regex on the file name, else the recording NAME.
  EXPECT_EQ(r[0].patient, "a");
  EXPECT_EQ(r[1].patient, "b");
  EXPECT_EQ(r[3].patient, "aaaaaaac");
  const auto g = expand_inputs({(root_ / "d/*.csv*").string()}, settings_);
  EXPECT_EQ(paths(g), (std::vector<fs::path>{root_ / "d/a_rr.csv.gz", root_ / "d/b_beats.csv"}));
}

TEST_F(BeatInputs, EdfAndBeatFileOfOneNameIsAnError) {
  text("d/rec1.edf", "x");
  text("d/rec1_rr.csv", "x");
  try {
    (void)expand_inputs({(root_ / "d").string()}, settings_);
    ADD_FAILURE() << "accepted";
  } catch (const ConfigError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find((root_ / "d/rec1.edf").string()), std::string::npos) << m;
    EXPECT_NE(m.find((root_ / "d/rec1_rr.csv").string()), std::string::npos) << m;
  }
  // Two beat files of one NAME as well; the same NAME in another directory is another recording.
  fs::remove(root_ / "d/rec1.edf");
  text("d/rec1_beats.csv.gz", "x");
  EXPECT_THROW((void)expand_inputs({(root_ / "d").string()}, settings_), ConfigError);
  fs::remove(root_ / "d/rec1_beats.csv.gz");
  text("e/rec1_beats.csv", "x");
  EXPECT_EQ(expand_inputs({(root_ / "d").string(), (root_ / "e").string()}, settings_).size(), 2u);
}

TEST_F(BeatInputs, AnnotationsPairByName) {
  const auto rec = text("d/p1_beats.csv.gz", "x");
  EXPECT_FALSE(io::find_annotation_for(rec).has_value());
  const auto ann = text("d/p1.tse_bi", "version = tse_v1.0.0\n\n0.0 20.0 bckg 1.0\n");
  ASSERT_TRUE(io::find_annotation_for(rec).has_value());
  EXPECT_EQ(*io::find_annotation_for(rec), ann);
}

// A beats file (1 beat per second from 0.5 s, a V at 7.7 s) with an annotation (seizure 12-16 s,
// background to 20 s). Duration = end of the annotations, 20 s (the last beat is at 14.5 s);
// windows of 10 s every 1 s end at 10, 11, ..., 20 s: 11 windows.
TEST_F(BeatInputs, ProcessRecordingOnABeatsFile) {
  std::string beats = "time_s,symbol\n";
  for (int i = 0; i < 15; ++i) beats += std::to_string(i) + ".5,N\n";
  beats.insert(beats.find("8.5,N"), "7.7,V\n");
  const auto rec_path = text("d/p2_beats.csv", beats);
  text("d/p2.tse_bi", "version = tse_v1.0.0\n\n0.0 12.0 bckg 1.0\n12.0 16.0 seiz 1.0\n16.0 20.0 bckg 1.0\n");
  Config config;
  const auto recs = expand_inputs({rec_path.string()}, config.extract);
  ASSERT_EQ(recs.size(), 1u);
  const auto r = process_recording(recs[0], 0, config);
  ASSERT_EQ(r.row.status, "ok") << r.row.message;
  EXPECT_EQ(r.row.kind, "beats_csv");
  EXPECT_EQ(r.row.annotation, (root_ / "d/p2.tse_bi").string());
  EXPECT_DOUBLE_EQ(r.row.duration_s, 20.0);
  EXPECT_EQ(r.row.n_beats, 15u);
  EXPECT_EQ(r.row.fs, 0.0);
  ASSERT_EQ(r.features.rows(), 11);
  ASSERT_EQ(r.time_s.size(), 11u);
  EXPECT_DOUBLE_EQ(r.time_s.front(), 10.0);
  EXPECT_DOUBLE_EQ(r.time_s.back(), 20.0);
  // Labels: seizure fraction of [end-10, end]: end 10 → 0, 12 → 0, 14 → 0.2, 16..20 → 0.4.
  EXPECT_FLOAT_EQ(r.label[0], 0.0f);
  EXPECT_FLOAT_EQ(r.label[4], 0.2f);
  EXPECT_FLOAT_EQ(r.label[6], 0.4f);
  EXPECT_FLOAT_EQ(r.label[10], 0.4f);
  const auto cols = feature_columns(config);
  const auto col = [&](const std::string& name) {
    return static_cast<Eigen::Index>(std::find(cols.begin(), cols.end(), name) - cols.begin());
  };
  // Window ending at 10 s: beats 0.5..9.5 (10); the V between 7.5 and 8.5 removes that RR:
  // 8 NN intervals of 1000 ms (1.5, ..., 7.5 and 9.5 as later beats).
  EXPECT_EQ(r.features(0, col("n_rr")), 8.0f);
  EXPECT_FLOAT_EQ(r.features(0, col("mean_nni")), 1000.0f);
  // sqi = fraction of the window outside the bad span [7.5, 8.5): 0.9.
  EXPECT_NEAR(r.features(0, col("sqi")), 0.9f, 1e-6);
  // Window ending at 20 s holds beats 10.5..14.5 only (5 beats, no bad span): sqi 1.
  EXPECT_NEAR(r.features(10, col("sqi")), 1.0f, 1e-6);
}

TEST_F(BeatInputs, MalformedBeatFileIsARecordRow) {
  const auto p = text("d/p3_rr.csv", "timestamp,frame,rr_interval\n2000-01-01 00:00:01,1,800\n2000-01-01 00:00:00,2,800\n");
  Config config;
  InputRecording rec;
  rec.edf = p;
  const auto r = process_recording(rec, 0, config);
  EXPECT_EQ(r.row.status, "bad_beats");
  EXPECT_EQ(r.row.kind, "rr_csv");
  EXPECT_NE(r.row.message.find(p.string()), std::string::npos) << r.row.message;
  EXPECT_EQ(r.features.rows(), 0);
}

}  // namespace
}  // namespace ecgforest::pipeline

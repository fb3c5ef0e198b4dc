// Tests of pipeline::expand_inputs (files, directories, globs, list files, annotation map,
// errors) and pipeline::patient_from_path on a directory tree made here.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "ecgforest/core/config.hpp"
#include "ecgforest/core/error.hpp"
#include "ecgforest/pipeline/inputs.hpp"

namespace ecgforest::pipeline {
namespace {

namespace fs = std::filesystem;

class Inputs : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("ecgforest_inputs_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
             std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
    root_ = fs::canonical(root_);
    // Tree:
    //   cohort/a/00000258_s002_t000.edf      (10 bytes)
    //   cohort/a/notes.txt                   (not a list file inside a directory walk)
    //   cohort/b/c/aaaaaaac_s001_t000.EDF    (upper-case extension, 20 bytes)
    //   cohort/b/PAT_12_Annotations_EEG_3.edf (30 bytes)
    //   cohort/b/plain.edf.bak               (not EDF)
    //   cohort/dir.edf/inner_rec.edf         (a directory named *.edf is searched, 40 bytes)
    //   other/z_recording.edf                (50 bytes)
    //   empty_dir/readme.csv
    file("cohort/a/00000258_s002_t000.edf", 10);
    file("cohort/a/notes.txt", 5);
    file("cohort/b/c/aaaaaaac_s001_t000.EDF", 20);
    file("cohort/b/PAT_12_Annotations_EEG_3.edf", 30);
    file("cohort/b/plain.edf.bak", 3);
    file("cohort/dir.edf/inner_rec.edf", 40);
    file("other/z_recording.edf", 50);
    file("empty_dir/readme.csv", 1);
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path file(const std::string& rel, std::size_t bytes) {
    const fs::path p = root_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << std::string(bytes, 'x');
    return p;
  }
  void text(const std::string& rel, const std::string& content) {
    const fs::path p = root_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  std::string s(const std::string& rel) const { return (root_ / rel).string(); }

  static std::vector<fs::path> paths(const std::vector<InputRecording>& r) {
    std::vector<fs::path> out;
    for (const auto& x : r) out.push_back(x.edf);
    return out;
  }

  fs::path root_;
  ExtractSettings settings_;
};

TEST_F(Inputs, DirectoryIsSearchedRecursivelyAndSorted) {
  const auto r = expand_inputs({s("cohort")}, settings_);
  const std::vector<fs::path> want = {root_ / "cohort/a/00000258_s002_t000.edf",
                                      root_ / "cohort/b/PAT_12_Annotations_EEG_3.edf",
                                      root_ / "cohort/b/c/aaaaaaac_s001_t000.EDF",
                                      root_ / "cohort/dir.edf/inner_rec.edf"};
  ASSERT_EQ(paths(r), want);
  EXPECT_EQ(r[0].size_bytes, 10u);
  EXPECT_EQ(r[1].size_bytes, 30u);
  EXPECT_EQ(r[2].size_bytes, 20u);
  EXPECT_EQ(r[3].size_bytes, 40u);
  EXPECT_EQ(r[0].patient, "00000258");
  EXPECT_EQ(r[1].patient, "PAT_12");
  EXPECT_EQ(r[2].patient, "aaaaaaac");
  EXPECT_EQ(r[3].patient, "inner_rec");
  for (const auto& x : r) EXPECT_TRUE(x.annotation.empty());
}

TEST_F(Inputs, RelativeInputsBecomeAbsoluteAndDuplicatesAreRemoved) {
  const fs::path old = fs::current_path();
  fs::current_path(root_);
  std::vector<InputRecording> r;
  EXPECT_NO_THROW(r = expand_inputs({"other", "other/z_recording.edf", "./other/../other/z_recording.edf",
                                     s("other/z_recording.edf")},
                                    settings_));
  fs::current_path(old);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].edf, root_ / "other/z_recording.edf");
  EXPECT_TRUE(r[0].edf.is_absolute());
  EXPECT_EQ(r[0].size_bytes, 50u);
  EXPECT_EQ(r[0].patient, "z_recording");
}

TEST_F(Inputs, GlobPatterns) {
  const auto r = expand_inputs({s("cohort/*/*.edf"), s("oth?r/*")}, settings_);
  const std::vector<fs::path> want = {root_ / "cohort/a/00000258_s002_t000.edf",
                                      root_ / "cohort/b/PAT_12_Annotations_EEG_3.edf",
                                      root_ / "cohort/dir.edf/inner_rec.edf",  // "*" matches the directory name dir.edf
                                      root_ / "other/z_recording.edf"};
  EXPECT_EQ(paths(r), want);
}

TEST_F(Inputs, ListFilesWithCommentsRelativePathsAndCrlf) {
  text("lists/inputs.txt",
       "# recordings for the test\n"
       "\n"
       "../cohort/a/00000258_s002_t000.edf\r\n"
       "   ../other   \n"
       "  # indented comment\n" +
           s("cohort/b/PAT_12_Annotations_EEG_3.edf") + "\n" + "nested.list\n");
  text("lists/nested.list", "../cohort/dir.edf\n");
  const auto r = expand_inputs({s("lists/inputs.txt")}, settings_);
  const std::vector<fs::path> want = {root_ / "cohort/a/00000258_s002_t000.edf",
                                      root_ / "cohort/b/PAT_12_Annotations_EEG_3.edf",
                                      root_ / "cohort/dir.edf/inner_rec.edf", root_ / "other/z_recording.edf"};
  EXPECT_EQ(paths(r), want);
}

TEST_F(Inputs, ListFileNamingAMissingPathIsAConfigError) {
  text("lists/bad.lst", "../other/z_recording.edf\n../cohort/nope.edf\n");
  try {
    (void)expand_inputs({s("lists/bad.lst")}, settings_);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("nope.edf"), std::string::npos) << m;
    EXPECT_NE(m.find("Line 2"), std::string::npos) << m;
    EXPECT_NE(m.find("bad.lst"), std::string::npos) << m;
  }
}

TEST_F(Inputs, SelfReferencingListFileStopsWithAConfigError) {
  text("lists/loop.txt", "loop.txt\n");
  EXPECT_THROW((void)expand_inputs({s("lists/loop.txt")}, settings_), ConfigError);
}

// The message names the list that includes itself and the way round, not a path nine levels
// of "sub/../sub/.." deep.
TEST_F(Inputs, ListLoopThroughAnotherListNamesBothFiles) {
  text("lists/a.txt", "sub/b.txt\n");
  text("lists/sub/b.txt", "../a.txt\n");
  try {
    (void)expand_inputs({s("lists/a.txt")}, settings_);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "The input list " + s("lists/a.txt") + " includes itself (" + s("lists/a.txt") +
                                         " -> " + s("lists/sub/b.txt") + " -> " + s("lists/a.txt") +
                                         "); remove the line that closes the loop.");
  }
}

TEST_F(Inputs, MissingInputsAreConfigErrors) {
  auto msg_of = [&](const std::vector<std::string>& in) {
    try {
      (void)expand_inputs(in, settings_);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    ADD_FAILURE() << "expected ConfigError";
    return std::string();
  };
  const std::string m1 = msg_of({s("other"), s("does/not/exist.edf")});
  EXPECT_NE(m1.find(s("does/not/exist.edf")), std::string::npos) << m1;
  const std::string m2 = msg_of({s("cohort/*/*.xyz")});
  EXPECT_NE(m2.find("*.xyz"), std::string::npos) << m2;
  const std::string m3 = msg_of({s("empty_dir")});  // exists but holds no EDF
  EXPECT_NE(m3.find("No EDF"), std::string::npos) << m3;
  msg_of({});
}

TEST_F(Inputs, AnnotationMapPairsRecordings) {
  text("maps/ann.csv",
       "edf,annotation\n"
       "../cohort/a/00000258_s002_t000.edf,../ann/first.tse_bi\n" +
           s("other/z_recording.edf") + "," + s("ann/z.csv_bi") + "\r\n");
  settings_.annotation_map = s("maps/ann.csv");
  const auto r = expand_inputs({s("cohort/a"), s("other")}, settings_);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].annotation, root_ / "ann/first.tse_bi");
  EXPECT_EQ(r[1].annotation, root_ / "ann/z.csv_bi");

  settings_.annotation_map = s("maps/missing.csv");
  EXPECT_THROW((void)expand_inputs({s("other")}, settings_), ConfigError);
  text("maps/bad.csv", "just-one-column\n");
  settings_.annotation_map = s("maps/bad.csv");
  EXPECT_THROW((void)expand_inputs({s("other")}, settings_), ConfigError);
}

TEST_F(Inputs, InvalidPatientRegexIsAConfigErrorBeforeAnyWork) {
  settings_.patient_regex = "([unclosed";
  try {
    (void)expand_inputs({s("other")}, settings_);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("([unclosed"), std::string::npos) << e.what();
  }
}

TEST(PatientFromPath, DefaultRegex) {
  const std::string re = ExtractSettings{}.patient_regex;
  // TUH v1: 8-digit patient id.
  EXPECT_EQ(patient_from_path("/d/tuh/train/01_tcp_ar/002/00000258/s002_2003_07_21/00000258_s002_t000.edf", re),
            "00000258");
  // TUH v2: 8 lower-case letters.
  EXPECT_EQ(patient_from_path("/d/tuh/edf/train/aaaaaaac/s001_2002/02_tcp_le/aaaaaaac_s001_t000.edf", re),
            "aaaaaaac");
  // La Teppe.
  EXPECT_EQ(patient_from_path("/d/lateppe/PAT_12_Annotations_EEG_3.edf", re), "PAT_12");
  EXPECT_EQ(patient_from_path("PAT_7.edf", re), "PAT_7");
  // The basename does not match, the whole path does (La Teppe patient folder).
  EXPECT_EQ(patient_from_path("/d/lateppe/PAT_31/recording_2.edf", re), "PAT_31");
  // Fallback: the file stem.
  EXPECT_EQ(patient_from_path("/d/other/subject-17_night.edf", re), "subject-17_night");
  EXPECT_EQ(patient_from_path("/d/other/0000025_s002_t000.edf", re), "0000025_s002_t000");  // 7 digits
  EXPECT_EQ(patient_from_path("/d/other/AAAAAAAC_s001_t000.edf", re), "AAAAAAAC_s001_t000");  // upper case
}

TEST(PatientFromPath, CustomRegexAndWholeMatch) {
  EXPECT_EQ(patient_from_path("/x/sub-042_run1.edf", R"(sub-([0-9]+))"), "042");
  EXPECT_EQ(patient_from_path("/x/sub-042_run1.edf", R"(sub-[0-9]+)"), "sub-042");  // no group: whole match
  // Empty first group: the next non-empty group is used.
  EXPECT_EQ(patient_from_path("/x/B17.edf", R"((A[0-9]+)?(B[0-9]+))"), "B17");
  EXPECT_THROW((void)patient_from_path("/x/a.edf", "(["), ConfigError);
}

}  // namespace
}  // namespace ecgforest::pipeline

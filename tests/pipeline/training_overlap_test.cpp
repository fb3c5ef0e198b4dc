// Training-overlap check (pipeline/training_overlap.hpp): which recordings predict scores were
// among the model's training data. The fingerprint's properties are asserted one field at a time;
// the overlap and its sentence against hand-made lists.
#include "ecgforest/pipeline/training_overlap.hpp"

#include <cmath>

#include <gtest/gtest.h>

namespace ecgforest::pipeline {
namespace {

io::RecordRow row(const std::string& path, double duration_s, std::uint64_t n_beats) {
  io::RecordRow r;
  r.path = path;
  r.duration_s = duration_s;
  r.n_beats = n_beats;
  r.n_windows = 10;
  return r;
}

TEST(TrainingOverlap, FingerprintIsTheRecordingNotTheFileLocation) {
  const auto a = recording_fingerprint(row("/data/train/p1/p1_s001_t000.edf", 1800.0, 2100));
  EXPECT_EQ(a, recording_fingerprint(row("relative/elsewhere/p1_s001_t000.edf", 1800.0, 2100)));
  EXPECT_EQ(a, recording_fingerprint(row("p1_s001_t000.edf", 1800.0, 2100)));
  // The patient, channel and annotation are not part of it.
  auto other = row("p1_s001_t000.edf", 1800.0, 2100);
  other.patient = "someone-else";
  other.annotation = "x.tse_bi";
  EXPECT_EQ(a, recording_fingerprint(other));
}

TEST(TrainingOverlap, FingerprintChangesWithNameDurationAndBeats) {
  const auto a = recording_fingerprint(row("p1_s001_t000.edf", 1800.0, 2100));
  EXPECT_NE(a, recording_fingerprint(row("p1_s001_t001.edf", 1800.0, 2100)));
  EXPECT_NE(a, recording_fingerprint(row("p1_s001_t000.edf", std::nextafter(1800.0, 2000.0), 2100)));
  EXPECT_NE(a, recording_fingerprint(row("p1_s001_t000.edf", 1800.0, 2101)));
  EXPECT_NE(a, recording_fingerprint(row("p1_s001_t000.edf", 1800.0, 0)));
}

TEST(TrainingOverlap, BeatFilesAreNamedWithoutTheirSuffix) {
  // NAME_rr.csv(.gz) and NAME_beats.csv are the recording NAME, as NAME.edf is.
  const auto rr = recording_fingerprint(row("d/s01_rr.csv", 86400.0, 99000));
  EXPECT_EQ(rr, recording_fingerprint(row("e/s01_rr.csv.gz", 86400.0, 99000)));
  EXPECT_EQ(rr, recording_fingerprint(row("e/s01_beats.csv", 86400.0, 99000)));
  EXPECT_NE(rr, recording_fingerprint(row("e/s02_rr.csv", 86400.0, 99000)));
}

TEST(TrainingOverlap, TrainingListHasOnlyRecordingsThatGaveWindowsSortedOnce) {
  auto failed = row("bad.edf", 10.0, 0);
  failed.status = "unreadable";
  auto empty = row("short.edf", 20.0, 15);
  empty.n_windows = 0;
  const auto a = row("a.edf", 1800.0, 2100), b = row("b.edf", 3600.0, 4000);
  const auto list = training_fingerprints({b, failed, a, empty, a});
  ASSERT_EQ(list.size(), 2U);
  EXPECT_LT(list[0], list[1]);
  const auto fa = recording_fingerprint(a), fb = recording_fingerprint(b);
  EXPECT_EQ(list[0], std::min(fa, fb));
  EXPECT_EQ(list[1], std::max(fa, fb));
}

TEST(TrainingOverlap, NamesTheScoredRecordingsFoundInEitherList) {
  const auto a = row("a.edf", 1800.0, 2100), b = row("b.edf", 1800.0, 2200), c = row("c.edf", 1800.0, 2300);
  const std::vector<ScoredFingerprint> scored{{"c", recording_fingerprint(c)}, {"a", recording_fingerprint(a)},
                                              {"b", recording_fingerprint(b)}};
  const auto model = training_fingerprints({a});
  auto o = training_overlap(scored, model, {});
  EXPECT_TRUE(o.checked);
  EXPECT_EQ(o.in_training, (std::vector<std::string>{"a"}));
  o = training_overlap(scored, model, training_fingerprints({c}));  // FEATURES of --tailor-retrain
  EXPECT_EQ(o.in_training, (std::vector<std::string>{"c", "a"}));  // input order
  o = training_overlap(scored, std::nullopt, training_fingerprints({b}));
  EXPECT_FALSE(o.checked);
  EXPECT_EQ(o.in_training, (std::vector<std::string>{"b"}));
  o = training_overlap(scored, std::vector<std::uint64_t>{}, {});
  EXPECT_TRUE(o.checked);
  EXPECT_TRUE(o.in_training.empty());
}

TEST(TrainingOverlap, SentenceNamesUpToFiveAndCountsTheRest) {
  TrainingOverlap o;
  o.checked = true;
  EXPECT_EQ(training_overlap_text(o, 4, true), "");
  o.in_training = {"r1", "r2"};
  EXPECT_EQ(training_overlap_text(o, 4, true),
            "predict: warning: 2 of the 4 recordings predicted were among the model's training data (r1, r2): their "
            "scores are not held-out figures; score.json lists them under training_overlap\n");
  // predict --features writes no score.json: the line does not point at one.
  EXPECT_EQ(training_overlap_text(o, 4, false),
            "predict: warning: 2 of the 4 recordings predicted were among the model's training data (r1, r2): their "
            "scores are not held-out figures\n");
  o.in_training = {"r1", "r2", "r3", "r4", "r5", "r6", "r7"};
  const auto t = training_overlap_text(o, 9, true);
  EXPECT_NE(t.find("7 of the 9 recordings"), std::string::npos) << t;
  EXPECT_NE(t.find("(r1, r2, r3, r4, r5, ... (2 more))"), std::string::npos) << t;
  o = TrainingOverlap{};
  EXPECT_NE(training_overlap_text(o, 3, true).find("was not checked"), std::string::npos);
}

}  // namespace
}  // namespace ecgforest::pipeline

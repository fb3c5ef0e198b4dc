// Training-overlap check (pipeline/training_overlap.hpp): which recordings predict scores were
// among the model's training data. The fingerprint's properties are asserted one field at a time;
// the overlap and its sentence against hand-made lists.
#include "ecgforest/pipeline/training_overlap.hpp"

#include <algorithm>
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
  failed.patient = "p9";
  auto empty = row("short.edf", 20.0, 15);
  empty.n_windows = 0;
  empty.patient = "p8";
  auto a = row("a.edf", 1800.0, 2100), b = row("b.edf", 3600.0, 4000), a2 = row("a2.edf", 600.0, 700);
  a.patient = a2.patient = "p1";
  b.patient = "p2";
  const auto t = training_data({b, failed, a, empty, a, a2});
  ASSERT_EQ(t.recordings.size(), 3U);
  std::vector<std::uint64_t> want{recording_fingerprint(a), recording_fingerprint(b), recording_fingerprint(a2)};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(t.recordings, want);
  // Patients of the recordings that gave windows only (not p8, p9), once each, sorted.
  want = {patient_fingerprint("p1"), patient_fingerprint("p2")};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(t.patients, want);
  EXPECT_NE(patient_fingerprint("p1"), patient_fingerprint("p2"));
  EXPECT_NE(patient_fingerprint("p1"), patient_fingerprint("p1 "));
}

// A predicted recording as predict builds it: public name and patient, fingerprints of the row.
ScoredFingerprint predicted(const std::string& name, const std::string& patient, const io::RecordRow& r) {
  auto shown = r;
  shown.path = name + ".edf";
  shown.patient = patient;
  const auto s = scored_fingerprint(r, shown);
  EXPECT_EQ(s.name, name);
  EXPECT_EQ(s.patient, patient);
  return s;
}

TEST(TrainingOverlap, NamesTheScoredRecordingsFoundInEitherList) {
  auto a = row("a.edf", 1800.0, 2100), b = row("b.edf", 1800.0, 2200), c = row("c.edf", 1800.0, 2300);
  a.patient = "pa";
  b.patient = "pb";
  c.patient = "pc";
  std::vector<ScoredFingerprint> scored{predicted("c", "pc", c), predicted("a", "pa", a), predicted("b", "pb", b)};
  const std::optional<io::TrainingData> model = training_data({a});
  auto o = training_overlap(scored, model);
  EXPECT_TRUE(o.checked);
  EXPECT_EQ(o.in_training, (std::vector<std::string>{"a"}));
  EXPECT_EQ(o.patients, (std::vector<std::string>{"pa"}));
  // --tailor-retrain: c's patient was detected by its own model, trained on c; b's was not.
  const io::TrainingData own_c = training_data({c}), own_b = training_data({b});
  scored[0].extra = &own_c;
  o = training_overlap(scored, model);
  EXPECT_EQ(o.in_training, (std::vector<std::string>{"c", "a"}));  // input order
  EXPECT_EQ(o.patients, (std::vector<std::string>{"pc", "pa"}));
  scored[0].extra = &own_b;  // the lists of the model that detected the recording, not another patient's
  o = training_overlap(scored, model);
  EXPECT_EQ(o.in_training, (std::vector<std::string>{"a"}));
  scored[0].extra = nullptr;
  scored[2].extra = &own_b;
  o = training_overlap(scored, std::nullopt);
  EXPECT_FALSE(o.checked);
  EXPECT_EQ(o.in_training, (std::vector<std::string>{"b"}));
  scored[2].extra = nullptr;
  o = training_overlap(scored, io::TrainingData{});
  EXPECT_TRUE(o.checked);
  EXPECT_TRUE(o.in_training.empty());
  EXPECT_TRUE(o.patients.empty());
}

TEST(TrainingOverlap, OtherRecordingsOfATrainingPatientNameThePatientOnly) {
  auto trained = row("p1_s001_t000.edf", 1800.0, 2100), later = row("p1_s002_t000.edf", 1800.0, 2000);
  auto other = row("p2_s001_t000.edf", 1800.0, 2100);
  trained.patient = later.patient = "p1";
  other.patient = "p2";
  // --pseudonymise: the outputs call the patient P0001; the check uses the row's own id.
  const std::vector<ScoredFingerprint> scored{predicted("R1", "P0001", later), predicted("R2", "P0001", later),
                                              predicted("R3", "P0002", other)};
  const auto o = training_overlap(scored, training_data({trained}));
  EXPECT_TRUE(o.in_training.empty());
  EXPECT_EQ(o.patients, (std::vector<std::string>{"P0001"}));  // once, by its public id
  EXPECT_EQ(count_patients(scored), 2U);
  EXPECT_EQ(training_overlap_text(o, 3, 2, true),
            "predict: warning: 1 of the 2 patients predicted have the ids of patients the model was trained on "
            "(P0001): their scores are not patient-independent, unless these are other people with the same ids; "
            "score.json lists them under training_overlap\n");
}

TEST(TrainingOverlap, PseudonymisedTrainingIsRecognisedByItsPseudonyms) {
  // Training features extracted under --pseudonymise hold RNAME.edf and P... ids; predict with the
  // same key shows the same pseudonyms for the recording it reads under its real name.
  auto real = row("/data/p7/p7_s001_t000.edf", 1800.0, 2100);
  real.patient = "p7";
  auto pseudo = real;
  pseudo.path = "R0123456789abcdef.edf";
  pseudo.patient = "Pfedcba9876543210";
  const auto model = training_data({pseudo});
  auto o = training_overlap({scored_fingerprint(real, pseudo)}, model);
  EXPECT_EQ(o.in_training, (std::vector<std::string>{"R0123456789abcdef"}));
  EXPECT_EQ(o.patients, (std::vector<std::string>{"Pfedcba9876543210"}));
  // Another key gives other pseudonyms: nothing matches (as predict without --pseudonymise).
  auto other_key = pseudo;
  other_key.path = "R1111111111111111.edf";
  other_key.patient = "P2222222222222222";
  o = training_overlap({scored_fingerprint(real, other_key)}, model);
  EXPECT_TRUE(o.in_training.empty());
  EXPECT_TRUE(o.patients.empty());
  o = training_overlap({scored_fingerprint(real, real)}, model);
  EXPECT_TRUE(o.in_training.empty());
}

TEST(TrainingOverlap, SentenceNamesUpToFiveAndCountsTheRest) {
  TrainingOverlap o;
  o.checked = true;
  EXPECT_EQ(training_overlap_text(o, 4, 2, true), "");
  o.in_training = {"r1", "r2"};
  EXPECT_EQ(training_overlap_text(o, 4, 2, true),
            "predict: warning: 2 of the 4 recordings predicted were among the model's training data (r1, r2): their "
            "scores are not held-out figures; score.json lists them under training_overlap\n");
  // predict --features writes no score.json: the line does not point at one.
  EXPECT_EQ(training_overlap_text(o, 4, 2, false),
            "predict: warning: 2 of the 4 recordings predicted were among the model's training data (r1, r2): their "
            "results are not held-out figures\n");
  o.in_training = {"r1", "r2", "r3", "r4", "r5", "r6", "r7"};
  const auto t = training_overlap_text(o, 9, 3, true);
  EXPECT_NE(t.find("7 of the 9 recordings"), std::string::npos) << t;
  EXPECT_NE(t.find("(r1, r2, r3, r4, r5, ... (2 more))"), std::string::npos) << t;
  o = TrainingOverlap{};
  EXPECT_NE(training_overlap_text(o, 3, 1, true).find("was not checked"), std::string::npos);
}

}  // namespace
}  // namespace ecgforest::pipeline

// BIDS layout parsing (io/bids.hpp) and the BIDS steps of expand_inputs, on a tree made here.
// Expected values are written out by hand next to each check.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "ecgforest/core/config.hpp"
#include "ecgforest/core/error.hpp"
#include "ecgforest/io/annotations.hpp"
#include "ecgforest/io/bids.hpp"
#include "ecgforest/pipeline/inputs.hpp"
#include "ecgforest/pipeline/inputs_bids.hpp"

namespace ecgforest::io {
namespace {

namespace fs = std::filesystem;

class Bids : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("ecgforest_bids_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
             std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
    root_ = fs::canonical(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path file(const std::string& rel, const std::string& text = "x") {
    const fs::path p = root_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  // The message of the RecordError `f` throws, with its kind checked.
  template <class F>
  std::string record_error(F f, const std::string& kind) {
    try {
      f();
    } catch (const RecordError& e) {
      EXPECT_EQ(e.kind(), kind);
      return e.what();
    }
    ADD_FAILURE() << "expected a RecordError";
    return {};
  }
  fs::path root_;
};

TEST_F(Bids, PathWithAndWithoutSession) {
  const auto a = bids_path(root_ / "ds/sub-01/ses-02/ecg/sub-01_ses-02_task-szMonitoring_run-03_ecg.edf");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->root, root_ / "ds");
  EXPECT_EQ(a->subject, "01");
  EXPECT_EQ(a->session, "02");
  EXPECT_EQ(a->datatype, "ecg");
  EXPECT_EQ(a->prefix, "sub-01_ses-02_task-szMonitoring_run-03");
  EXPECT_EQ(a->suffix, "ecg");
  const auto b = bids_path(root_ / "sub-P7/eeg/sub-P7_task-rest_eeg.edf");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->root, root_);
  EXPECT_EQ(b->subject, "P7");
  EXPECT_EQ(b->session, "");
  EXPECT_EQ(b->prefix, "sub-P7_task-rest");
}

TEST_F(Bids, PathsOfAnotherShapeAreNotBids) {
  EXPECT_FALSE(bids_path(root_ / "00000258/00000258_s001_t000.edf"));                     // TUH
  EXPECT_FALSE(bids_path(root_ / "sub-01/ses-01/eeg/sub-02_ses-01_task-x_eeg.edf"));      // subject differs
  EXPECT_FALSE(bids_path(root_ / "sub-01/ses-02/eeg/sub-01_ses-01_task-x_eeg.edf"));      // session differs
  EXPECT_FALSE(bids_path(root_ / "sub-01/eeg/sub-01.edf"));                               // no suffix
  EXPECT_FALSE(bids_path(root_ / "x/eeg/sub-01_task-x_eeg.edf"));                         // no sub- folder
}

TEST_F(Bids, ChannelsTsvNamesTheFirstEcgRow) {
  const auto p = file("a_channels.tsv",
                      "name\ttype\tunits\n"
                      "Fp1-Avg\tEEG\tuV\n"
                      "Heart 1\tekg\tuV\n"  // EKG in any case counts
                      "ECG SD\tECG\tuV\n");
  EXPECT_EQ(ecg_channel_from_channels_tsv(p), "Heart 1");
  const auto none = file("b_channels.tsv", "type\tname\tunits\r\nEEG\tFp1\tuV\r\nMISC\tECG-like\tuV\r\n");
  EXPECT_EQ(ecg_channel_from_channels_tsv(none), "");  // no ECG type: label guessing decides
}

TEST_F(Bids, MalformedChannelsTsvIsARecordErrorNamingTheFile) {
  const auto no_type = file("c_channels.tsv", "name\tunits\nECG\tuV\n");
  auto msg = record_error([&] { ecg_channel_from_channels_tsv(no_type); }, "bad_channels");
  EXPECT_NE(msg.find(no_type.string() + " line 1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("lacks the column 'name' or 'type'"), std::string::npos) << msg;
  const auto ragged = file("d_channels.tsv", "name\ttype\tunits\nFp1\tEEG\tuV\nECG\tECG\n");
  msg = record_error([&] { ecg_channel_from_channels_tsv(ragged); }, "bad_channels");
  EXPECT_NE(msg.find(ragged.string() + " line 3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("2 tab-separated fields, the header 3"), std::string::npos) << msg;
  const auto empty = file("e_channels.tsv", "\n\n");
  msg = record_error([&] { ecg_channel_from_channels_tsv(empty); }, "bad_channels");
  EXPECT_NE(msg.find(empty.string() + " is malformed: it is empty"), std::string::npos) << msg;
}

TEST_F(Bids, EventsTsvSeizureRowsAndMalformedFile) {
  // SeizeIT2 columns (extra lateralization/localization/vigilance); sz* rows are seizures.
  const auto p = file("sub-01/ses-01/eeg/sub-01_ses-01_task-szMonitoring_run-00_events.tsv",
                      "onset\tduration\teventType\tlateralization\tlocalization\tvigilance\tconfidence\tchannels\t"
                      "dateTime\trecordingDuration\n"
                      "0.00\t100.00\tbckg\tn/a\tn/a\tn/a\tn/a\tn/a\t2000-01-01 00:00:00\t600.00\n"
                      "100.00\t35.50\tsz_foc_ia_m_automatisms\tleft\ttemporal\tawake\tn/a\tn/a\t2000-01-01 00:00:00\t600.00\n"
                      "400.00\t20.00\timpd\tn/a\tn/a\tn/a\tn/a\tn/a\t2000-01-01 00:00:00\t600.00\n");
  const auto a = read_annotations(p);
  ASSERT_EQ(a.events.size(), 3u);
  int seizures = 0;
  for (const auto& e : a.events) seizures += is_seizure_label(e.label) ? 1 : 0;
  EXPECT_EQ(seizures, 1);
  EXPECT_EQ(a.events[1].label, "seiz");
  EXPECT_DOUBLE_EQ(a.events[1].start_s, 100.0);
  EXPECT_DOUBLE_EQ(a.events[1].stop_s, 135.5);
  EXPECT_DOUBLE_EQ(*a.duration_s, 600.0);
  const auto bad = file("sub-01/ses-01/eeg/sub-01_ses-01_task-szMonitoring_run-01_events.tsv",
                        "onset\tduration\teventType\n12\tlong\tsz\n");
  const auto msg = record_error([&] { read_annotations(bad); }, "bad_annotation");
  EXPECT_NE(msg.find(bad.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("line 2"), std::string::npos) << msg;
}

TEST_F(Bids, SidecarsAndTheHypothesisPathSzcoreLooksFor) {
  // SeizeIT2: the ECG in ecg/, its events in eeg/.
  const auto ecg = file("sub-03/ses-01/ecg/sub-03_ses-01_task-szMonitoring_run-02_ecg.edf");
  const auto ch = file("sub-03/ses-01/ecg/sub-03_ses-01_task-szMonitoring_run-02_channels.tsv", "name\ttype\nX\tECG\n");
  const auto ev = file("sub-03/ses-01/eeg/sub-03_ses-01_task-szMonitoring_run-02_events.tsv", "onset\tduration\teventType\n");
  const auto b = *bids_path(ecg);
  EXPECT_EQ(bids_channels_file(ecg, b), ch);
  EXPECT_EQ(bids_events_file(ecg, b), ev);
  EXPECT_EQ(bids_events_relative_path(ecg, b), fs::path("sub-03/ses-01/eeg/sub-03_ses-01_task-szMonitoring_run-02_events.tsv"));
  EXPECT_EQ(pipeline::hypothesis_events_path(ecg), fs::path("sub-03/ses-01/eeg/sub-03_ses-01_task-szMonitoring_run-02_events.tsv"));
  // Without an events file: next to the recording.
  const auto lone = file("sub-04/eeg/sub-04_task-x_eeg.edf");
  EXPECT_FALSE(bids_events_file(lone, *bids_path(lone)).has_value());
  EXPECT_FALSE(bids_channels_file(lone, *bids_path(lone)).has_value());
  EXPECT_EQ(pipeline::hypothesis_events_path(lone), fs::path("sub-04/eeg/sub-04_task-x_events.tsv"));
  // TUH: the flat NAME_events.tsv predict always wrote.
  EXPECT_EQ(pipeline::hypothesis_events_path(root_ / "a/00000258_s001_t000.edf"), fs::path("00000258_s001_t000_events.tsv"));
}

TEST_F(Bids, ParticipantsTsv) {
  const auto p = read_participants_tsv(file("participants.tsv", "participant_id\tage\tsex\nsub-01\t34\tF\nsub-02\t51\tM\n"));
  ASSERT_EQ(p.ids.size(), 2u);
  EXPECT_EQ(p.ids[1], "sub-02");
  EXPECT_EQ(p.columns.size(), 3u);
  const auto bad = file("bad/participants.tsv", "participant_id\tage\n01\t34\n");
  try {
    read_participants_tsv(bad);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(bad.string() + " line 2 is malformed: participant_id '01' is not sub-<label>"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(Bids, ExpandInputsTakesPatientAnnotationAndChannelsFromTheLayout) {
  file("ds/dataset_description.json", "{}");
  file("ds/participants.tsv", "participant_id\nsub-01\nsub-02\n");
  // sub-01: ECG inside the EEG file, with sidecars; its emg recording is skipped.
  const auto eeg1 = file("ds/sub-01/ses-01/eeg/sub-01_ses-01_task-t_run-00_eeg.edf");
  const auto ev1 = file("ds/sub-01/ses-01/eeg/sub-01_ses-01_task-t_run-00_events.tsv", "onset\tduration\teventType\n");
  const auto ch1 = file("ds/sub-01/ses-01/eeg/sub-01_ses-01_task-t_run-00_channels.tsv", "name\ttype\n");
  file("ds/sub-01/ses-01/emg/sub-01_ses-01_task-t_run-00_emg.edf");
  // sub-02 as SeizeIT2: eeg and ecg of one recording; the ecg one is read, events from eeg/.
  file("ds/sub-02/ses-01/eeg/sub-02_ses-01_task-t_run-00_eeg.edf");
  const auto ecg2 = file("ds/sub-02/ses-01/ecg/sub-02_ses-01_task-t_run-00_ecg.edf");
  const auto ev2 = file("ds/sub-02/ses-01/eeg/sub-02_ses-01_task-t_run-00_events.tsv", "onset\tduration\teventType\n");
  file("ds/derivatives/x/sub-01/ses-01/eeg/sub-01_ses-01_task-t_run-00_eeg.edf");  // not raw data
  // A TUH recording in the same run keeps the TUH rules.
  const auto tuh = file("tuh/00000258_s002_t000.edf");
  const auto recs = pipeline::expand_inputs({(root_ / "ds").string(), (root_ / "tuh").string()}, ExtractSettings{});
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0].edf, eeg1);
  EXPECT_EQ(recs[0].patient, "01");
  EXPECT_EQ(recs[0].annotation, ev1);
  EXPECT_EQ(recs[0].channels, ch1);
  EXPECT_EQ(recs[1].edf, ecg2);
  EXPECT_EQ(recs[1].patient, "02");
  EXPECT_EQ(recs[1].annotation, ev2);
  EXPECT_TRUE(recs[1].channels.empty());
  EXPECT_EQ(recs[2].edf, tuh);
  EXPECT_EQ(recs[2].patient, "00000258");
  EXPECT_TRUE(recs[2].annotation.empty());
  // A malformed participants.tsv stops before any work, naming the file.
  file("ds/participants.tsv", "subject\nsub-01\n");
  EXPECT_THROW(pipeline::expand_inputs({(root_ / "ds").string()}, ExtractSettings{}), ConfigError);
}

}  // namespace
}  // namespace ecgforest::io

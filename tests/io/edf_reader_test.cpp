// Tests of io::EdfFile, is_ecg_label and find_ecg_channel on EDF fixtures written here with
// io::write_edf, on broken files, and on the real TUH file in shared/ (skipped when absent).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>
#include <vector>

#include <unistd.h>

#include "ecgforest/core/error.hpp"
#include "ecgforest/io/edf_reader.hpp"
#include "ecgforest/io/edf_writer.hpp"
#include "support/shared_data.hpp"

namespace ecgforest::io {
namespace {

namespace fs = std::filesystem;

class EdfReader : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ecgforest_edfr_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

// Sample i of signal s: a sine whose frequency and amplitude depend on s (physical units).
double value_of(std::size_t s, int i, double fs) {
  const double f = 0.5 + static_cast<double>(s);
  const double amp = 100.0 * static_cast<double>(s + 1);
  return amp * std::sin(2.0 * std::numbers::pi * f * i / fs);
}

struct Fixture {
  EdfWriteSpec spec;
  std::vector<std::vector<double>> data;
};

// Four signals at different rates, the ECG in position 2 (0-based).
Fixture make_fixture(int n_records, bool edf_plus) {
  Fixture fx;
  fx.spec.signals = {{"EEG FP1-REF", 256, "uV", -1000, 1000, -32768, 32767},
                     {"EEG C3-REF", 200, "uV", -1000, 1000, -32768, 32767},
                     {"EEG EKG1-REF", 250, "mV", -1000, 1000, -32768, 32767},
                     {"RESP", 32, "", -1000, 1000, -32768, 32767}};
  fx.spec.start = {2014, 7, 3, 21, 59, 30, 0.0};
  fx.spec.edf_plus = edf_plus;
  for (std::size_t s = 0; s < fx.spec.signals.size(); ++s) {
    const int spr = fx.spec.signals[s].samples_per_record;
    std::vector<double> v;
    for (int i = 0; i < n_records * spr; ++i) v.push_back(value_of(s, i, spr));
    fx.data.push_back(std::move(v));
  }
  return fx;
}

// Expects `fn` to throw RecordError of `kind`; returns the message.
template <class Fn>
std::string record_error_of(Fn fn, const std::string& kind) {
  try {
    fn();
  } catch (const RecordError& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected RecordError(" << kind << "), got: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected RecordError(" << kind << "), nothing thrown";
  return "";
}

void check_file(const fs::path& file, const Fixture& fx, int n_records, const std::string& type) {
  EdfFile f(file);
  const EdfInfo& info = f.info();
  EXPECT_EQ(info.path, file);
  EXPECT_EQ(info.type, type);
  EXPECT_EQ(info.n_records, n_records);
  EXPECT_DOUBLE_EQ(info.record_duration_s, 1.0);
  EXPECT_DOUBLE_EQ(info.duration_s, n_records * 1.0);
  EXPECT_EQ(info.start.year, 2014);
  EXPECT_EQ(info.start.month, 7);
  EXPECT_EQ(info.start.day, 3);
  EXPECT_EQ(info.start.hour, 21);
  EXPECT_EQ(info.start.minute, 59);
  EXPECT_EQ(info.start.second, 30);
  ASSERT_EQ(info.channels.size(), fx.spec.signals.size());  // no "EDF Annotations" channel
  for (std::size_t s = 0; s < info.channels.size(); ++s) {
    const auto& ch = info.channels[s];
    const auto& sp = fx.spec.signals[s];
    EXPECT_EQ(ch.index, static_cast<int>(s));
    EXPECT_EQ(ch.label, sp.label);  // trimmed: no trailing padding
    EXPECT_EQ(ch.unit, sp.unit);
    EXPECT_DOUBLE_EQ(ch.fs_hz, sp.samples_per_record);
    EXPECT_EQ(ch.n_samples, static_cast<std::int64_t>(n_records) * sp.samples_per_record);
    const Eigen::VectorXd v = f.read_channel(static_cast<int>(s));
    ASSERT_EQ(v.size(), ch.n_samples);
    // One digital quantisation step by the EDF definition.
    const double step = (sp.phys_max - sp.phys_min) / (sp.dig_max - sp.dig_min);
    double worst = 0;
    for (Eigen::Index i = 0; i < v.size(); ++i) {
      worst = std::max(worst, std::abs(v[i] - value_of(s, static_cast<int>(i), sp.samples_per_record)));
    }
    EXPECT_LE(worst, step) << ch.label;
  }
  EXPECT_EQ(find_ecg_channel(info, ""), 2u);
}

TEST_F(EdfReader, ReadsChannelsRatesLabelsAndValuesOfPlainEdf) {
  const int n_records = 6;
  const Fixture fx = make_fixture(n_records, false);
  const fs::path file = dir_ / "rec.edf";
  write_edf(file, fx.spec, fx.data);
  check_file(file, fx, n_records, "EDF");
}

TEST_F(EdfReader, ReadsEdfPlusAndHidesTheAnnotationChannel) {
  const int n_records = 3;
  const Fixture fx = make_fixture(n_records, true);
  const fs::path file = dir_ / "rec_plus.edf";
  write_edf(file, fx.spec, fx.data);
  check_file(file, fx, n_records, "EDF+C");
}

TEST_F(EdfReader, ReadChannelOutOfRangeIsUnreadable) {
  const Fixture fx = make_fixture(2, false);
  const fs::path file = dir_ / "rec.edf";
  write_edf(file, fx.spec, fx.data);
  EdfFile f(file);
  record_error_of([&] { (void)f.read_channel(-1); }, "unreadable");
  record_error_of([&] { (void)f.read_channel(4); }, "unreadable");
  // The handle still works after the errors.
  EXPECT_EQ(f.read_channel(3).size(), 64);
}

TEST_F(EdfReader, ManyOpenCloseCyclesDoNotLeakHandles) {
  // EDFlib has a fixed handle table (64): RAII must close every file.
  const Fixture fx = make_fixture(1, false);
  const fs::path file = dir_ / "rec.edf";
  write_edf(file, fx.spec, fx.data);
  for (int i = 0; i < 200; ++i) {
    EdfFile f(file);
    ASSERT_EQ(f.info().channels.size(), 4u);
  }
}

TEST(EdfLabels, IsEcgLabelFollowsTheWordStartRule) {
  // Documented: case-insensitive "ECG"/"EKG" at a word start.
  for (const char* yes : {"EEG EKG1-REF", "EKG", "ECG1-ECG2", "EKG-LE", "ECG ch0", "ecg", "ekg2", "EEG-ECG",
                          "X_ECG", "ECG"}) {
    EXPECT_TRUE(is_ecg_label(yes)) << yes;
  }
  // Not at a word start (preceded by a letter), or not there at all.
  for (const char* no : {"PECG", "EEG FP1-REF", "EEG C3-REF", "RESP", "", "EC G", "E K G", "DECG", "EOG", "EMG"}) {
    EXPECT_FALSE(is_ecg_label(no)) << no;
  }
}

EdfInfo info_with(const std::vector<std::string>& labels) {
  EdfInfo info;
  info.path = "/data/some_file.edf";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    EdfChannel c;
    c.index = static_cast<int>(i);
    c.label = labels[i];
    c.fs_hz = 250;
    info.channels.push_back(c);
  }
  return info;
}

TEST(EdfLabels, FindEcgChannelAutoAndOverride) {
  const EdfInfo info = info_with({"EEG FP1-REF", "PECG", "EEG EKG1-REF", "ECG2"});
  EXPECT_EQ(find_ecg_channel(info, ""), 2u);  // first accepted label, PECG is not one
  EXPECT_EQ(find_ecg_channel(info, "ECG2"), 3u);
  EXPECT_EQ(find_ecg_channel(info, "  ecg2 "), 3u);  // case-insensitive, trimmed
  EXPECT_EQ(find_ecg_channel(info, "pecg"), 1u);     // override may name any channel
  EXPECT_EQ(find_ecg_channel(info, "EEG FP1-REF"), 0u);

  const std::string msg = record_error_of([&] { (void)find_ecg_channel(info, "EKG3"); }, "no_ecg");
  EXPECT_NE(msg.find("EKG3"), std::string::npos) << msg;
  for (const auto& c : info.channels) EXPECT_NE(msg.find(c.label), std::string::npos) << msg;
}

TEST(EdfLabels, NoEcgChannelListsTheLabels) {
  const EdfInfo info = info_with({"EEG FP1-REF", "EEG C3-REF", "PECG", "RESP"});
  const std::string msg = record_error_of([&] { (void)find_ecg_channel(info, ""); }, "no_ecg");
  EXPECT_NE(msg.find("/data/some_file.edf"), std::string::npos) << msg;
  for (const auto& c : info.channels) EXPECT_NE(msg.find("'" + c.label + "'"), std::string::npos) << msg;

  const EdfInfo empty = info_with({});
  record_error_of([&] { (void)find_ecg_channel(empty, ""); }, "no_ecg");
}

TEST_F(EdfReader, NoEcgInARealFileIsNoEcg) {
  Fixture fx = make_fixture(2, false);
  fx.spec.signals[2].label = "PECG";  // not an ECG label by the rule
  const fs::path file = dir_ / "noecg.edf";
  write_edf(file, fx.spec, fx.data);
  EdfFile f(file);
  const std::string msg = record_error_of([&] { (void)find_ecg_channel(f.info(), ""); }, "no_ecg");
  for (const auto& s : fx.spec.signals) EXPECT_NE(msg.find(s.label), std::string::npos) << msg;
}

TEST_F(EdfReader, BrokenFilesAreUnreadable) {
  const Fixture fx = make_fixture(4, false);
  const fs::path good = dir_ / "good.edf";
  write_edf(good, fx.spec, fx.data);
  const auto size = fs::file_size(good);

  // Truncated: header intact, half of the data records missing.
  const fs::path truncated = dir_ / "truncated.edf";
  fs::copy_file(good, truncated);
  fs::resize_file(truncated, size - size / 3);
  const std::string m1 = record_error_of([&] { EdfFile f(truncated); }, "unreadable");
  EXPECT_NE(m1.find(truncated.string()), std::string::npos) << m1;

  // Truncated inside the header.
  const fs::path header_cut = dir_ / "header_cut.edf";
  fs::copy_file(good, header_cut);
  fs::resize_file(header_cut, 300);
  record_error_of([&] { EdfFile f(header_cut); }, "unreadable");

  // 0 bytes.
  const fs::path empty = dir_ / "empty.edf";
  std::ofstream(empty).close();
  const std::string m2 = record_error_of([&] { EdfFile f(empty); }, "unreadable");
  EXPECT_NE(m2.find(empty.string()), std::string::npos) << m2;

  // A directory named like an EDF file.
  const fs::path d = dir_ / "x.edf";
  fs::create_directories(d);
  const std::string m3 = record_error_of([&] { EdfFile f(d); }, "unreadable");
  EXPECT_NE(m3.find(d.string()), std::string::npos) << m3;

  // A text file.
  const fs::path text = dir_ / "notes.edf";
  {
    std::ofstream out(text);
    for (int i = 0; i < 100; ++i) out << "this is not an EDF file, line " << i << "\n";
  }
  const std::string m4 = record_error_of([&] { EdfFile f(text); }, "unreadable");
  EXPECT_NE(m4.find(text.string()), std::string::npos) << m4;

  // Missing.
  const fs::path missing = dir_ / "missing.edf";
  const std::string m5 = record_error_of([&] { EdfFile f(missing); }, "unreadable");
  EXPECT_NE(m5.find(missing.string()), std::string::npos) << m5;

  // After all these failures a good file still opens (no leaked EDFlib handles).
  EdfFile ok(good);
  EXPECT_EQ(ok.info().channels.size(), 4u);
}

TEST_F(EdfReader, DiscontinuousEdfPlusIsRejected) {
  // An EDF+C file whose reserved header field (bytes 192..235) is changed to "EDF+D".
  const Fixture fx = make_fixture(3, true);
  const fs::path file = dir_ / "gapped.edf";
  write_edf(file, fx.spec, fx.data);
  {
    std::fstream io(file, std::ios::in | std::ios::out | std::ios::binary);
    std::string reserved(5, '\0');
    io.seekg(192);
    io.read(reserved.data(), 5);
    ASSERT_EQ(reserved, "EDF+C");
    io.seekp(192);
    io.write("EDF+D", 5);
  }
  const std::string msg = record_error_of([&] { EdfFile f(file); }, "discontinuous");
  EXPECT_NE(msg.find(file.string()), std::string::npos) << msg;
}

TEST(EdfReaderReal, TuhFileHeaders) {
  const fs::path file = fs::path(ECGFOREST_SHARED_DIR) / "data" / "tuh" / "00009578_s002_t001.edf";
  ECGFOREST_REQUIRE_SHARED(fs::exists(file), file.string());
  // Independent reading of the header bytes (EDF spec: 256-byte fixed header, then 256 bytes per
  // signal in field-major order), used as the reference.
  std::ifstream in(file, std::ios::binary);
  std::string fixed(256, '\0');
  in.read(fixed.data(), 256);
  const int ns = std::stoi(fixed.substr(252, 4));
  const long n_records = std::stol(fixed.substr(236, 8));
  const double rec_dur = std::stod(fixed.substr(244, 8));
  std::string sig(static_cast<std::size_t>(ns) * 256, '\0');
  in.read(sig.data(), static_cast<std::streamsize>(sig.size()));
  std::vector<std::string> labels;
  std::vector<int> spr;
  const std::size_t spr_off = static_cast<std::size_t>(ns) * (16 + 80 + 8 + 8 + 8 + 8 + 8 + 80);
  for (int i = 0; i < ns; ++i) {
    std::string l = sig.substr(static_cast<std::size_t>(i) * 16, 16);
    l.erase(l.find_last_not_of(' ') + 1);
    labels.push_back(l);
    spr.push_back(std::stoi(sig.substr(spr_off + static_cast<std::size_t>(i) * 8, 8)));
  }

  EdfFile f(file);
  const EdfInfo& info = f.info();
  ASSERT_EQ(info.channels.size(), static_cast<std::size_t>(ns));
  EXPECT_EQ(info.n_records, n_records);
  EXPECT_DOUBLE_EQ(info.record_duration_s, rec_dur);
  EXPECT_EQ(info.start.year, 2013);
  EXPECT_EQ(info.start.month, 2);
  EXPECT_EQ(info.start.day, 28);
  bool other_rate = false;
  for (int i = 0; i < ns; ++i) {
    const auto& ch = info.channels[static_cast<std::size_t>(i)];
    EXPECT_EQ(ch.label, labels[static_cast<std::size_t>(i)]);
    EXPECT_DOUBLE_EQ(ch.fs_hz, spr[static_cast<std::size_t>(i)] / rec_dur);
    EXPECT_EQ(ch.n_samples, n_records * spr[static_cast<std::size_t>(i)]);
    if (spr[static_cast<std::size_t>(i)] != 250) other_rate = true;
  }
  EXPECT_TRUE(other_rate) << "the fixture should mix sampling rates";
  const std::size_t ecg = find_ecg_channel(info, "");
  EXPECT_EQ(info.channels[ecg].label, "EEG EKG1-REF");
  EXPECT_EQ(labels[ecg], "EEG EKG1-REF");
  EXPECT_DOUBLE_EQ(info.channels[ecg].fs_hz, 250.0);
  const Eigen::VectorXd v = f.read_channel(static_cast<int>(ecg));
  EXPECT_EQ(v.size(), n_records * 250);
  EXPECT_TRUE(v.allFinite());
  EXPECT_GT(v.maxCoeff() - v.minCoeff(), 0.0) << "the ECG should not be flat";
}

}  // namespace
}  // namespace ecgforest::io

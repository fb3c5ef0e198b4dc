// Round trip of io::write_edf through EDFlib's reader.
#include <edflib.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <numbers>
#include <string>
#include <vector>

#include <unistd.h>

#include "ecgforest/core/error.hpp"
#include "ecgforest/io/edf_writer.hpp"

namespace ecgforest::io {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("ecgforest_edfw_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// Signal value at sample i of a signal sampled at `fs` Hz: a sine of `f` Hz and `amp` amplitude.
double sine(int i, double fs, double f, double amp) {
  return amp * std::sin(2.0 * std::numbers::pi * f * i / fs);
}

TEST(SynthEdfWriter, RoundTripThreeSignals) {
  const fs::path dir = temp_dir("rt");
  const fs::path file = dir / "x.edf";
  const int n_records = 5;
  EdfWriteSpec spec;
  spec.signals = {{"EEG FP1-REF", 256, "uV", -200, 200, -32768, 32767},
                  {"EEG EKG1-REF", 250, "uV", -5000, 5000, -32768, 32767},
                  {"RESP", 32, "mV", -10, 10, -2048, 2047}};
  spec.start = {2013, 2, 28, 16, 3, 12, 0.0};
  spec.edf_plus = false;
  std::vector<std::vector<double>> data(3);
  const double freqs[3] = {10.0, 1.3, 0.25};
  const double amps[3] = {150.0, 1200.0, 7.0};
  for (int s = 0; s < 3; ++s)
    for (int i = 0; i < n_records * spec.signals[static_cast<std::size_t>(s)].samples_per_record; ++i)
      data[static_cast<std::size_t>(s)].push_back(
          sine(i, spec.signals[static_cast<std::size_t>(s)].samples_per_record, freqs[s], amps[s]));

  write_edf(file, spec, data);
  ASSERT_TRUE(fs::exists(file));
  EXPECT_FALSE(fs::exists(dir / "x.edf.tmp"));

  edf_hdr_struct hdr{};
  const int rc = edfopen_file_readonly(file.c_str(), &hdr, EDFLIB_DO_NOT_READ_ANNOTATIONS);
  ASSERT_EQ(rc, 0) << "EDFlib error " << hdr.filetype;
  EXPECT_EQ(hdr.filetype, EDFLIB_FILETYPE_EDF);
  EXPECT_EQ(hdr.edfsignals, 3);
  EXPECT_EQ(hdr.datarecords_in_file, n_records);
  EXPECT_EQ(hdr.datarecord_duration, 10000000LL);  // 1 s in 100 ns units
  EXPECT_EQ(hdr.startdate_year, 2013);
  EXPECT_EQ(hdr.startdate_month, 2);
  EXPECT_EQ(hdr.startdate_day, 28);
  EXPECT_EQ(hdr.starttime_hour, 16);
  EXPECT_EQ(hdr.starttime_minute, 3);
  EXPECT_EQ(hdr.starttime_second, 12);
  for (int s = 0; s < 3; ++s) {
    const auto& sp = spec.signals[static_cast<std::size_t>(s)];
    const auto& p = hdr.signalparam[s];
    EXPECT_EQ(std::string(p.label).substr(0, sp.label.size()), sp.label);
    EXPECT_EQ(p.smp_in_datarecord, sp.samples_per_record);
    EXPECT_EQ(p.smp_in_file, static_cast<long long>(n_records) * sp.samples_per_record);
    EXPECT_EQ(std::string(p.physdimension).substr(0, sp.unit.size()), sp.unit);
    std::vector<double> back(static_cast<std::size_t>(p.smp_in_file));
    ASSERT_EQ(edfread_physical_samples(rc, s, static_cast<int>(back.size()), back.data()),
              static_cast<int>(back.size()));
    // One quantisation step of the digital representation, by the EDF definition.
    const double step = (sp.phys_max - sp.phys_min) / (sp.dig_max - sp.dig_min);
    for (std::size_t i = 0; i < back.size(); ++i)
      ASSERT_NEAR(back[i], sine(static_cast<int>(i), sp.samples_per_record, freqs[s], amps[s]), step)
          << "signal " << s << " sample " << i;
  }
  edfclose_file(rc);
  fs::remove_all(dir);
}

TEST(SynthEdfWriter, EdfPlusAndClamping) {
  const fs::path dir = temp_dir("plus");
  const fs::path file = dir / "p.edf";
  EdfWriteSpec spec;
  spec.signals = {{"A", 10, "uV", -100, 100, -1000, 1000}};
  spec.edf_plus = true;
  std::vector<std::vector<double>> data{{0, 50, 99, 150, -300, 1, 2, 3, 4, 5}};
  write_edf(file, spec, data);
  edf_hdr_struct hdr{};
  const int h = edfopen_file_readonly(file.c_str(), &hdr, EDFLIB_READ_ANNOTATIONS);
  ASSERT_EQ(h, 0);
  EXPECT_EQ(hdr.filetype, EDFLIB_FILETYPE_EDFPLUS);
  std::vector<double> back(10);
  ASSERT_EQ(edfread_physical_samples(h, 0, 10, back.data()), 10);
  EXPECT_NEAR(back[1], 50.0, 0.1);
  EXPECT_NEAR(back[3], 100.0, 0.1);   // saturated at phys_max
  EXPECT_NEAR(back[4], -100.0, 0.1);  // saturated at phys_min
  edfclose_file(h);
  fs::remove_all(dir);
}

TEST(SynthEdfWriter, RejectsBadInputWithoutLeavingFiles) {
  const fs::path dir = temp_dir("bad");
  const fs::path file = dir / "b.edf";
  EdfWriteSpec spec;
  spec.signals = {{"A", 10}, {"B", 20}};
  // B spans 2 records, A only 1.
  std::vector<std::vector<double>> data{std::vector<double>(10, 0.0), std::vector<double>(40, 0.0)};
  EXPECT_THROW(write_edf(file, spec, data), Error);
  // Not a whole number of records.
  data = {std::vector<double>(15, 0.0), std::vector<double>(30, 0.0)};
  EXPECT_THROW(write_edf(file, spec, data), Error);
  // Non-finite sample: fails after the file was opened; nothing may remain.
  data = {std::vector<double>(10, 0.0), std::vector<double>(20, 0.0)};
  data[1][7] = std::nan("");
  try {
    write_edf(file, spec, data);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(file));
  EXPECT_FALSE(fs::exists(dir / "b.edf.tmp"));
  // Missing directory.
  data[1][7] = 0.0;
  EXPECT_THROW(write_edf(dir / "nope" / "c.edf", spec, data), Error);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ecgforest::io

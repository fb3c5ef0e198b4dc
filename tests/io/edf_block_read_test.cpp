// io::EdfFile::read_channel (block reads, only the wanted channel decoded) must give bitwise the
// values of EDFlib's own edfread_physical_samples (read_channel_edflib) on EDF, EDF+, BDF and
// BDF+ files built here byte by byte from the specification: random digital values over the
// whole range, odd physical ranges, different samples per record per signal, and the
// "EDF Annotations" signal placed between data signals (EDFlib hides it; the channel indices
// after it must still map to the right bytes).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "ecgforest/io/edf_reader.hpp"

namespace ecgforest::io {
namespace {

namespace fs = std::filesystem;

std::string field(const std::string& v, std::size_t w) {
  std::string s = v.substr(0, w);
  s.resize(w, ' ');
  return s;
}

struct Sig {
  std::string label, pmin, pmax;
  long dmin, dmax;
  int spr;
  bool annotation = false;
};

// Writes a whole file: header, then n_records records; data signals get uniform random digital
// values in [dmin, dmax] (the first and last sample of every signal are dmin and dmax), the
// annotation signal gets the EDF+ time-keeping TAL "+<record>\x14\x14\0".
void write_file(const fs::path& file, const std::vector<Sig>& sigs, int n_records, bool bdf, bool plus,
                unsigned seed) {
  const std::size_t ns = sigs.size();
  const int bps = bdf ? 3 : 2;
  std::string h = (bdf ? std::string("\xFF" "BIOSEMI") : field("0", 8)) + field("X X X X", 80) +
                  field("Startdate 01-JAN-2020 X X X", 80) + "01.01.20" + "10.00.00" +
                  field(std::to_string(256 * (ns + 1)), 8) +
                  field(plus ? (bdf ? "BDF+C" : "EDF+C") : (bdf ? "24BIT" : ""), 44) +
                  field(std::to_string(n_records), 8) + field("1", 8) + field(std::to_string(ns), 4);
  for (const auto& s : sigs) h += field(s.label, 16);
  for (std::size_t i = 0; i < ns; ++i) h += field("", 80);
  for (const auto& s : sigs) h += field(s.annotation ? "" : "uV", 8);
  for (const auto& s : sigs) h += field(s.pmin, 8);
  for (const auto& s : sigs) h += field(s.pmax, 8);
  for (const auto& s : sigs) h += field(std::to_string(s.dmin), 8);
  for (const auto& s : sigs) h += field(std::to_string(s.dmax), 8);
  for (std::size_t i = 0; i < ns; ++i) h += field("", 80);
  for (const auto& s : sigs) h += field(std::to_string(s.spr), 8);
  for (std::size_t i = 0; i < ns; ++i) h += field("", 32);
  std::mt19937 rng(seed);
  std::string data;
  for (int r = 0; r < n_records; ++r) {
    for (const auto& s : sigs) {
      if (s.annotation) {
        std::string tal = "+" + std::to_string(r) + "\x14\x14" + std::string(1, '\0');
        tal.resize(static_cast<std::size_t>(s.spr * bps), '\0');
        data += tal;
        continue;
      }
      std::uniform_int_distribution<long> u(s.dmin, s.dmax);
      for (int k = 0; k < s.spr; ++k) {
        long v = u(rng);
        if (r == 0 && k == 0) v = s.dmin;
        if (r == n_records - 1 && k == s.spr - 1) v = s.dmax;
        for (int b = 0; b < bps; ++b) data += static_cast<char>((static_cast<unsigned long>(v) >> (8 * b)) & 0xFF);
      }
    }
  }
  std::ofstream(file, std::ios::binary) << h << data;
}

void expect_same_as_edflib(const fs::path& file, std::size_t n_channels) {
  EdfFile f(file);
  ASSERT_EQ(f.info().channels.size(), n_channels) << file;
  for (std::size_t c = 0; c < n_channels; ++c) {
    const Eigen::VectorXd fast = f.read_channel(static_cast<int>(c));
    const Eigen::VectorXd ref = f.read_channel_edflib(static_cast<int>(c));
    ASSERT_EQ(fast.size(), ref.size()) << f.info().channels[c].label;
    ASSERT_GT(fast.size(), 0);
    std::size_t differ = 0;
    for (Eigen::Index i = 0; i < fast.size(); ++i) differ += std::memcmp(&fast[i], &ref[i], sizeof(double)) != 0;
    EXPECT_EQ(differ, 0u) << file << " channel " << c << " '" << f.info().channels[c].label << "': " << differ
                          << " of " << fast.size() << " samples differ from EDFlib";
    // Not trivially equal: the channel really varies.
    EXPECT_NE(fast.minCoeff(), fast.maxCoeff());
  }
}

class EdfBlockRead : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ecgforest_edfblock_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

const std::vector<Sig> kEdfSigs = {
    {"EEG FP1-REF", "-3276.8", "3276.7", -32768, 32767, 250},
    {"EEG EKG1-REF", "-187.5", "843.25", -2048, 2047, 256},
    {"RESP", "0", "1", -1, 1, 7},
};

TEST_F(EdfBlockRead, PlainEdfMatchesEdflibBitwise) {
  write_file(dir_ / "a.edf", kEdfSigs, 23, false, false, 1);
  expect_same_as_edflib(dir_ / "a.edf", 3);
}

TEST_F(EdfBlockRead, EdfPlusWithAnnotationSignalBetweenChannelsMatchesEdflib) {
  auto sigs = kEdfSigs;
  sigs.insert(sigs.begin() + 1, Sig{"EDF Annotations", "-1", "1", -32768, 32767, 30, true});
  write_file(dir_ / "b.edf", sigs, 11, false, true, 2);
  expect_same_as_edflib(dir_ / "b.edf", 3);
}

TEST_F(EdfBlockRead, BdfAndBdfPlusMatchEdflibBitwise) {
  const std::vector<Sig> sigs = {
      {"EEG C3", "-262144", "262143", -8388608, 8388607, 512},
      {"ECG", "-1.5", "2.25", -100000, 100000, 256},
  };
  write_file(dir_ / "c.bdf", sigs, 9, true, false, 3);
  expect_same_as_edflib(dir_ / "c.bdf", 2);
  auto plus = sigs;
  plus.insert(plus.begin() + 1, Sig{"BDF Annotations", "-1", "1", -8388608, 8388607, 20, true});
  write_file(dir_ / "d.bdf", plus, 9, true, true, 4);
  expect_same_as_edflib(dir_ / "d.bdf", 2);
}

TEST_F(EdfBlockRead, RecordsLargerThanOneBlockAndManyBlocks) {
  // 5 MiB records (larger than the 4 MiB block): one record per read.
  write_file(dir_ / "big.edf", {{"ECG", "-5000", "5000", -32768, 32767, 5 << 19}}, 3, false, false, 5);
  expect_same_as_edflib(dir_ / "big.edf", 1);
  // Many small records: thousands of records spread over several blocks.
  write_file(dir_ / "many.edf", {{"ECG", "-5000", "5000", -32768, 32767, 1000}, {"X", "-1", "1", -32768, 32767, 1200}},
             2500, false, false, 6);
  expect_same_as_edflib(dir_ / "many.edf", 2);
}

}  // namespace
}  // namespace ecgforest::io

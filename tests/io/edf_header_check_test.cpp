// Tests of io::edf_header_problem / check_edf_header: a header is built here field by field from
// the EDF specification (not with our writer), then one field at a time is broken and the
// reason must name that exact problem.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/io/edf_reader.hpp"

namespace ecgforest::io {
namespace {

std::string field(const std::string& v, std::size_t w) {
  std::string s = v.substr(0, w);
  s.resize(w, ' ');
  return s;
}

struct Sig {
  std::string label = "EKG";
  std::string pmin = "-5000", pmax = "5000", dmin = "-32768", dmax = "32767", spr = "256";
};

// A whole EDF file: fixed header, ns signal headers, n_records records of zeros.
struct Edf {
  std::string version = "0", date = "01.01.20", time = "10.00.00", records = "3", duration = "1";
  std::string header_bytes;  // empty: the correct 256 * (ns + 1)
  std::string reserved;      // "EDF+C" for EDF+
  std::vector<Sig> sigs{Sig{"EEG FP1-REF"}, Sig{}};
  long long extra_data_bytes = 0;

  std::string bytes() const {
    const std::size_t ns = sigs.size();
    std::string h = field(version, 8) + field("X", 80) + field("Y", 80) + field(date, 8) + field(time, 8) +
                    field(header_bytes.empty() ? std::to_string(256 * (ns + 1)) : header_bytes, 8) + field(reserved, 44) +
                    field(records, 8) + field(duration, 8) + field(std::to_string(ns), 4);
    for (const auto& s : sigs) h += field(s.label, 16);
    for (std::size_t i = 0; i < ns; ++i) h += field("", 80);
    for (std::size_t i = 0; i < ns; ++i) h += field("uV", 8);
    for (const auto& s : sigs) h += field(s.pmin, 8);
    for (const auto& s : sigs) h += field(s.pmax, 8);
    for (const auto& s : sigs) h += field(s.dmin, 8);
    for (const auto& s : sigs) h += field(s.dmax, 8);
    for (std::size_t i = 0; i < ns; ++i) h += field("", 80);
    for (const auto& s : sigs) h += field(s.spr, 8);
    for (std::size_t i = 0; i < ns; ++i) h += field("", 32);
    long long rec_bytes = 0;
    for (const auto& s : sigs) rec_bytes += 2 * std::atoll(s.spr.c_str());
    const long long data = std::max(0LL, std::atoll(records.c_str()) * rec_bytes + extra_data_bytes);
    return h + std::string(static_cast<std::size_t>(data), '\0');
  }
};

std::string problem(const Edf& e) {
  const std::string b = e.bytes();
  return edf_header_problem(b, b.size());
}

TEST(EdfHeaderCheck, ValidHeaderHasNoProblem) {
  EXPECT_EQ(problem(Edf{}), "");
  Edf one;
  one.sigs = {Sig{}};
  EXPECT_EQ(problem(one), "");
}

TEST(EdfHeaderCheck, SizeAndVersion) {
  EXPECT_EQ(edf_header_problem("", 0), "the file is empty (0 bytes)");
  const std::string short_edf = "0" + std::string(99, ' ');
  EXPECT_NE(edf_header_problem(short_edf, 100).find("the file is 100 bytes, shorter than the 256-byte"), std::string::npos);
  EXPECT_NE(edf_header_problem("this is not EDF\n", 16).find("the first 8 bytes are 'this is '"), std::string::npos);
  Edf e;
  e.version = "ABC";
  EXPECT_NE(problem(e).find("the first 8 bytes are 'ABC     '"), std::string::npos) << problem(e);
  std::string text(300, 'x');
  EXPECT_NE(edf_header_problem(text, text.size()).find("not an EDF file"), std::string::npos);
}

TEST(EdfHeaderCheck, HeaderByteCountNamesBothNumbers) {
  Edf e;
  e.header_bytes = "4352";  // 2 signals need 256 * 3 = 768
  EXPECT_EQ(problem(e), "the header says 4352 header bytes but 2 signals need 768 (256 + 256 per signal)");
  e.header_bytes = "abc";
  EXPECT_EQ(problem(e), "the header byte count 'abc' is not a whole number");
}

TEST(EdfHeaderCheck, TruncatedInsideTheSignalHeaders) {
  const std::string b = Edf{}.bytes();
  const std::string cut = b.substr(0, 600);
  EXPECT_EQ(edf_header_problem(cut, cut.size()),
            "the file is 600 bytes but its header alone needs 768 (2 signals): it is truncated inside the header");
}

TEST(EdfHeaderCheck, RecordDurationAndCount) {
  Edf e;
  e.duration = "-1";
  EXPECT_EQ(problem(e), "the record duration is -1 s; it must be positive");
  e.duration = "0";
  EXPECT_EQ(problem(e), "the record duration is 0 s; it must be positive");
  e.duration = "1,5";
  EXPECT_EQ(problem(e), "the record duration '1,5' is not a number (EDF numbers are plain decimals such as 1 or 0.5, without exponents)");
  Edf r;
  r.records = "-1";
  EXPECT_EQ(problem(r), "the number of data records is -1 (the recording was never closed properly); it must be at least 1");
}

TEST(EdfHeaderCheck, DataSectionSizeAgainstRecordCount) {
  // 2 signals x 256 samples x 2 bytes = 1024 bytes per record; 3 records declared.
  Edf e;
  e.extra_data_bytes = -1536;  // 1.5 records present
  EXPECT_EQ(problem(e),
            "the data section holds 1.5 records of 1024 bytes but the header says 3 (the file is truncated, or the "
            "record count is wrong)");
  std::string absurd = Edf{}.bytes();  // data of 3 records, header says 99999999
  absurd.replace(236, 8, "99999999");
  EXPECT_EQ(edf_header_problem(absurd, absurd.size()),
            "the data section holds 3 records of 1024 bytes but the header says 99999999 (the file is truncated, or "
            "the record count is wrong)");
  Edf extra;
  extra.extra_data_bytes = 512;
  EXPECT_NE(problem(extra).find("holds 3.5 records of 1024 bytes but the header says 3 (extra bytes"), std::string::npos)
      << problem(extra);
}

TEST(EdfHeaderCheck, SignalFields) {
  Edf e;
  e.sigs[1].dmin = e.sigs[1].dmax = "100";
  EXPECT_EQ(problem(e), "signal 2 'EKG' has digital min = max = 100");
  Edf p;
  p.sigs[0].pmin = p.sigs[0].pmax = "5";
  EXPECT_EQ(problem(p), "signal 1 'EEG FP1-REF' has physical min = max = 5");
  Edf r;
  r.sigs[1].dmax = "40000";
  EXPECT_EQ(problem(r), "signal 2 'EKG' has digital range -32768..40000, outside the 16-bit range -32768..32767");
  Edf s;
  s.sigs[1].spr = "0";
  EXPECT_EQ(problem(s), "signal 2 'EKG' has 0 samples per record; it must be at least 1");
  Edf n;
  n.sigs[0].pmin = "-1e";
  EXPECT_EQ(problem(n), "signal 1 'EEG FP1-REF' has physical minimum '-1e', not a number");
}

TEST(EdfHeaderCheck, NonAsciiNamesTheFieldAndSignal) {
  Edf e;
  e.sigs[1].label = "\xC9KG";
  EXPECT_EQ(problem(e), "the label of signal 2 has non-ASCII bytes ('\\xC9KG             '); EDF headers must be printable ASCII");
  Edf d;
  d.date = "01/01/20";
  EXPECT_EQ(problem(d), "the start date '01/01/20' is not dd.mm.yy");
  Edf ns;
  ns.sigs.clear();
  EXPECT_NE(problem(ns).find("the number of signals is '0'"), std::string::npos) << problem(ns);
}

// What EDFlib misreads or refuses with only its generic sentence is named here first.
TEST(EdfHeaderCheck, NumbersArePlainDecimals) {
  Edf e;
  e.duration = "1E0";  // EDFlib reads this as 310 s
  EXPECT_EQ(problem(e), "the record duration '1E0' is not a number (EDF numbers are plain decimals such as 1 or 0.5, without exponents)");
  e.duration = "+0.5";
  EXPECT_EQ(problem(e), "");
  e.duration = "1.";
  EXPECT_EQ(problem(e), "");
  e.duration = ".";
  EXPECT_NE(problem(e), "");
  Edf p;
  p.sigs[1].pmax = "5e3";
  EXPECT_EQ(problem(p), "signal 2 'EKG' has physical maximum '5e3', not a number");
  p.sigs[1].pmax = "1.2.3";
  EXPECT_EQ(problem(p), "signal 2 'EKG' has physical maximum '1.2.3', not a number");
  p.sigs[1].pmax = "-0.25";
  p.sigs[1].pmin = "-3000";
  EXPECT_EQ(problem(p), "");
}

TEST(EdfHeaderCheck, StartDateAndTimeAreInRange) {
  Edf t;
  t.time = "25.61.61";
  EXPECT_EQ(problem(t), "the start time '25.61.61' is not a time of day (hours 00-23, minutes and seconds 00-59)");
  t.time = "23.59.60";
  EXPECT_NE(problem(t), "");
  t.time = "23.59.59";
  EXPECT_EQ(problem(t), "");
  Edf d;
  d.date = "32.01.20";
  EXPECT_EQ(problem(d), "the start date '32.01.20' is not a date (day 01-31, month 01-12)");
  d.date = "01.13.20";
  EXPECT_NE(problem(d), "");
  d.date = "00.12.20";
  EXPECT_NE(problem(d), "");
  d.date = "31.12.99";
  EXPECT_EQ(problem(d), "");
}

TEST(EdfHeaderCheck, EdfPlusNeedsItsAnnotationSignal) {
  Edf e;
  e.reserved = "EDF+C";
  EXPECT_EQ(problem(e), "the header says EDF+C but no signal is labelled 'EDF Annotations', which EDF+ requires");
  e.sigs.push_back(Sig{"EDF Annotations"});
  EXPECT_EQ(problem(e), "");
  e.reserved = "";  // plain EDF may have a signal of that name
  EXPECT_EQ(problem(e), "");
}

TEST(EdfHeaderCheck, FileCheckThrowsUnreadableWithPathAndReason) {
  const auto dir = std::filesystem::temp_directory_path() / ("ecgforest_hdrchk_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto good = dir / "good.edf", bad = dir / "bad.edf";
  std::ofstream(good, std::ios::binary) << Edf{}.bytes();
  Edf e;
  e.duration = "-1";
  std::ofstream(bad, std::ios::binary) << e.bytes();
  EXPECT_NO_THROW(check_edf_header(good));
  try {
    check_edf_header(bad);
    ADD_FAILURE() << "expected RecordError";
  } catch (const RecordError& err) {
    EXPECT_EQ(err.kind(), "unreadable");
    const std::string m = err.what();
    EXPECT_NE(m.find(bad.string()), std::string::npos) << m;
    EXPECT_NE(m.find("the record duration is -1 s"), std::string::npos) << m;
  }
  EXPECT_THROW(check_edf_header(dir / "missing.edf"), RecordError);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ecgforest::io

// RR-interval CSV reader and round-trip number formatting for the `hrv` command.
#include "ecgforest/hrv/rr_csv.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/file_check.hpp"

namespace ecgforest::hrv {
namespace {

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  for (char c : line) {
    if (c == ',') {
      out.push_back(cell);
      cell.clear();
    } else if (c != '\r' && c != '"') {
      cell += c;
    }
  }
  out.push_back(cell);
  for (auto& s : out) {
    while (!s.empty() && s.front() == ' ') s.erase(s.begin());
    while (!s.empty() && s.back() == ' ') s.pop_back();
  }
  return out;
}

}  // namespace

std::vector<double> read_rr_csv(const std::string& path) {
  if (auto why = regular_file_problem(path, kMaxTableBytes); !why.empty()) {
    throw Error("Cannot read the RR file " + path + ": it " + why + ".");
  }
  std::ifstream in(path);
  if (!in) throw Error("Cannot open the RR file " + path + "; check the path and its permissions.");
  std::string line;
  if (!std::getline(in, line)) throw Error("The RR file " + path + " is empty; it needs a header with an rr_interval column.");
  if (line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
  const auto header = split(line);
  std::size_t col = header.size();
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == "rr_interval") col = i;
  }
  if (col == header.size()) {
    throw Error("The RR file " + path + " has no rr_interval column (header: '" + line +
                "'); write one column rr_interval in ms, or the old timestamp,frame,rr_interval table.");
  }
  std::vector<double> rr;
  long long lineno = 1;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.find_first_not_of(" \r\t") == std::string::npos) continue;
    const auto cells = split(line);
    if (col >= cells.size()) {
      throw Error("Line " + std::to_string(lineno) + " of " + path + " has " + std::to_string(cells.size()) +
                  " cells but rr_interval is column " + std::to_string(col + 1) + "; fix the file.");
    }
    const std::string& c = cells[col];
    if (c.empty()) {
      rr.push_back(std::numeric_limits<double>::quiet_NaN());
      continue;
    }
    char* end = nullptr;
    const double v = std::strtod(c.c_str(), &end);
    if (end == c.c_str() || *end != '\0') {
      throw Error("Line " + std::to_string(lineno) + " of " + path + ": rr_interval '" + c +
                  "' is not a number (milliseconds expected); fix the file.");
    }
    rr.push_back(v);
  }
  return rr;
}

std::string format_double(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, r.ptr);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

}  // namespace ecgforest::hrv

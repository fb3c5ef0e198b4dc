#pragma once
// Test-only readers for the HRV reference data in ../shared/data/hrv/golden (JSON with
// "nan"/"inf"/"-inf" strings, CSV with nan/inf) and a comparison that prints a readable diff.
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace golden {

inline std::string hrv_dir() {
#ifdef ECGFOREST_SHARED_DIR
  return std::string(ECGFOREST_SHARED_DIR) + "/data/hrv";
#else
  return "../shared/data/hrv";
#endif
}

inline bool available() { return std::filesystem::exists(hrv_dir() + "/golden/MANIFEST.json"); }

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Json {
  enum Kind { Null, Bool, Num, Str, Arr, Obj } kind = Null;
  double num = 0;
  bool b = false;
  std::string str;
  std::vector<Json> arr;
  std::vector<std::pair<std::string, Json>> obj;

  const Json* find(const std::string& k) const {
    for (const auto& kv : obj)
      if (kv.first == k) return &kv.second;
    return nullptr;
  }
  const Json& operator[](const std::string& k) const {
    const Json* j = find(k);
    if (!j) throw std::runtime_error("missing JSON key " + k);
    return *j;
  }
  /// Number, or the golden encoding of non-finite values as strings.
  double as_double() const {
    if (kind == Num) return num;
    if (kind == Str) return std::strtod(str.c_str(), nullptr);  // "nan", "inf", "-inf"
    if (kind == Null) return std::nan("");
    throw std::runtime_error("JSON value is not a number");
  }
  std::vector<double> as_doubles() const {
    std::vector<double> v;
    for (const auto& e : arr) v.push_back(e.as_double());
    return v;
  }
};

class JsonParser {
 public:
  explicit JsonParser(const std::string& s) : s_(s) {}
  Json parse() {
    Json j = value();
    return j;
  }

 private:
  void ws() {
    while (p_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[p_]))) ++p_;
  }
  Json value() {
    ws();
    Json j;
    const char c = s_.at(p_);
    if (c == '{') {
      j.kind = Json::Obj;
      ++p_;
      ws();
      if (s_[p_] == '}') { ++p_; return j; }
      while (true) {
        ws();
        std::string k = string();
        ws();
        ++p_;  // ':'
        j.obj.emplace_back(k, value());
        ws();
        if (s_[p_++] == '}') break;
      }
    } else if (c == '[') {
      j.kind = Json::Arr;
      ++p_;
      ws();
      if (s_[p_] == ']') { ++p_; return j; }
      while (true) {
        j.arr.push_back(value());
        ws();
        if (s_[p_++] == ']') break;
      }
    } else if (c == '"') {
      j.kind = Json::Str;
      j.str = string();
    } else if (s_.compare(p_, 4, "null") == 0) {
      p_ += 4;
    } else if (s_.compare(p_, 4, "true") == 0) {
      j.kind = Json::Bool; j.b = true; p_ += 4;
    } else if (s_.compare(p_, 5, "false") == 0) {
      j.kind = Json::Bool; p_ += 5;
    } else {
      j.kind = Json::Num;
      char* end = nullptr;
      j.num = std::strtod(s_.c_str() + p_, &end);
      p_ = static_cast<std::size_t>(end - s_.c_str());
    }
    return j;
  }
  std::string string() {
    std::string out;
    ++p_;  // opening quote
    while (s_[p_] != '"') {
      if (s_[p_] == '\\') {
        ++p_;
        const char e = s_[p_];
        out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
        if (e == 'u') p_ += 4;
      } else {
        out += s_[p_];
      }
      ++p_;
    }
    ++p_;
    return out;
  }
  const std::string& s_;
  std::size_t p_ = 0;
};

inline Json read_json(const std::string& path) {
  const std::string text = slurp(path);
  return JsonParser(text).parse();
}

struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<double>> rows;
};

inline Csv read_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  Csv c;
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> cells;
    std::stringstream ls(line);
    std::string cell;
    while (std::getline(ls, cell, ',')) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    if (first) {
      c.header = cells;
      first = false;
      continue;
    }
    std::vector<double> r;
    for (const auto& x : cells) r.push_back(x.empty() ? std::nan("") : std::strtod(x.c_str(), nullptr));
    c.rows.push_back(r);
  }
  return c;
}

inline std::vector<double> read_rr_series(const std::string& name) {
  const Csv c = read_csv(hrv_dir() + "/golden/series/" + name + ".csv");
  std::vector<double> v;
  for (const auto& r : c.rows) v.push_back(r.at(0));
  return v;
}

/// Relative difference with exact agreement required for non-finite values (same NaN/inf).
inline bool same_value(double got, double want, double rel_tol, double* rel_err = nullptr) {
  if (std::isnan(want) || std::isnan(got)) return std::isnan(want) && std::isnan(got);
  if (std::isinf(want) || std::isinf(got)) return got == want;
  const double denom = std::max(std::abs(want), 1e-300);
  const double e = want == got ? 0.0 : std::abs(got - want) / denom;
  if (rel_err && e > *rel_err) *rel_err = e;
  return e <= rel_tol;
}

/// Collects mismatches as "what: got X, want Y (rel e)" lines; empty string = no difference.
class Diff {
 public:
  explicit Diff(std::string file) : file_(std::move(file)) {}
  void check(const std::string& what, double got, double want, double rel_tol) {
    ++compared_;
    if (!same_value(got, want, rel_tol, &max_rel_)) {
      ++bad_;
      if (bad_ <= 25) {
        std::ostringstream o;
        o.precision(17);
        o << "  " << what << ": got " << got << ", want " << want;
        if (std::isfinite(got) && std::isfinite(want) && want != 0.0)
          o << " (rel " << std::abs(got - want) / std::abs(want) << ", tol " << rel_tol << ")";
        o << "\n";
        text_ += o.str();
      }
    }
  }
  void note(const std::string& line) {
    ++bad_;
    text_ += "  " + line + "\n";
  }
  bool ok() const { return bad_ == 0; }
  double max_rel() const { return max_rel_; }
  long compared() const { return compared_; }
  std::string report() const {
    std::ostringstream o;
    o << "golden file " << file_ << ": " << bad_ << " of " << compared_ << " values differ\n" << text_;
    if (bad_ > 25) o << "  ... (" << bad_ - 25 << " more)\n";
    return o.str();
  }

 private:
  std::string file_;
  std::string text_;
  long bad_ = 0;
  long compared_ = 0;
  double max_rel_ = 0.0;
};

}  // namespace golden

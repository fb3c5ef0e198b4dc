#pragma once
// A tiny JSON text builder for metrics files (non-finite numbers are written as null; finite
// doubles in the shortest text that reads back as the same value).
#include <cstdint>
#include <string>
#include <vector>

namespace ecgforest {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(const std::string& k);
  JsonWriter& value(double v);
  JsonWriter& value(std::int64_t v);
  JsonWriter& value(std::uint64_t v);
  JsonWriter& value(int v) { return value(static_cast<std::int64_t>(v)); }
  JsonWriter& value(const std::string& s);
  JsonWriter& value(const char* s) { return value(std::string(s)); }
  JsonWriter& value(bool b);
  /// An already rendered JSON value (object, array, number...) inserted as the next value.
  JsonWriter& raw(const std::string& json_value);
  const std::string& str() const { return out_; }

 private:
  void comma();
  std::string out_;
  std::vector<bool> first_;  // per open container: no element yet
  bool after_key_ = false;
};

/// JSON string literal (quotes and escapes).
std::string json_quote(const std::string& s);

/// The members of two rendered JSON objects as one object ("{a...}" + "{b...}" -> "{a...,b...}").
/// Throws std::invalid_argument when either text is not an object.
std::string json_object_union(const std::string& a, const std::string& b);

}  // namespace ecgforest

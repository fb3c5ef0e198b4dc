#pragma once
// A strict reader for the TOML subset ecgforest configs use: [table] and [a.b] headers,
// `key = value` with bare or quoted keys, basic strings ("..." with \\ \" \n \t \r \uXXXX
// escapes), literal strings ('...'), integers, floats, booleans, and arrays of those (may span
// lines). Comments start with # outside strings. Duplicate keys are errors.
// (CLI11 2.1's own config reader keeps backslash escapes and treats '#' inside strings as a
// comment, which breaks regexes in configs; hence this reader.)
#include <string>
#include <vector>

namespace ecgforest::toml {

struct Item {
  std::string key;                  ///< full dotted key, e.g. "train.trees"
  std::vector<std::string> values;  ///< one element for scalars; strings unescaped
  bool is_array = false;
  int line = 0;                     ///< 1-based line of the key
};

/// Parses `text`; throws ecgforest::ConfigError("<origin> line N: ...") on syntax errors.
std::vector<Item> parse(const std::string& text, const std::string& origin);

}  // namespace ecgforest::toml

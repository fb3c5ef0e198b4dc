#pragma once
// The configuration file as a flat list of dotted keys with typed values, read by toml++ (strict
// TOML 1.0; Debian libtomlplusplus-dev). Only src/core/toml.cpp includes toml++ (the layer check
// in cmake/check_layers.cmake stops any other layer from including it); everything else sees
// these plain values. Syntax errors (including duplicate keys) come back as ConfigError naming
// the file, line and column.
#include <string>
#include <vector>

namespace ecgforest::toml_reader {

/// The TOML type of one value. `other` is anything ecgforest has no setting for (dates, times,
/// arrays inside arrays, tables inside arrays).
enum class ValueType { string, integer, floating, boolean, table, other };

/// "a string", "an integer", "a float", ... for messages.
const char* type_phrase(ValueType t);

struct Item {
  std::string key;  ///< full dotted key, e.g. "train.trees"
  /// The value(s) as text: strings unescaped; integers in decimal; floats as their shortest
  /// round-trip text (nan, inf and -inf as such); booleans "true"/"false". One element for a
  /// scalar; one per element for an array; none for an (empty) table.
  std::vector<std::string> values;
  std::vector<ValueType> types;  ///< the TOML type of each element of `values`
  bool is_array = false;
  bool is_table = false;  ///< an empty table ([section] with no keys, or `key = {}`)
  int line = 0;           ///< 1-based line of the key
  int column = 0;         ///< 1-based column of the key (of its last part, for a dotted key)
};

/// Parses `text` (TOML 1.0). Tables are flattened into dotted keys; items come in file order.
/// Throws ecgforest::ConfigError("The configuration file <origin> is not valid TOML at line L,
/// column C (key 'k'): ...") on syntax errors.
std::vector<Item> parse(const std::string& text, const std::string& origin);

}  // namespace ecgforest::toml_reader

// The TOML reader (core/toml.hpp over toml++): hand-written TOML texts and the flat items, types,
// positions and errors they must give.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/toml.hpp"

namespace ecgforest {
namespace {

using toml_reader::Item;
using toml_reader::ValueType;

std::string error_of(const std::string& text) {
  try {
    (void)toml_reader::parse(text, "t.toml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ConfigError for:\n" << text;
  return "";
}

const Item& find(const std::vector<Item>& items, const std::string& key) {
  for (const auto& it : items) {
    if (it.key == key) return it;
  }
  static const Item none;
  ADD_FAILURE() << "no item " << key;
  return none;
}

TEST(TomlReader, TablesFlattenIntoDottedKeysInFileOrder) {
  const std::string text =
      "# comment\n"
      "output = \"o.h5\"\n"                 // line 2
      "[train]\n"
      "trees = 7          # trailing\n"     // line 4
      "seed = 0x10\n"                        // line 5: hex integer
      "[extract]\n"
      "window_s = 2.5\n"                     // line 7
      "strict = true\n"                      // line 8
      "[postprocess]\n"
      "threshold = 1_000.0\n";               // line 10: underscores
  const auto items = toml_reader::parse(text, "t.toml");
  std::vector<std::string> keys;
  for (const auto& it : items) keys.push_back(it.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"output", "train.trees", "train.seed", "extract.window_s", "extract.strict",
                                            "postprocess.threshold"}));
  const Item& trees = find(items, "train.trees");
  EXPECT_EQ(trees.values, std::vector<std::string>{"7"});
  EXPECT_EQ(trees.types, std::vector<ValueType>{ValueType::integer});
  EXPECT_EQ(trees.line, 4);
  EXPECT_EQ(trees.column, 1);  // where the key starts
  EXPECT_FALSE(trees.is_array);
  EXPECT_EQ(find(items, "train.seed").values, std::vector<std::string>{"16"});
  EXPECT_EQ(find(items, "extract.window_s").values, std::vector<std::string>{"2.5"});
  EXPECT_EQ(find(items, "extract.window_s").types, std::vector<ValueType>{ValueType::floating});
  EXPECT_EQ(find(items, "extract.strict").values, std::vector<std::string>{"true"});
  EXPECT_EQ(find(items, "extract.strict").types, std::vector<ValueType>{ValueType::boolean});
  EXPECT_EQ(find(items, "postprocess.threshold").values, std::vector<std::string>{"1000"});
  EXPECT_EQ(find(items, "output").line, 2);
  const auto indented = toml_reader::parse("\n  [train]\n    trees = 1\n", "t.toml");
  EXPECT_EQ(find(indented, "train.trees").line, 3);
  EXPECT_EQ(find(indented, "train.trees").column, 5);
}

TEST(TomlReader, FloatsAreTheirShortestRoundTripText) {
  const auto items = toml_reader::parse("a = 0.1\nb = 1e-7\nc = -0.0\nd = 5e+22\ne = nan\nf = -inf\n", "t.toml");
  EXPECT_EQ(find(items, "a").values.front(), "0.1");
  EXPECT_EQ(find(items, "b").values.front(), "1e-07");
  EXPECT_EQ(find(items, "c").values.front(), "-0");
  EXPECT_EQ(find(items, "d").values.front(), "5e+22");
  EXPECT_EQ(find(items, "e").values.front().find("nan") != std::string::npos, true);
  EXPECT_EQ(find(items, "f").values.front(), "-inf");
}

// The reason we left CLI11 2.1's reader: '#' inside quotes, and backslashes.
TEST(TomlReader, StringRules) {
  const std::string text =
      "a = \"x # not a comment\"  # a comment\n"
      "b = 'C:\\dir\\(\\d+)'\n"              // literal string: backslashes stay
      "c = \"\\\\d+ \\\"q\\\" \\t \\u00e9\"\n"  // basic string: escapes
      "d = \"\"\"\nmulti\nline\"\"\"\n"
      "\"quoted key\" = ''\n";
  const auto items = toml_reader::parse(text, "t.toml");
  EXPECT_EQ(find(items, "a").values.front(), "x # not a comment");
  EXPECT_EQ(find(items, "b").values.front(), "C:\\dir\\(\\d+)");
  EXPECT_EQ(find(items, "c").values.front(), "\\d+ \"q\" \t \xC3\xA9");
  EXPECT_EQ(find(items, "d").values.front(), "multi\nline");
  EXPECT_EQ(find(items, "quoted key").values.front(), "");
  EXPECT_EQ(find(items, "a").types, std::vector<ValueType>{ValueType::string});
}

TEST(TomlReader, ArraysInlineTablesAndDottedKeys) {
  const std::string text =
      "input = [\n  \"a.edf\",  # first\n  \"b.edf\",\n]\n"
      "mixed = [1, \"x\", [2]]\n"
      "train = { trees = 3 }\n"
      "extract.window_s = 4\n"
      "[score]\n";
  const auto items = toml_reader::parse(text, "t.toml");
  const Item& input = find(items, "input");
  EXPECT_TRUE(input.is_array);
  EXPECT_EQ(input.values, (std::vector<std::string>{"a.edf", "b.edf"}));
  EXPECT_EQ(input.line, 1);
  const Item& mixed = find(items, "mixed");
  EXPECT_EQ(mixed.types, (std::vector<ValueType>{ValueType::integer, ValueType::string, ValueType::other}));
  EXPECT_EQ(find(items, "train.trees").values, std::vector<std::string>{"3"});
  EXPECT_EQ(find(items, "extract.window_s").values, std::vector<std::string>{"4"});
  const Item& score = find(items, "score");  // an empty table is reported as such
  EXPECT_TRUE(score.is_table);
  EXPECT_TRUE(score.values.empty());
  EXPECT_EQ(score.line, 8);
}

TEST(TomlReader, DatesAreAnotherType) {
  const auto items = toml_reader::parse("when = 1979-05-27T07:32:00Z\n", "t.toml");
  EXPECT_EQ(find(items, "when").types, std::vector<ValueType>{ValueType::other});
}

TEST(TomlReader, SyntaxErrorsNameFileLineColumnAndKey) {
  const std::string bool_typo = error_of("[extract]\nstrict = maybe\n");
  EXPECT_NE(bool_typo.find("t.toml"), std::string::npos) << bool_typo;
  EXPECT_NE(bool_typo.find("line 2, column"), std::string::npos) << bool_typo;
  EXPECT_NE(bool_typo.find("(key 'extract.strict')"), std::string::npos) << bool_typo;

  const std::string number_typo = error_of("[extract]\n\nstep_s = 1.0x\n");
  EXPECT_NE(number_typo.find("line 3, column"), std::string::npos) << number_typo;
  EXPECT_NE(number_typo.find("extract.step_s"), std::string::npos) << number_typo;

  const std::string twice = error_of("[train]\ntrees = 1\ntrees = 2\n");
  EXPECT_NE(twice.find("line 3"), std::string::npos) << twice;
  EXPECT_NE(twice.find("trees"), std::string::npos) << twice;

  for (const char* bad : {"[train\ntrees = 5\n", "output = \"unterminated\n", "output = plain\n",
                          "seed = 9223372036854775808\n",  // above TOML's signed 64-bit integers
                          "a = \"\\q\"\n", "a = 1\n[a]\nb = 2\n", "= 5\n", "a = [1, 2\n"}) {
    const std::string msg = error_of(bad);
    EXPECT_NE(msg.find("is not valid TOML at line"), std::string::npos) << bad << " -> " << msg;
  }
}

// toml++ 3.3.0 reaches __builtin_unreachable for 3,019 code points (accented Latin, Cyrillic,
// U+FB26..U+FEFE) in keys, multi-line strings and after values; src/core/toml.cpp swaps them for
// private-use code points around the parse. The values must come back unchanged, bad placements
// must be ordinary errors (and the test runs under UBSan in the asan preset and the fuzzer).
TEST(TomlReader, NonAsciiTextComesBackUnchanged) {
  const std::string text =
      "output = \"/data/M\xC3\xBCller/\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82\xEF\xAE\xBB.h5\"  # caf\xC3\xA9\n"
      "\"cl\xC3\xA9\" = 'na\xC3\xAFve'\n"
      "ml = \"\"\"a \\\n   \xC3\xA9t\xC3\xA9\"\"\"\n";
  const auto items = toml_reader::parse(text, "t.toml");
  EXPECT_EQ(find(items, "output").values.front(),
            "/data/M\xC3\xBCller/\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82\xEF\xAE\xBB.h5");
  EXPECT_EQ(find(items, "cl\xC3\xA9").values.front(), "na\xC3\xAFve");
  EXPECT_EQ(find(items, "ml").values.front(), "a \xC3\xA9t\xC3\xA9");
  for (const char* bad : {"a = 1\xC3\xA9\n", "\xEF\xAE\xBB\"ut =\", extract  !@", "a = [1, \xD0\x9F]\n", "\xC3\xA9 = 1\n"}) {
    const std::string msg = error_of(bad);
    EXPECT_NE(msg.find("t.toml"), std::string::npos) << msg;
  }
  // A private-use code point of the swap range in the file is refused, not misread.
  const std::string pua = error_of("a = \"\xEE\x80\x80\"\n");
  EXPECT_NE(pua.find("U+E000 at line 1"), std::string::npos) << pua;
  // Invalid UTF-8 stays invalid.
  EXPECT_NE(error_of("a = \"\xC3\"\n").find("not valid TOML"), std::string::npos);
}

TEST(TomlReader, EmptyTextAndByteOrderMark) {
  EXPECT_TRUE(toml_reader::parse("", "t.toml").empty());
  EXPECT_TRUE(toml_reader::parse("# only a comment\n\n", "t.toml").empty());
  const auto items = toml_reader::parse("\xEF\xBB\xBFoutput = \"x\"\n", "t.toml");
  EXPECT_EQ(find(items, "output").values, std::vector<std::string>{"x"});
}

}  // namespace
}  // namespace ecgforest

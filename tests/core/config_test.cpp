// Tests of the configuration schema: defaults, TOML application, error messages, to_toml round
// trip and validate() ranges. Expected values come from the header's documented defaults and
// from the literal TOML texts written here.
#include <gtest/gtest.h>

#include <cmath>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

#include "ecgforest/core/config.hpp"
#include "ecgforest/core/error.hpp"

namespace ecgforest {
namespace {

namespace fs = std::filesystem;

// Field-by-field equality of two configurations (Config has no operator==).
void expect_same(const Config& a, const Config& b) {
  EXPECT_EQ(a.input, b.input);
  EXPECT_EQ(a.output, b.output);
  EXPECT_EQ(a.features, b.features);
  EXPECT_EQ(a.model, b.model);
  EXPECT_EQ(a.extract.ecg_channel, b.extract.ecg_channel);
  EXPECT_EQ(a.extract.patient_regex, b.extract.patient_regex);
  EXPECT_EQ(a.extract.annotation_map, b.extract.annotation_map);
  EXPECT_EQ(a.extract.detector, b.extract.detector);
  EXPECT_EQ(a.extract.window_s, b.extract.window_s);
  EXPECT_EQ(a.extract.step_s, b.extract.step_s);
  EXPECT_EQ(a.extract.annotation_tolerance_s, b.extract.annotation_tolerance_s);
  EXPECT_EQ(a.extract.strict, b.extract.strict);
  EXPECT_EQ(a.train.trees, b.train.trees);
  EXPECT_EQ(a.train.max_features, b.train.max_features);
  EXPECT_EQ(a.train.max_depth, b.train.max_depth);
  EXPECT_EQ(a.train.min_samples_leaf, b.train.min_samples_leaf);
  EXPECT_EQ(a.train.class_weight, b.train.class_weight);
  EXPECT_EQ(a.train.bootstrap, b.train.bootstrap);
  EXPECT_EQ(a.train.cv_folds, b.train.cv_folds);
  EXPECT_EQ(a.train.seed, b.train.seed);
  EXPECT_EQ(a.train.label_threshold, b.train.label_threshold);
  EXPECT_EQ(a.train.decision_threshold, b.train.decision_threshold);
}

// Expects `fn` to throw ConfigError and returns its message ("" and a failure otherwise).
template <class Fn>
std::string config_error_of(Fn fn) {
  try {
    fn();
  } catch (const ConfigError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected ConfigError, got another exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected ConfigError, nothing was thrown";
  return "";
}

TEST(Config, DefaultsAreTheDocumentedOnes) {
  const Config c;
  EXPECT_TRUE(c.input.empty());
  EXPECT_EQ(c.output, "");
  EXPECT_EQ(c.extract.ecg_channel, "");
  EXPECT_EQ(c.extract.detector, Detector::default_);
  EXPECT_EQ(c.extract.hrv_profile, HrvProfile::default_);
  EXPECT_EQ(c.extract.window_s, 10.0);
  EXPECT_EQ(c.extract.step_s, 1.0);
  EXPECT_EQ(c.extract.annotation_tolerance_s, 2.0);
  EXPECT_FALSE(c.extract.strict);
  EXPECT_EQ(c.train.trees, 100);
  EXPECT_EQ(c.train.max_features, 0);
  EXPECT_EQ(c.train.max_depth, 10);
  EXPECT_EQ(c.train.min_samples_leaf, 20);
  EXPECT_EQ(c.train.class_weight, ClassWeight::balanced);
  EXPECT_EQ(c.train.bootstrap, Bootstrap::subsample);
  EXPECT_EQ(c.train.sample_fraction, 0.0);
  EXPECT_EQ(c.train.leaf_prior, 200.0);
  EXPECT_FALSE(c.train.tune);
  EXPECT_EQ(c.train.cv_folds, 3);
  EXPECT_EQ(c.train.seed, 42u);
  EXPECT_EQ(c.train.label_threshold, 0.5);
  EXPECT_EQ(c.train.decision_threshold, 0.5);
  EXPECT_NO_THROW(validate(c));
}

TEST(Config, SchemaKeysAndFlagsAreUniqueAndAllPrinted) {
  const auto& schema = config_schema();
  ASSERT_FALSE(schema.empty());
  std::set<std::string> keys, flags;
  const std::string toml = to_toml(Config{});
  for (const auto& k : schema) {
    EXPECT_TRUE(keys.insert(k.key).second) << "duplicate key " << k.key;
    EXPECT_TRUE(flags.insert(k.flag).second) << "duplicate flag " << k.flag;
    EXPECT_EQ(k.flag.rfind("--", 0), 0u) << k.flag;
    EXPECT_NE(k.commands, 0u) << k.key;
    ASSERT_TRUE(k.set) << k.key;
    ASSERT_TRUE(k.to_toml) << k.key;
    const auto dot = k.key.find('.');
    const std::string name = dot == std::string::npos ? k.key : k.key.substr(dot + 1);
    EXPECT_NE(toml.find("\n" + name + " = "), std::string::npos) << k.key << " missing from:\n" << toml;
  }
  // Every documented field has a key.
  for (const char* want : {"input", "output", "features", "model", "extract.ecg_channel", "extract.patient_regex",
                           "extract.annotation_map", "extract.detector", "extract.window_s", "extract.step_s",
                           "extract.annotation_tolerance_s", "extract.strict", "train.trees", "train.max_features",
                           "train.max_depth", "train.min_samples_leaf", "train.class_weight", "train.bootstrap",
                           "train.cv_folds", "train.seed", "train.label_threshold", "train.decision_threshold"}) {
    EXPECT_EQ(keys.count(want), 1u) << want;
  }
}

TEST(Config, FileValuesAreAppliedAndOthersKept) {
  Config c;
  c.model = "keep.h5";           // not in the text: must survive
  c.train.max_depth = 9;         // not in the text: must survive
  const std::string text = R"(# a comment
input = ["a.edf", "dir/b", "list.txt"]
output = "out/features.h5"

[extract]
ecg_channel = "EKG"
window_s = 5.5
step_s = 0.25
strict = true
detector = "elgendi-plain"

[train]
trees = 7
seed = 12345678901234
class_weight = "none"
bootstrap = "none"
cv_folds = 0
decision_threshold = 0.3
)";
  apply_config_text(c, text, "test.toml");
  EXPECT_EQ(c.input, (std::vector<std::string>{"a.edf", "dir/b", "list.txt"}));
  EXPECT_EQ(c.output, "out/features.h5");
  EXPECT_EQ(c.model, "keep.h5");
  EXPECT_EQ(c.extract.ecg_channel, "EKG");
  EXPECT_EQ(c.extract.window_s, 5.5);
  EXPECT_EQ(c.extract.step_s, 0.25);
  EXPECT_TRUE(c.extract.strict);
  EXPECT_EQ(c.extract.detector, Detector::elgendi_plain);
  EXPECT_EQ(c.extract.annotation_tolerance_s, 2.0);
  EXPECT_EQ(c.train.trees, 7);
  EXPECT_EQ(c.train.seed, 12345678901234ull);
  EXPECT_EQ(c.train.class_weight, ClassWeight::none);
  EXPECT_EQ(c.train.bootstrap, Bootstrap::none);
  EXPECT_EQ(c.train.cv_folds, 0);
  EXPECT_EQ(c.train.decision_threshold, 0.3);
  EXPECT_EQ(c.train.max_depth, 9);
  EXPECT_EQ(c.train.min_samples_leaf, 20);  // the default
  EXPECT_NO_THROW(validate(c));
}

TEST(Config, ApplyConfigFileReadsTheFileAndNamesAMissingOne) {
  const fs::path dir = fs::temp_directory_path() / ("ecgforest_cfg_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path file = dir / "run.toml";
  {
    std::ofstream(file) << "[train]\ntrees = 3\nmin_samples_leaf = 4\n";
  }
  Config c;
  apply_config_file(c, file);
  EXPECT_EQ(c.train.trees, 3);
  EXPECT_EQ(c.train.min_samples_leaf, 4);

  const fs::path missing = dir / "nope.toml";
  const std::string msg = config_error_of([&] { apply_config_file(c, missing); });
  EXPECT_NE(msg.find(missing.string()), std::string::npos) << msg;

  {
    std::ofstream(file) << "[train]\ntres = 3\n";
  }
  const std::string msg2 = config_error_of([&] { apply_config_file(c, file); });
  EXPECT_NE(msg2.find(file.string()), std::string::npos) << msg2;
  fs::remove_all(dir);
}

TEST(Config, UnknownKeyListsEveryValidKey) {
  Config c;
  const std::string msg = config_error_of([&] { apply_config_text(c, "[train]\ntres = 5\n", "my.toml"); });
  EXPECT_NE(msg.find("train.tres"), std::string::npos) << msg;
  EXPECT_NE(msg.find("my.toml"), std::string::npos) << msg;
  for (const auto& k : config_schema()) EXPECT_NE(msg.find(k.key), std::string::npos) << k.key << " not in: " << msg;

  const std::string top = config_error_of([&] { apply_config_text(c, "bogus = 1\n", "my.toml"); });
  EXPECT_NE(top.find("bogus"), std::string::npos) << top;
  // A valid key name in the wrong section is unknown too.
  const std::string sec = config_error_of([&] { apply_config_text(c, "[extract]\ntrees = 5\n", "my.toml"); });
  EXPECT_NE(sec.find("extract.trees"), std::string::npos) << sec;
  EXPECT_EQ(c.train.trees, 100);
}

TEST(Config, BadValuesNameKeyAndOrigin) {
  struct Case {
    const char* text;
    const char* key;
  };
  const Case cases[] = {
      {"[train]\ntrees = \"many\"\n", "train.trees"},
      {"[train]\ntrees = 1.5\n", "train.trees"},
      {"[train]\ntrees = 99999999999999\n", "train.trees"},  // does not fit an int
      {"[train]\nseed = -1\n", "train.seed"},
      {"[extract]\nwindow_s = \"ten\"\n", "extract.window_s"},
      {"[extract]\nwindow_s = nan\n", "extract.window_s"},
      {"[extract]\nwindow_s = inf\n", "extract.window_s"},
      {"[extract]\nstep_s = 1.0x\n", "extract.step_s"},
      {"[extract]\nstrict = maybe\n", "extract.strict"},
      {"[train]\nlabel_threshold = [0.1, 0.2]\n", "train.label_threshold"},
  };
  for (const auto& cs : cases) {
    Config c;
    const std::string msg = config_error_of([&] { apply_config_text(c, cs.text, "bad.toml"); });
    EXPECT_NE(msg.find(cs.key), std::string::npos) << cs.text << " → " << msg;
    EXPECT_NE(msg.find("bad.toml"), std::string::npos) << cs.text << " → " << msg;
  }
}

// Enumerated settings are checked when parsed (before any work), each naming every valid choice
// from its one name table; the stored configuration prints the same names back.
TEST(Config, EnumeratedValuesAreCheckedWhenParsed) {
  struct Case {
    const char* text;
    const char* want;
  };
  for (const Case& cs : {Case{"[train]\nclass_weight = \"Balanced\"\n", "'balanced' or 'none', got 'Balanced'"},
                         Case{"[train]\nbootstrap = \"yes\"\n", "'standard', 'balanced', 'subsample' or 'none', got 'yes'"},
                         Case{"[postprocess]\nsmoothing = \"gauss\"\n", "'none', 'mean' or 'median', got 'gauss'"},
                         Case{"[postprocess]\nselect = \"auto\"\n", "'cv' or 'fixed', got 'auto'"},
                         Case{"[score]\nscorer = \"both\"\n", "'nedc', 'szcore' or 'all', got 'both'"},
                         Case{"[score]\ntaes_overlap = \"loose\"\n", "'nedc' or 'exact', got 'loose'"},
                         Case{"[extract]\ndetector = \"nope\"\n",
                              "'default', 'elgendi', 'elgendi-plain' or 'elgendi-whole', got 'nope'"},
                         Case{"[extract]\nhrv_profile = \"aura\"\n", "'default', 'aura2021' or 'head', got 'aura'"}}) {
    Config c;
    const std::string msg = config_error_of([&] { apply_config_text(c, cs.text, "enum.toml"); });
    EXPECT_NE(msg.find(cs.want), std::string::npos) << msg;
  }
  Config c;
  apply_config_text(c, "[train]\nbootstrap = \"balanced\"\n[postprocess]\nsmoothing = \"median\"\n"
                       "[score]\ntaes_overlap = \"exact\"\nscorer = \"szcore\"\n", "ok.toml");
  EXPECT_EQ(c.train.bootstrap, Bootstrap::balanced);
  EXPECT_EQ(c.postprocess.smoothing, Smoothing::median);
  EXPECT_EQ(c.score.taes_overlap, TaesOverlap::exact);
  EXPECT_EQ(c.score.scorer, Scorer::szcore);
  const std::string toml = to_toml(c);
  EXPECT_NE(toml.find("bootstrap = \"balanced\""), std::string::npos);
  EXPECT_NE(toml.find("smoothing = \"median\""), std::string::npos);
  EXPECT_NE(toml.find("taes_overlap = \"exact\""), std::string::npos);
}

// toml++ types every value: a key takes only its own TOML type (a number where a number is
// meant, true/false for switches, strings in quotes), and the error names key, file, line, column.
TEST(Config, WrongTomlTypesAreErrorsNamingKeyLineAndColumn) {
  struct Case {
    const char* text;
    const char* want;
  };
  for (const Case& cs : {Case{"[train]\ntrees = \"7\"\n", "types.toml line 2, column 1: 'train.trees' must be an integer, not a string ('7')"},
                         Case{"[extract]\nstrict = 1\n", "line 2, column 1: 'extract.strict' must be true or false, not an integer ('1')"},
                         Case{"output = 5\n", "line 1, column 1: 'output' must be a string (in quotes), not an integer ('5')"},
                         Case{"[extract]\nwindow_s = true\n", "'extract.window_s' must be a number, not a boolean ('true')"},
                         Case{"input = [\"a.edf\", 2]\n", "'input' takes elements that are a string (in quotes), not an integer ('2')"},
                         Case{"input = \"a.edf\"\n", "'input' must be an array"},
                         Case{"[train]\ntrees = [1]\n", "'train.trees' must be a single value, not an array"},
                         Case{"[train]\ntrees = {}\n", "'train.trees' must be a single value, not a table"},
                         Case{"[extract]\nwindow_s = 1979-05-27\n", "'extract.window_s' must be a number, not a date"},
                         Case{"[train]\nseed = -1\n", "train.seed"}}) {
    Config c;
    const std::string msg = config_error_of([&] { apply_config_text(c, cs.text, "types.toml"); });
    EXPECT_NE(msg.find(cs.want), std::string::npos) << cs.text << " -> " << msg;
    EXPECT_NE(msg.find("types.toml"), std::string::npos) << msg;
  }
  // Integers where a number is meant are fine; so are empty known sections.
  Config c;
  apply_config_text(c, "[extract]\nwindow_s = 4\n[train]\n[score]\n", "ok.toml");
  EXPECT_EQ(c.extract.window_s, 4.0);
}

TEST(Config, UnknownKeysNameLineAndColumn) {
  Config c;
  const std::string msg = config_error_of([&] { apply_config_text(c, "# x\n[extract]\n  no_such_key = 1\n", "u.toml"); });
  EXPECT_NE(msg.find("u.toml has an unknown key 'extract.no_such_key' (line 3, column 3)"), std::string::npos) << msg;
  // An unknown (empty) table and a key under a setting are unknown keys too.
  const std::string table = config_error_of([&] { apply_config_text(c, "[extrct]\n", "u.toml"); });
  EXPECT_NE(table.find("unknown key 'extrct' (line 1"), std::string::npos) << table;
  const std::string deep = config_error_of([&] { apply_config_text(c, "[train.trees]\nx = 1\n", "u.toml"); });
  EXPECT_NE(deep.find("unknown key 'train.trees.x' (line 2"), std::string::npos) << deep;
  // The first problem in file order is the one reported (toml++ keeps keys sorted).
  const std::string first = config_error_of([&] { apply_config_text(c, "zzz = 1\naaa = 2\n", "u.toml"); });
  EXPECT_NE(first.find("'zzz'"), std::string::npos) << first;
}

// TOML integers are signed 64-bit: a seed above 2^63 - 1 (possible from the command line) is
// stored as a string, which reads back; smaller seeds stay bare integers (the stored text of
// every output file so far).
TEST(Config, HugeSeedRoundTripsAsAString) {
  Config c;
  c.train.seed = 9223372036854775808ull;  // 2^63
  const std::string text = to_toml(c);
  EXPECT_NE(text.find("seed = \"9223372036854775808\"\n"), std::string::npos) << text;
  Config back;
  apply_config_text(back, text, "to_toml output");
  EXPECT_EQ(back.train.seed, c.train.seed);
  c.train.seed = 9223372036854775807ull;
  EXPECT_NE(to_toml(c).find("seed = 9223372036854775807\n"), std::string::npos);
  EXPECT_NE(to_toml(Config{}).find("seed = 42\n"), std::string::npos);
  Config bad;
  const std::string msg = config_error_of([&] { apply_config_text(bad, "[train]\nseed = \"x1\"\n", "s.toml"); });
  EXPECT_NE(msg.find("train.seed"), std::string::npos) << msg;
}

TEST(Config, SyntaxErrorIsAConfigError) {
  Config c;
  const std::string msg = config_error_of([&] { apply_config_text(c, "[train\ntrees = 5\n", "broken.toml"); });
  EXPECT_NE(msg.find("broken.toml"), std::string::npos) << msg;
}

// Regression: CLI11 2.1.2's config reader did not unescape basic strings, so every round trip
// doubled the backslashes of patient_regex (\d became \\d); src/core/toml.cpp replaced it.
TEST(Config, ToTomlReappliedGivesTheSameConfig) {
  Config c;
  c.input = {"/data/a b.edf", "dir,with,commas", "q\"uote.edf"};
  c.output = "out/run 1";
  c.features = "f.h5";
  c.model = "m.h5";
  c.extract.ecg_channel = "EEG EKG1-REF";
  c.extract.patient_regex = R"(^(\d{8})_s\d+|(PAT_[0-9]+))";  // backslashes must survive
  c.extract.annotation_map = "map.csv";
  c.extract.detector = Detector::elgendi_whole;
  c.extract.window_s = 0.1;  // not exactly representable: needs full precision
  c.extract.step_s = 1e-7;
  c.extract.annotation_tolerance_s = 0;
  c.extract.strict = true;
  c.train.trees = 1;
  c.train.max_features = 3;
  c.train.max_depth = 12;
  c.train.min_samples_leaf = 5;
  c.train.class_weight = ClassWeight::none;
  c.train.bootstrap = Bootstrap::none;
  c.train.cv_folds = 0;
  c.train.seed = 18446744073709551615ull;  // 2^64 - 1
  c.train.label_threshold = 1.0 / 3.0;
  c.train.decision_threshold = 1;
  const std::string text = to_toml(c);
  Config back;
  apply_config_text(back, text, "to_toml output");
  expect_same(back, c);
  // And printing again gives the identical text.
  EXPECT_EQ(to_toml(back), text);

  // Defaults round-trip too (empty list, empty strings, default regex).
  Config d;
  d.train.trees = 5;
  apply_config_text(d, to_toml(Config{}), "defaults");
  expect_same(d, Config{});
}

// Regression: TOML string rules (escapes in basic strings, none in literal strings, '#' inside
// quotes is not a comment) — CLI11 2.1.2's reader broke both.
TEST(Config, TomlStringRules) {
  struct Case {
    const char* text;
    const char* want_output;
  };
  const Case cases[] = {
      {"output = 'a\\d'\n", "a\\d"},               // literal string: no escapes
      {"output = \"plain\" # comment\n", "plain"},  // trailing comment
      {"output = \"a\\\\d\"\n", "a\\d"},         // basic string: \\ is one backslash
      {"output = \"say \\\"hi\\\"\"\n", "say \"hi\""},
      {"output = \"x # y\"\n", "x # y"},            // '#' inside quotes is not a comment
      {"output = \"^(\\\\d+)#\\\\w\" # c\n", "^(\\d+)#\\w"},  // both at once, then a comment
      {"output = '''a\nb'''\n", "a\nb"},          // multi-line literal string (TOML 1.0)
  };
  for (const auto& cs : cases) {
    Config c;
    apply_config_text(c, cs.text, "strings.toml");
    EXPECT_EQ(c.output, cs.want_output) << "TOML text: " << cs.text;
  }
}

TEST(Config, ValidateRanges) {
  auto bad = [](auto mutate, const char* what) {
    Config c;
    mutate(c);
    const std::string msg = config_error_of([&] { validate(c); });
    EXPECT_NE(msg.find(what), std::string::npos) << msg;
  };
  bad([](Config& c) { c.extract.window_s = 0; }, "window_s");
  bad([](Config& c) { c.extract.window_s = -1; }, "window_s");
  bad([](Config& c) { c.extract.step_s = 0; }, "step_s");
  bad([](Config& c) { c.extract.annotation_tolerance_s = -0.5; }, "annotation_tolerance_s");
  bad([](Config& c) { c.train.trees = 0; }, "trees");
  bad([](Config& c) { c.train.max_features = -1; }, "max_features");
  bad([](Config& c) { c.train.max_depth = -1; }, "max_depth");
  bad([](Config& c) { c.train.min_samples_leaf = 0; }, "min_samples_leaf");
  bad([](Config& c) { c.train.sample_fraction = -0.1; }, "sample_fraction");
  bad([](Config& c) { c.train.sample_fraction = 1.5; }, "sample_fraction");
  bad([](Config& c) { c.train.leaf_prior = -1; }, "leaf_prior");
  bad([](Config& c) { c.train.leaf_prior = std::nan(""); }, "leaf_prior");
  bad([](Config& c) { c.train.cv_folds = 1; }, "cv_folds");
  bad([](Config& c) { c.train.cv_folds = -2; }, "cv_folds");
  bad([](Config& c) { c.train.label_threshold = 0; }, "label_threshold");
  bad([](Config& c) { c.train.label_threshold = 1.01; }, "label_threshold");
  bad([](Config& c) { c.train.decision_threshold = -0.01; }, "decision_threshold");
  bad([](Config& c) { c.train.decision_threshold = 1.5; }, "decision_threshold");
  bad([](Config& c) { c.train.boost_rounds = 0; }, "boost_rounds");
  bad([](Config& c) { c.train.boost_depth = 0; }, "boost_depth");
  bad([](Config& c) { c.train.boost_depth = 17; }, "boost_depth");
  bad([](Config& c) { c.train.boost_learning_rate = 0; }, "boost_learning_rate");
  bad([](Config& c) { c.train.boost_subsample = 1.5; }, "boost_subsample");
  bad([](Config& c) { c.train.boost_colsample = std::nan(""); }, "boost_colsample");
  bad([](Config& c) { c.train.learner = Learner::boosted; c.train.tune = true; }, "train.tune");

  // Boundary values that are allowed.
  Config ok;
  ok.train.cv_folds = 0;
  ok.train.label_threshold = 1;
  ok.train.decision_threshold = 0;
  ok.train.max_depth = 0;
  ok.train.max_features = 0;
  ok.train.sample_fraction = 1;
  ok.train.leaf_prior = 0;
  ok.extract.annotation_tolerance_s = 0;
  ok.train.learner = Learner::boosted;
  ok.train.boost_depth = 16;
  ok.train.boost_learning_rate = 1;
  ok.train.boost_subsample = 1;
  ok.train.boost_colsample = 1;
  EXPECT_NO_THROW(validate(ok));
  ok.train.cv_folds = 2;
  ok.train.decision_threshold = 1;
  EXPECT_NO_THROW(validate(ok));
}

// Regression (found by tests/fuzz/fuzz_config): a value holding control characters (from "\n"
// escapes in the file) was printed raw by to_toml, which then did not read back.
TEST(Config, ControlCharactersInValuesRoundTrip) {
  Config c;
  c.output = std::string("a\nb\tc\rd") + '\0' + "e\x7f" + "\x01";
  c.extract.ecg_channel = "EKG \"quoted\" \\ back";
  const std::string text = to_toml(c);
  EXPECT_NE(text.find(R"(output = "a\nb\tc\rd\u0000e\u007f\u0001")"), std::string::npos) << text;
  Config back;
  apply_config_text(back, text, "to_toml output");
  EXPECT_EQ(back.output, c.output);
  EXPECT_EQ(back.extract.ecg_channel, c.extract.ecg_channel);
  EXPECT_EQ(to_toml(back), text);
}

}  // namespace
}  // namespace ecgforest

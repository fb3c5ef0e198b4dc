#include "ecgforest/cli/app.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <limits>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ecgforest/cli/beats_command.hpp"
#include "ecgforest/cli/hrv_command.hpp"
#include "ecgforest/cli/score_command.hpp"
#include "ecgforest/cli/tool_command.hpp"
#include "ecgforest/core/config.hpp"
#include "ecgforest/core/error.hpp"
#include "ecgforest/core/file_check.hpp"
#include "ecgforest/comm/mpi.hpp"
#include "ecgforest/pipeline/extract.hpp"
#include "ecgforest/pipeline/inspect.hpp"
#include "ecgforest/pipeline/predict.hpp"
#include "ecgforest/pipeline/predict_edf.hpp"
#include "ecgforest/pipeline/preflight.hpp"
#include "ecgforest/pipeline/train.hpp"
#include "ecgforest/version.hpp"

namespace ecgforest::cli {
namespace {

struct SubcommandState {
  CLI::App* app = nullptr;
  Command cmd = Command::extract;
  std::string config_file;
  std::map<const ConfigKey*, std::vector<std::string>> values;
  std::map<const ConfigKey*, bool> flags;
  std::map<const ConfigKey*, CLI::Option*> options;
  std::string inspect_file;
};

std::string require(const std::string& value, const char* flag, const char* what) {
  if (value.empty()) throw ConfigError(std::string("Missing ") + flag + ": give the " + what + " on the command line or in the config file.");
  return value;
}

Config build_config(SubcommandState& s) {
  Config c;
  if (!s.config_file.empty()) apply_config_file(c, s.config_file);
  for (auto& [key, opt] : s.options) {
    if (opt->count() == 0) continue;
    if (key->is_flag) {
      key->set(c, {s.flags[key] ? "true" : "false"});
    } else {
      key->set(c, s.values[key]);
    }
    c.explicit_keys.insert(key->key);
    c.key_origins.erase(key->key);  // the flag's value, not the file's
  }
  validate(c);
  return c;
}

// Subcommands implemented in their own files (src/cli/<name>_command.cpp). Add new ones here.
std::vector<ToolCommand> tool_commands() {
  std::vector<ToolCommand> out;
  out.push_back(beats_command());
  out.push_back(score_command());
  out.push_back(hrv_command());
  return out;
}

// Tailoring keys set (flag or config file) where they do nothing: a note each, not an error (one
// site configuration may serve several commands).
std::vector<std::string> idle_tailoring_keys(const Config& c) {
  std::vector<std::string> out;
  const bool retrain = !c.tailor_retrain.empty();
  const bool thresholds = !retrain && (c.postprocess.tailor_hours > 0 || !c.tailor_baseline.empty());
  if (c.explicit_keys.count("postprocess.tailor_copies") && !retrain)
    out.push_back("postprocess.tailor_copies (--tailor-copies) has no effect without --tailor-retrain.");
  if (c.explicit_keys.count("postprocess.tailor_margin") && !thresholds)
    out.push_back("postprocess.tailor_margin (--tailor-margin) has no effect without threshold tailoring "
                  "(--tailor-hours or --tailor-baseline, without --tailor-retrain).");
  return out;
}

// An unknown option (CLI11's ExtrasError) as one sentence naming the valid options of the
// subcommand it was given to (or of ecgforest itself, before a subcommand).
std::string unknown_option_text(const CLI::App& app, const CLI::ExtrasError& e) {
  const CLI::App* where = &app;
  for (const CLI::App* sub : app.get_subcommands()) where = sub;  // the parsed one
  std::string names;
  for (const CLI::Option* opt : where->get_options()) {
    const std::string n = opt->get_name();
    if (n.rfind("--", 0) != 0) continue;
    names += (names.empty() ? "" : ", ") + n;
  }
  // The arguments as given (CLI11's message lists them in reverse order).
  std::string what;
  for (const std::string& a : where->remaining()) what += (what.empty() ? "" : " ") + a;
  if (what.empty()) {
    what = e.what();  // "The following argument(s) was/were not expected: ..."
    if (const auto at = what.find("expected: "); at != std::string::npos) what = what.substr(at + 10);
  }
  const std::string cmd = where == &app ? std::string("ecgforest") : "ecgforest " + where->get_name();
  return "unknown option or argument for " + cmd + ": " + what + ". Its options are: " + names + " (" + cmd +
         " --help explains them).";
}

// --config and one flag per configuration key the subcommand takes.
void add_config_options(SubcommandState& st) {
  st.app->add_option("--config", st.config_file, "TOML configuration file (flags override it)");
  for (const auto& key : config_schema()) {
    if ((key.commands & static_cast<unsigned>(st.cmd)) == 0) continue;
    CLI::Option* opt = nullptr;
    if (key.is_flag) {
      bool& b = st.flags[&key];
      opt = st.app->add_flag(key.flag, b, key.help + " [config: " + key.key + "]");
    } else {
      auto& v = st.values[&key];
      opt = st.app->add_option(key.flag, v, key.help + " [config: " + key.key + "]");
      opt->expected(key.is_list ? -1 : 1);
      if (!key.is_list) opt->type_size(1);
    }
    st.options[&key] = opt;
  }
}

// The subcommands of ecgforest itself, each with --config and the flags of the configuration
// keys it takes (inspect: one file).
std::vector<std::unique_ptr<SubcommandState>> add_subcommands(CLI::App& app) {
  struct Def {
    const char* name;
    Command cmd;
    const char* help;
  };
  const Def defs[] = {
      {"extract", Command::extract, "EDF recordings -> one features HDF5 file (collective parallel write)"},
      {"train", Command::train, "features file -> model.h5 + <model>.metrics.json (patient-grouped CV, trees split across ranks)"},
      {"run", Command::run, "extract then train in the same MPI job: writes DIR/features.h5, DIR/model.h5, DIR/metrics.json"},
      {"predict", Command::predict,
       "apply a model: to a features file (--model M --features F --output probs.h5), or to EDF recordings "
       "(--model M --input ... --output DIR: NAME.tse_bi + NAME.csv_bi per recording, DIR/predictions.h5, "
       "and DIR/score.json when reference annotations exist)"},
      {"inspect", Command::inspect, "print a human summary of an EDF, beat, features or model file"},
  };
  std::vector<std::unique_ptr<SubcommandState>> states;
  for (const auto& d : defs) {
    auto st = std::make_unique<SubcommandState>();
    st->cmd = d.cmd;
    st->app = app.add_subcommand(d.name, d.help);
    if (d.cmd == Command::inspect) {
      st->app->add_option("file", st->inspect_file, "EDF, features (.h5) or model (.h5) file")->required();
    } else {
      add_config_options(*st);
    }
    states.push_back(std::move(st));
  }
  return states;
}

// The options a command cannot do without, and the combinations it refuses (ConfigError).
void require_command_options(const Config& config, Command cmd, int me) {
  switch (cmd) {
    case Command::extract:
      require(config.output, "--output", "features file to write");
      if (config.input.empty()) require("", "--input", "EDF files or directories");
      break;
    case Command::train:
      require(config.features, "--features", "features file to read");
      require(config.model, "--model", "model file to write");
      break;
    case Command::run:
      require(config.output, "--output", "output directory");
      if (config.input.empty()) require("", "--input", "EDF files or directories");
      break;
    case Command::predict:
      require(config.model, "--model", "model file");
      if (me == 0) {
        for (const auto& note : idle_tailoring_keys(config)) std::fprintf(stderr, "ecgforest: note: %s\n", note.c_str());
      }
      if (!config.input.empty()) {
        if (!config.features.empty()) throw ConfigError("predict takes either --input (EDF recordings) or --features, not both.");
        require(config.output, "--output", "output directory for the annotation files");
        break;
      }
      require(config.features, "--features", "features file");
      require(config.output, "--output", "probabilities file to write");
      if (!config.tailor_baseline.empty() || config.postprocess.tailor_hours > 0)
        throw ConfigError("--tailor-baseline and --tailor-hours work with predict --input (recordings to detect "
                          "seizures in), not with --features (probabilities only).");
      break;
    default:
      break;
  }
}

// COLLECTIVE. The command's configuration, checked before any work: the file and flags, the
// required options, then detector and feature names, inputs and outputs (preflight). Problems are
// the same on every rank; the ranks agree anyway so none waits alone. Empty after a problem
// (printed; the caller exits 2).
std::optional<Config> checked_config(MPI_Comm comm, SubcommandState& s) {
  const int me = comm::rank(comm);
  Config config;
  std::string err;
  try {
    config = build_config(s);
    require_command_options(config, s.cmd, me);
    if (me == 0) pipeline::preflight(config, s.cmd);
  } catch (const std::exception& e) {
    err = e.what();
  }
  if (auto e = comm::agree_on_error(comm, err); !e.empty()) {
    if (me == 0) std::fprintf(stderr, "ecgforest: error: %s\n", e.c_str());
    return std::nullopt;
  }
  return config;
}

int run_inspect(const std::string& file, int me) {
  if (auto why = regular_file_problem(file, std::numeric_limits<std::uintmax_t>::max()); !why.empty()) {
    if (me == 0) std::fprintf(stderr, "ecgforest: error: Cannot inspect %s: it %s.\n", file.c_str(), why.c_str());
    return 2;
  }
  if (me == 0) pipeline::inspect_file(file, std::cout);
  return 0;
}

// COLLECTIVE. Extraction into `features`; stops the command when no recording was usable, or
// when one failed under --strict.
pipeline::ExtractSummary extract_into(MPI_Comm comm, const Config& config, const std::filesystem::path& features,
                                      std::ostream* log) {
  const auto sum = pipeline::run_extract(comm, config, features, log);
  if (sum.n_ok == 0)
    throw CollectiveError("No recording was usable; see the skipped list above and /records in " + features.string() + ".");
  if (config.extract.strict && sum.n_failed > 0)
    throw CollectiveError(std::to_string(sum.n_failed) + " recording(s) failed and --strict is set.");
  return sum;
}

// Rank 0's closing lines of `run`.
void print_run_summary(const std::filesystem::path& dir, const pipeline::ExtractSummary& sum, const pipeline::TrainSummary& tr) {
  std::printf("run: outputs in %s: features.h5 (%llu windows from %zu recordings), model.h5, metrics.json\n",
              dir.c_str(), static_cast<unsigned long long>(sum.n_windows), sum.n_ok);
  if (tr.folds_used >= 2) {
    std::printf("run: headline (window level, %d-fold patient-grouped CV, pooled): sensitivity %.3f, specificity %.3f, "
                "ROC AUC %.3f, PR AUC %.3f\n",
                tr.folds_used, tr.pooled.sensitivity, tr.pooled.specificity, tr.pooled.roc_auc, tr.pooled.pr_auc);
  } else {
    std::printf("run: no cross-validation was run (see metrics.json notes)\n");
  }
  std::fflush(stdout);
}

// COLLECTIVE. The work of extract, train, run and predict with a checked configuration.
int execute(MPI_Comm comm, Command cmd, const Config& config) {
  std::ostream* log = comm::rank(comm) == 0 ? &std::cout : nullptr;
  switch (cmd) {
    case Command::extract: {
      const auto lock = pipeline::lock_output(comm, config.output, log);
      extract_into(comm, config, config.output, log);
      return 0;
    }
    case Command::train:
      pipeline::run_train(comm, config, config.features, config.model, pipeline::metrics_path_for(config.model), log);
      return 0;
    case Command::run: {
      const std::filesystem::path dir = config.output;
      const auto lock = pipeline::lock_output(comm, dir / "features.h5", log);  // held until the model is written too
      const auto sum = extract_into(comm, config, dir / "features.h5", log);
      const auto tr = pipeline::run_train(comm, config, dir / "features.h5", dir / "model.h5", dir / "metrics.json", log);
      if (log) print_run_summary(dir, sum, tr);
      return 0;
    }
    case Command::predict:
      if (!config.input.empty()) {
        pipeline::run_predict_edf(comm, config, config.model, config.output, log);
      } else {
        pipeline::run_predict_features(comm, config, config.model, config.features, config.output, log);
      }
      return 0;
    default:
      return 2;
  }
}

}  // namespace

int run_cli(int argc, char** argv, MPI_Comm comm) {
  const int me = comm::rank(comm);
  CLI::App app{std::string("ecgforest ") + kVersion +
               ": ECG recordings (EDF) to HRV features to a distributed random-forest seizure detector.\n"
               "Run under mpirun/srun for several ranks; extract, train, run, predict and score accept --config FILE.toml "
               "(command-line flags override it)."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(kVersion));
  const auto states = add_subcommands(app);
  auto tools = tool_commands();
  std::vector<CLI::App*> tool_apps;
  for (auto& t : tools) {
    tool_apps.push_back(app.add_subcommand(t.name, t.help));
    t.add_options(*tool_apps.back());
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ExtrasError& e) {
    if (me == 0) std::fprintf(stderr, "ecgforest: error: %s\n", unknown_option_text(app, e).c_str());
    return 2;
  } catch (const CLI::ParseError& e) {
    // --help and --version are successes; every other parse error is a bad command line: 2.
    const int rc = me == 0 ? app.exit(e) : e.get_exit_code();
    return rc == 0 ? 0 : 2;
  }

  for (std::size_t i = 0; i < tools.size(); ++i) {
    if (!tool_apps[i]->parsed()) continue;
    try {
      return tools[i].run(comm);
    } catch (const ConfigError& e) {
      if (me == 0) std::fprintf(stderr, "ecgforest: error: %s\n", e.what());
      return 2;
    }
  }
  SubcommandState* s = nullptr;
  for (const auto& st : states) {
    if (st->app->parsed()) s = st.get();
  }
  if (s == nullptr) return 2;  // not reached: require_subcommand(1)
  if (s->cmd == Command::inspect) return run_inspect(s->inspect_file, me);
  const auto config = checked_config(comm, *s);
  return config ? execute(comm, s->cmd, *config) : 2;
}

}  // namespace ecgforest::cli

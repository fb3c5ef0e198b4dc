// `ecgforest score` options and its configuration (the work: pipeline::run_score,
// src/pipeline/score.cpp).
#include <CLI/CLI.hpp>

#include <map>
#include <memory>
#include <string>

#include "ecgforest/cli/score_command.hpp"
#include "ecgforest/core/config.hpp"
#include "ecgforest/pipeline/tools.hpp"

namespace ecgforest::cli {
namespace {

struct ScoreOptions {
  pipeline::ScoreRequest request;
  std::string config_file;
  std::map<const ConfigKey*, std::string> values;  ///< [score] keys given on the command line
};

// defaults < --config FILE < command-line flags, then validated (a bad value is exit 2).
ScoreSettings score_settings(const ScoreOptions& o) {
  Config c;
  if (!o.config_file.empty()) apply_config_file(c, o.config_file);
  for (const auto& [key, v] : o.values) {
    if (!v.empty()) key->set(c, {v});
  }
  validate(c);
  return c.score;
}

}  // namespace

ToolCommand score_command() {
  auto o = std::make_shared<ScoreOptions>();
  ToolCommand t;
  t.name = "score";
  t.help = "score --hyp annotation files against --ref ones, paired by recording name: NEDC (OVLP, TAES, 0.25 s EPOCH, "
           "kappa, latency) and SzCORE (event and sample scoring, per-subject mean and pooled); --scorer picks them";
  t.add_options = [o](CLI::App& sub) {
    sub.add_option("--ref", o->request.ref,
                   "directory of reference annotations (.csv_bi, .tse_bi, *_events.tsv, .csv, .tse; searched recursively)")
        ->required();
    sub.add_option("--hyp", o->request.hyp, "directory of hypothesis annotations (e.g. the output directory of predict --input)")
        ->required();
    sub.add_option("--json", o->request.json, "also write the scores as JSON to this file");
    sub.add_option("--config", o->config_file, "TOML configuration file ([score] table; flags override it)");
    for (const auto& key : config_schema()) {
      if ((key.commands & static_cast<unsigned>(Command::score)) == 0) continue;
      sub.add_option(key.flag, o->values[&key], key.help + " [config: " + key.key + "]");
    }
  };
  t.run = [o](MPI_Comm comm) {
    return run_on_rank0(comm, [o] {
      o->request.settings = score_settings(*o);
      pipeline::run_score(o->request);
    });
  };
  return t;
}

}  // namespace ecgforest::cli

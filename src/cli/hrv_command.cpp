// `ecgforest hrv` options (the work: pipeline::run_hrv, src/pipeline/hrv_tool.cpp).
#include <CLI/CLI.hpp>

#include <memory>

#include "ecgforest/cli/hrv_command.hpp"
#include "ecgforest/pipeline/tools.hpp"

namespace ecgforest::cli {

ToolCommand hrv_command() {
  auto opts = std::make_shared<pipeline::HrvRequest>();
  ToolCommand t;
  t.name = "hrv";
  t.help = "HRV features of one RR-interval CSV (whole series or windowed table), per profile";
  t.add_options = [opts](CLI::App& sub) {
    sub.add_option("--rr", opts->rr, "RR CSV (or .csv.gz): one rr_interval column (ms) or timestamp,frame,rr_interval")
        ->required();
    sub.add_option("--profile", opts->profile,
                   "aura2021 (old AURA pipeline, default), head (current hrv-analysis/nolds) or default "
                   "(corrected features)");
    sub.add_flag("--windowed", opts->windowed,
                 "windowed table (aura: one row per second of the cumulative RR clock, AURA columns)");
    sub.add_option("--output", opts->output, "output FILE.csv or FILE.json")->required();
  };
  t.run = [opts](MPI_Comm comm) { return run_on_rank0(comm, [opts] { pipeline::run_hrv(*opts); }); };
  return t;
}

}  // namespace ecgforest::cli

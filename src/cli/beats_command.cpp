// `ecgforest beats` options (the work: pipeline::run_beats, src/pipeline/beats_tool.cpp).
#include <CLI/CLI.hpp>

#include <memory>

#include "ecgforest/cli/beats_command.hpp"
#include "ecgforest/pipeline/tools.hpp"

namespace ecgforest::cli {

ToolCommand beats_command() {
  auto o = std::make_shared<pipeline::BeatsRequest>();
  ToolCommand t;
  t.name = "beats";
  t.help = "R-peaks of one EDF recording -> CSV 'sample,time_s' (optionally the old RR table with --rr-csv DIR)";
  t.add_options = [o](CLI::App& sub) {
    sub.add_option("--input", o->input, "EDF recording")->required();
    sub.add_option("--channel", o->channel, "EDF label of the ECG channel (default: the first ECG/EKG label)");
    sub.add_option("--detector", o->detector, "R-peak detector (default = the most accurate one)");
    sub.add_option("--output", o->output, "CSV file to write: one row per R-peak, header sample,time_s")->required();
    sub.add_option("--rr-csv", o->rr_csv_dir,
                   "also write DIR/<edf stem>_rr.csv in the old workflow format timestamp,frame,rr_interval (ms)");
    sub.add_option("--min-sqi", o->min_sqi,
                   "mark beats (and RR rows) in stretches whose signal quality is below this with a column "
                   "low_quality = 1 (10 s windows every 1 s, as extract; 0 = no column)")
        ->capture_default_str();
  };
  t.run = [o](MPI_Comm comm) { return run_on_rank0(comm, [o] { pipeline::run_beats(*o); }); };
  return t;
}

}  // namespace ecgforest::cli

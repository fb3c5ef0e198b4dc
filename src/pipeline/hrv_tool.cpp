// `ecgforest hrv`: HRV features of one RR-interval file, whole series or the windowed table.
// The cli parses the options and runs this on rank 0.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/text.hpp"
#include "ecgforest/hrv/aura2021.hpp"
#include "ecgforest/hrv/features.hpp"
#include "ecgforest/io/beat_file.hpp"
#include "ecgforest/io/text_file.hpp"
#include "ecgforest/pipeline/tools.hpp"

namespace ecgforest::pipeline {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string json_number(double v) {
  const std::string s = python_float_text(v);
  return std::isfinite(v) ? s : "\"" + s + "\"";
}

// CSV cell: pandas writes NaN as an empty field.
std::string csv_cell(double v) { return std::isnan(v) ? std::string() : python_float_text(v); }

// Default profile on an RR file: peaks at the cumulative RR clock (first peak at 0 s).
std::vector<double> peaks_from_rr(const std::vector<double>& rr) {
  std::vector<double> p = {0.0};
  for (double r : rr) p.push_back(p.back() + r / 1000.0);
  return p;
}

}  // namespace

namespace {

// The feature table `hrv` prints: column names and rows (windowed: one per window; whole: one),
// and what the old library would have printed (aura profiles).
struct HrvTable {
  std::vector<std::string> names;
  std::vector<std::vector<double>> rows;
  std::string printed;
};

HrvTable default_profile_table(const std::vector<double>& rr, const HrvRequest& o) {
  for (double r : rr) {
    if (!(r > 0.0)) throw Error("The RR file " + o.rr + " holds a non-positive or missing RR interval; the default profile needs RR > 0 ms.");
  }
  const auto peaks = peaks_from_rr(rr);
  hrv::WindowSpec spec;
  double total = peaks.back();
  if (!o.windowed) {  // the whole series as one window of every family
    // Windows are half-open, [end - window_s, end): end 1 us after the last beat so that it, and
    // the last RR interval, are in.
    total += 1e-6;
    spec.window_s = spec.nonlinear_window_s = spec.frequency_window_s = spec.step_s = total;
  }
  const auto wf = hrv::compute_window_features_s(peaks, std::max(total, spec.window_s), {}, spec);
  HrvTable t;
  t.names = wf.columns;
  if (o.windowed) t.names.insert(t.names.begin(), "window_end_s");
  for (Eigen::Index r = 0; r < wf.values.rows(); ++r) {
    std::vector<double> row;
    if (o.windowed) row.push_back(wf.window_end_s[static_cast<std::size_t>(r)]);
    for (Eigen::Index c = 0; c < wf.values.cols(); ++c) row.push_back(static_cast<double>(wf.values(r, c)));
    t.rows.push_back(row);
  }
  return t;
}

HrvTable aura_profile_table(const std::vector<double>& rr, const HrvRequest& o) {
  const auto profile = hrv::parse_aura_profile(o.profile);
  HrvTable t;
  if (!o.windowed) {
    const auto w = hrv::aura_whole_series(rr, profile);
    t.names = hrv::aura_feature_names();
    t.rows.emplace_back(w.features.begin(), w.features.end());
    t.printed = w.printed;
    if (!w.cleaning.error.empty()) t.printed += "cleaning raised " + w.cleaning.error + "; all features are NaN\n";
    return t;
  }
  const auto a = hrv::aura_windowed_table(rr, profile);
  if (!a.error.empty()) {
    throw Error("The " + o.profile + " profile raises " + a.error + " at row " + std::to_string(a.error_row) + " (" +
                a.error_window + " window holds only outliers), as the old library does; no table "
                "is produced. Use --profile aura2021 for the pipeline's behaviour.");
  }
  t.names = hrv::aura_table_columns();
  for (Eigen::Index r = 0; r < a.values.rows(); ++r) {
    std::vector<double> row(static_cast<std::size_t>(a.values.cols()));
    for (Eigen::Index c = 0; c < a.values.cols(); ++c) row[static_cast<std::size_t>(c)] = a.values(r, c);
    t.rows.push_back(std::move(row));
  }
  t.printed = a.printed;
  return t;
}

// JSON: an array of objects (windowed) or one object; numbers as json_number.
std::string json_text(const HrvTable& t, bool windowed) {
  auto object = [&](const std::vector<double>& row) {
    std::string s = "{";
    for (std::size_t c = 0; c < t.names.size(); ++c) s += (c ? ", " : "") + std::string("\"") + t.names[c] + "\": " + json_number(row[c]);
    return s + "}";
  };
  if (!windowed) return object(t.rows.at(0)) + "\n";
  std::string text = "[\n";
  for (std::size_t r = 0; r < t.rows.size(); ++r) text += " " + object(t.rows[r]) + (r + 1 < t.rows.size() ? ",\n" : "\n");
  return text + "]\n";
}

std::string csv_text(const HrvTable& t) {
  std::string text;
  for (std::size_t c = 0; c < t.names.size(); ++c) text += (c ? "," : "") + t.names[c];
  text += "\n";
  for (const auto& row : t.rows) {
    for (std::size_t c = 0; c < row.size(); ++c) text += (c ? "," : "") + csv_cell(row[c]);
    text += "\n";
  }
  return text;
}

}  // namespace

void run_hrv(const HrvRequest& o) {
  const bool json = ends_with(o.output, ".json");
  if (!json && !ends_with(o.output, ".csv")) {
    throw ConfigError("--output must end in .csv or .json, not '" + o.output + "'.");
  }
  if (o.profile != "default" && o.profile != "aura2021" && o.profile != "head") {
    throw ConfigError("--profile '" + o.profile + "' is not an HRV profile; use default (the recording clock, corrected "
                      "RR), aura2021 (what the AURA pipeline ran) or head (current hrv-analysis and nolds).");
  }
  const std::vector<double> rr = io::read_rr_intervals(o.rr);
  const HrvTable t = o.profile == "default" ? default_profile_table(rr, o) : aura_profile_table(rr, o);
  io::write_text_file_atomic(o.output, json ? json_text(t, o.windowed) : csv_text(t));
  if (!t.printed.empty()) std::fputs(t.printed.c_str(), stderr);
}

}  // namespace ecgforest::pipeline

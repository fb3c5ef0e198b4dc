#include "ecgforest/io/features_merge.hpp"

#include <algorithm>
#include <cmath>

#include "ecgforest/comm/mpi.hpp"
#include "ecgforest/core/error.hpp"

namespace ecgforest::io {
namespace {

// The part's settings must be those of the first part (`first`), whose meta is `meta`.
void check_same(const FeaturesMeta& meta, const std::filesystem::path& first, const FeaturesData& d,
                const std::filesystem::path& file) {
  const std::string both = " The files " + first.string() + " and " + file.string();
  if (d.columns != meta.columns) {
    throw Error(both + " have different feature columns (" + std::to_string(meta.columns.size()) + " and " +
                std::to_string(d.columns.size()) + "); extract both with the same version and settings.");
  }
  const auto& a = meta.extract;
  const auto& b = *d.extract;
  if (a.window_s != b.window_s || a.step_s != b.step_s || a.detector != b.detector || a.hrv_profile != b.hrv_profile) {
    throw Error(both + " were extracted with different window length, hop, R-peak detector or HRV profile; extract "
                "both with the same settings.");
  }
}

// Rows [first, first + n) of a part's window arrays as one record's result.
RecordResult record_windows(const FeaturesData& d, const RecordRow& row) {
  RecordResult rr;
  rr.row = row;
  const auto first = static_cast<Eigen::Index>(row.first_window);
  const auto n = static_cast<Eigen::Index>(row.n_windows);
  rr.features = d.x.middleRows(first, n);
  rr.label.assign(d.label.begin() + first, d.label.begin() + first + n);
  rr.time_s.assign(d.time_s.begin() + first, d.time_s.begin() + first + n);
  return rr;
}

// Unknown labels of a seizure-free record are 0; it counts as annotated (no seizure).
void declare_seizure_free(RecordResult& rr) {
  for (auto& l : rr.label) {
    if (std::isnan(l)) l = 0.0f;
  }
  rr.reference.annotated = true;
}

// Keeps the windows of rr ending within its first take_s seconds and not within guard_s of one of
// its reference seizures; the record then has no seizure and lasts take_s.
void keep_leading_part(RecordResult& rr, double take_s, double guard_s) {
  std::vector<Eigen::Index> keep;
  for (std::size_t w = 0; w < rr.time_s.size(); ++w) {
    const double t = rr.time_s[w];
    bool near = false;
    for (const auto& e : rr.reference.seizures) near = near || (t > e.start_s - guard_s && t < e.stop_s + guard_s);
    if (t <= take_s && !near) keep.push_back(static_cast<Eigen::Index>(w));
  }
  FeatureRows x(static_cast<Eigen::Index>(keep.size()), rr.features.cols());
  std::vector<float> label;
  std::vector<double> time;
  for (std::size_t k = 0; k < keep.size(); ++k) {
    x.row(static_cast<Eigen::Index>(k)) = rr.features.row(keep[k]);
    label.push_back(rr.label[static_cast<std::size_t>(keep[k])]);
    time.push_back(rr.time_s[static_cast<std::size_t>(keep[k])]);
  }
  rr.features = std::move(x);
  rr.label = std::move(label);
  rr.time_s = std::move(time);
  rr.row.duration_s = take_s;
  rr.reference.seizures.clear();
  declare_seizure_free(rr);
}

}  // namespace

WriteReport merge_features_files(MPI_Comm comm, const std::filesystem::path& out, const std::vector<FeaturesPart>& parts) {
  if (parts.empty()) throw Error("Nothing to merge into " + out.string() + ": no features file given.");
  const bool root = comm::rank(comm) == 0;
  FeaturesMeta meta;
  std::vector<RecordResult> local;
  std::size_t n_records = 0;
  for (std::size_t k = 0; k < parts.size(); ++k) {
    const auto& part = parts[k];
    const FeaturesData d = read_features_file(comm, part.file);
    const auto refs = read_features_summary(part.file).references;
    if (!d.extract || refs.size() != d.records.size()) {
      throw Error("The features file " + part.file.string() + " was written by an older ecgforest (no typed extraction "
                  "settings or no /reference); extract it again with this version.");
    }
    if (k == 0) meta = {d.columns, d.config_toml, *d.extract};
    check_same(meta, parts.front().file, d, part.file);
    for (int c = 1; c <= part.copies; ++c) {
      double left_s = part.first_s;  // seconds of the leading part still to take
      for (std::size_t r = 0; r < d.records.size(); ++r, ++n_records) {
        if (!root) continue;
        RecordResult rr = record_windows(d, d.records[r]);
        rr.index = n_records;
        rr.reference = refs[r];
        if (!part.patient.empty()) rr.row.patient = part.patient;
        if (part.seizure_free) declare_seizure_free(rr);
        if (part.first_s > 0) {
          const double take = std::min(left_s, rr.row.status == "ok" ? rr.row.duration_s : 0.0);
          left_s -= take;
          keep_leading_part(rr, take, part.guard_s);
        }
        if (part.copies > 1) {
          rr.row.message += std::string(rr.row.message.empty() ? "" : " ") + "Copy " + std::to_string(c) + " of " +
                            std::to_string(part.copies) + ".";
        }
        local.push_back(std::move(rr));
      }
    }
  }
  return write_features_file(comm, out, n_records, local, meta);
}

}  // namespace ecgforest::io

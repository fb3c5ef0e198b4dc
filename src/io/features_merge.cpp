#include "ecgforest/io/features_merge.hpp"

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
      for (std::size_t r = 0; r < d.records.size(); ++r, ++n_records) {
        if (!root) continue;
        RecordResult rr = record_windows(d, d.records[r]);
        rr.index = n_records;
        rr.reference = refs[r];
        if (!part.patient.empty()) rr.row.patient = part.patient;
        if (part.seizure_free) declare_seizure_free(rr);
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

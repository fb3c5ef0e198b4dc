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
  if (!(a == b)) {
    throw Error(both + " were extracted with different window length, hop, R-peak detector, HRV profile or HRV "
                "windows; extract both with the same settings.");
  }
}

// The rows (absolute) of record `row` in a part's window arrays: all of them, or with `leading`
// those ending within its first take_s seconds and not within guard_s of one of its reference
// seizures clipped to those seconds (as eval::detect_tailored's leading part).
std::vector<Eigen::Index> kept_rows(const FeaturesData& d, const RecordRow& row, const RecordReference& ref, bool leading,
                                    double take_s, double guard_s) {
  std::vector<Eigen::Index> keep;
  for (std::uint64_t w = row.first_window; w < row.first_window + row.n_windows; ++w) {
    const double t = d.time_s[w];
    bool near = false;
    for (const auto& e : ref.seizures) {
      if (e.start_s < take_s) near = near || (t > e.start_s - guard_s && t < std::min(e.stop_s, take_s) + guard_s);
    }
    if (!leading || (t <= take_s && !near)) keep.push_back(static_cast<Eigen::Index>(w));
  }
  return keep;
}

// The given rows of a part's window arrays as one record's result.
RecordResult record_rows(const FeaturesData& d, const RecordRow& row, const std::vector<Eigen::Index>& rows) {
  RecordResult rr;
  rr.row = row;
  rr.features.resize(static_cast<Eigen::Index>(rows.size()), d.x.cols());
  for (std::size_t k = 0; k < rows.size(); ++k) {
    rr.features.row(static_cast<Eigen::Index>(k)) = d.x.row(rows[k]);
    rr.label.push_back(d.label[static_cast<std::size_t>(rows[k])]);
    rr.time_s.push_back(d.time_s[static_cast<std::size_t>(rows[k])]);
  }
  return rr;
}

// Unknown labels of a seizure-free record are 0; it counts as annotated (no seizure).
void declare_seizure_free(RecordResult& rr) {
  for (auto& l : rr.label) {
    if (std::isnan(l)) l = 0.0f;
  }
  rr.reference.annotated = true;
}

// Record `row` of a part, copy c, as written: its kept rows, the part's patient, the copy in its
// message; a leading part's record lasts `take` seconds and has no seizure; seizure-free parts
// have label 0 where unknown.
RecordResult part_record(const FeaturesData& d, const RecordRow& row, const RecordReference& ref,
                         const std::vector<Eigen::Index>& rows, const FeaturesPart& part, int c, double take, std::size_t index) {
  RecordResult rr = record_rows(d, row, rows);
  rr.index = index;
  rr.reference = ref;
  if (!part.patient.empty()) rr.row.patient = part.patient;
  if (part.first_s > 0) {
    rr.row.duration_s = take;
    rr.reference.seizures.clear();
  }
  if (part.seizure_free || part.first_s > 0) declare_seizure_free(rr);
  if (part.copies > 1) {
    rr.row.message += std::string(rr.row.message.empty() ? "" : " ") + "Copy " + std::to_string(c) + " of " +
                      std::to_string(part.copies) + ".";
  }
  return rr;
}

}  // namespace

MergeReport merge_features_files(MPI_Comm comm, const std::filesystem::path& out, const std::vector<FeaturesPart>& parts) {
  if (parts.empty()) throw Error("Nothing to merge into " + out.string() + ": no features file given.");
  const bool root = comm::rank(comm) == 0;
  FeaturesMeta meta;
  MergeReport report;
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
    PartKept kept;
    const bool leading = part.first_s > 0;
    for (int c = 1; c <= part.copies; ++c) {
      double left_s = part.first_s;  // seconds of the leading part still to take
      for (std::size_t r = 0; r < d.records.size(); ++r, ++n_records) {
        const auto& row = d.records[r];
        const double take = leading ? std::min(left_s, row.status == "ok" ? row.duration_s : 0.0) : 0.0;
        left_s -= take;
        const auto rows = kept_rows(d, row, refs[r], leading, take, part.guard_s);
        if (c == 1) {
          kept.windows += rows.size();
          kept.records += rows.empty() ? 0 : 1;
        }
        if (root) local.push_back(part_record(d, row, refs[r], rows, part, c, take, n_records));
      }
    }
    report.parts.push_back(kept);
  }
  report.write = write_features_file(comm, out, n_records, local, meta);
  return report;
}

}  // namespace ecgforest::io

#include "ecgforest/pipeline/predict.hpp"

#include <algorithm>

#include "ecgforest/core/clock.hpp"
#include "ecgforest/core/progress.hpp"
#include "ecgforest/core/error.hpp"
#include "ecgforest/io/features_file.hpp"
#include "ecgforest/io/h5.hpp"
#include "ecgforest/io/model_file.hpp"
#include "ecgforest/parallel/forest.hpp"
#include "ecgforest/parallel/mpi.hpp"
#include "ecgforest/version.hpp"

namespace ecgforest::pipeline {
namespace {

/// model.predict_proba of every row of `x` (this rank's block), in pieces so that `bar` can
/// report the windows scored (this rank's share scaled to `total_rows`). Same bits as one call.
std::vector<float> score_rows(const forest::Forest& model, const io::FeatureRows& x, std::uint64_t total_rows,
                              Progress& bar) {
  constexpr std::size_t kPiece = 16384;
  const auto n = static_cast<std::size_t>(x.rows()), F = static_cast<std::size_t>(x.cols());
  if (!bar.enabled() || n <= kPiece) return model.predict_proba(x.data(), n);
  std::vector<float> out;
  out.reserve(n);
  for (std::size_t b = 0; b < n; b += kPiece) {
    const auto part = model.predict_proba(x.data() + b * F, std::min(kPiece, n - b));
    out.insert(out.end(), part.begin(), part.end());
    bar.update(static_cast<std::uint64_t>(out.size()) * total_rows / n);
  }
  return out;
}

}  // namespace

void run_predict_features(MPI_Comm comm, const Config& config, const std::filesystem::path& model_path,
                          const std::filesystem::path& features, const std::filesystem::path& output, std::ostream* log) {
  const int me = parallel::rank(comm);
  const double t0 = now_s();
  std::string err;
  io::FeaturesData data;
  forest::Forest model;
  io::FeatureRows x;  // columns reordered to the model's feature order
  try {
    model = io::read_model_file(model_path);
    data = io::read_features_block(comm, features);  // this rank's contiguous block of windows
  } catch (const std::exception& e) {
    err = e.what();
  }
  if (auto e = parallel::agree_on_error(comm, err); !e.empty()) throw CollectiveError(e);
  std::vector<Eigen::Index> col;
  std::string missing;
  for (const auto& name : model.feature_names) {
    auto it = std::find(data.columns.begin(), data.columns.end(), name);
    if (it == data.columns.end()) {
      missing += (missing.empty() ? "" : ", ") + name;
    } else {
      col.push_back(it - data.columns.begin());
    }
  }
  if (!missing.empty()) {
    throw CollectiveError("The features file " + features.string() + " lacks columns the model " + model_path.string() +
                          " needs: " + missing + ". Extract features with the same settings as the training data.");
  }
  x.resize(data.x.rows(), static_cast<Eigen::Index>(col.size()));
  for (std::size_t j = 0; j < col.size(); ++j) x.col(static_cast<Eigen::Index>(j)) = data.x.col(col[j]);
  data.x.resize(0, 0);  // only the reordered copy is needed from here on
  const double t_read = now_s();
  auto bar = Progress::to_stderr(log != nullptr && me == 0, "predict", "windows", data.total_rows, t0);
  const auto probs = score_rows(model, x, data.total_rows, bar);
  bar.finish();
  const double t_score = now_s();
  // Blocks are contiguous and in rank order: concatenating the parts on rank 0 gives file order.
  parallel::Writer w;
  w.pod_vector(probs);
  w.pod_vector(data.record);
  w.pod_vector(data.time_s);
  std::vector<std::vector<char>> parts;
  parallel::gather_bytes(comm, w.bytes(), 0, &parts);
  std::string write_err;
  if (me == 0) {
    try {
      std::vector<float> all;
      std::vector<std::uint32_t> record;
      std::vector<double> time_s;
      for (const auto& part : parts) {
        parallel::Reader rd(part.data(), part.size());
        auto v = rd.pod_vector<float>();
        auto r = rd.pod_vector<std::uint32_t>();
        auto t = rd.pod_vector<double>();
        all.insert(all.end(), v.begin(), v.end());
        record.insert(record.end(), r.begin(), r.end());
        time_s.insert(time_s.end(), t.begin(), t.end());
      }
      if (all.size() != data.total_rows || record.size() != all.size() || time_s.size() != all.size()) {
        throw Error("Internal error: predict gathered " + std::to_string(all.size()) + " of " +
                    std::to_string(data.total_rows) + " windows.");
      }
      io::h5::init_error_handling();
      const std::filesystem::path tmp = output.string() + ".partial";
      std::error_code ec;
      if (output.has_parent_path()) std::filesystem::create_directories(output.parent_path(), ec);
      {
        io::h5::Handle f = io::h5::file_handle(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
                                               "Cannot create " + tmp.string() + "; check that the directory is writable.");
        io::h5::write_dataset<float>(f, "/windows/probability", {all.size()}, all.data());
        io::h5::write_dataset<std::uint32_t>(f, "/windows/record", {record.size()}, record.data());
        io::h5::write_dataset<double>(f, "/windows/time_s", {time_s.size()}, time_s.data());
        io::h5::write_string_attribute(f, "format", "ecgforest-probabilities/1");
        io::h5::write_string_attribute(f, "config", to_toml(config));
        io::h5::write_string_attribute(f, "version", kVersion);
        io::h5::write_string_attribute(f, "created", io::utc_now_iso());
        io::h5::write_string_attribute(f, "model", model_path.string());
        io::h5::write_string_attribute(f, "features", features.string());
        f.close("Closing " + tmp.string() + " failed; the disk may be full.");
      }
      std::filesystem::rename(tmp, output);
      if (log) {
        const double t = now_s();
        *log << "predict: " << all.size() << " window probabilities written to " << output.string() << " (" << t - t0
             << " s: read " << t_read - t0 << " s, score " << t_score - t_read << " s, gather and write " << t - t_score
             << " s)\n";
      }
    } catch (const std::exception& e) {
      write_err = e.what();
    }
  }
  if (auto e = parallel::agree_on_error(comm, write_err); !e.empty()) throw CollectiveError(e);
}

}  // namespace ecgforest::pipeline

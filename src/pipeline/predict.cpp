#include "ecgforest/pipeline/predict.hpp"

#include <algorithm>

#include "ecgforest/core/clock.hpp"
#include "ecgforest/core/progress.hpp"
#include "ecgforest/core/error.hpp"
#include "ecgforest/io/features_file.hpp"
#include "ecgforest/io/predictions_file.hpp"
#include "ecgforest/io/model_file.hpp"
#include "ecgforest/pipeline/model.hpp"
#include "ecgforest/pipeline/privacy.hpp"
#include "ecgforest/pipeline/training_overlap.hpp"
#include "ecgforest/core/privacy.hpp"
#include "ecgforest/parallel/forest.hpp"
#include "ecgforest/comm/mpi.hpp"
#include "ecgforest/version.hpp"
#include "ecgforest/core/bytes.hpp"

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

/// The recordings of the features file that gave windows, by NAME, patient and fingerprints.
std::vector<ScoredFingerprint> predicted_recordings(const std::vector<io::RecordRow>& records) {
  std::vector<ScoredFingerprint> out;
  for (const auto& r : records) {
    if (gave_windows(r)) out.push_back(scored_fingerprint(r, r));
  }
  return out;
}

}  // namespace

void run_predict_features(MPI_Comm comm, const Config& config, const std::filesystem::path& model_path,
                          const std::filesystem::path& features, const std::filesystem::path& output, std::ostream* log) {
  const int me = comm::rank(comm);
  const double t0 = now_s();
  io::FeaturesData data;
  forest::Forest model;
  io::ModelMeta meta;
  io::FeatureRows x;  // columns reordered to the model's feature order
  comm::collective_try(comm, "", [&] {
    model = read_model(model_path, &meta);
    data = io::read_features_block(comm, features);  // this rank's contiguous block of windows
  });
  std::string missing;
  const auto col = model_column_positions(data.columns, model.feature_names, missing);
  if (!missing.empty()) {
    throw CollectiveError("The features file " + features.string() + " lacks columns the model " + model_path.string() +
                          " needs: " + missing + ". Extract features with the same settings as the training data.");
  }
  x.resize(data.x.rows(), static_cast<Eigen::Index>(col.size()));
  for (std::size_t j = 0; j < col.size(); ++j) x.col(static_cast<Eigen::Index>(j)) = data.x.col(static_cast<Eigen::Index>(col[j]));
  data.x.resize(0, 0);  // only the reordered copy is needed from here on
  const double t_read = now_s();
  auto bar = Progress::to_stderr(log != nullptr && me == 0, "predict", "windows", data.total_rows, t0);
  const auto probs = score_rows(model, x, data.total_rows, bar);
  bar.finish();
  const double t_score = now_s();
  // Blocks are contiguous and in rank order: concatenating the parts on rank 0 gives file order.
  ByteWriter w;
  w.pod_vector(probs);
  w.pod_vector(data.record);
  w.pod_vector(data.time_s);
  std::vector<std::vector<char>> parts;
  comm::gather_bytes(comm, w.bytes(), 0, &parts);
  comm::collective_try(comm, "", [&] {
    if (me == 0) {
      io::ProbabilitiesTable t;
      for (const auto& part : parts) {
        ByteReader rd(part.data(), part.size());
        auto v = rd.pod_vector<float>();
        auto r = rd.pod_vector<std::uint32_t>();
        auto ts = rd.pod_vector<double>();
        t.probability.insert(t.probability.end(), v.begin(), v.end());
        t.record.insert(t.record.end(), r.begin(), r.end());
        t.time_s.insert(t.time_s.end(), ts.begin(), ts.end());
      }
      const std::size_t n_all = t.probability.size();
      if (n_all != data.total_rows || t.record.size() != n_all || t.time_s.size() != n_all) {
        throw Error("Internal error: predict gathered " + std::to_string(n_all) + " of " +
                    std::to_string(data.total_rows) + " windows.");
      }
      const auto shown = [&](const std::filesystem::path& p) {  // relative to the output unless absolute_paths
        return config.extract.absolute_paths ? p.string() : relative_path_text(p, std::filesystem::absolute(output).parent_path());
      };
      t.model = shown(model_path);
      t.features = shown(features);
      Config recorded = config;
      record_model_training_settings(meta, recorded);
      io::write_probabilities_file(output, t, {stored_config_toml(recorded, output)});
      if (log) {
        const auto predicted = predicted_recordings(data.records);
        *log << training_overlap_text(training_overlap(predicted, meta.training), predicted.size(),
                                      count_patients(predicted), false);
        const double t_end = now_s();
        *log << "predict: " << n_all << " window probabilities written to " << output.string() << " (" << t_end - t0
             << " s: read " << t_read - t0 << " s, score " << t_score - t_read << " s, gather and write " << t_end - t_score
             << " s)\n";
      }
    }
  });
}

}  // namespace ecgforest::pipeline

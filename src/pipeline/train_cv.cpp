#include "ecgforest/pipeline/train_cv.hpp"

#include <cmath>
#include <limits>
#include <map>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/text.hpp"
#include "ecgforest/eval/events.hpp"
#include "ecgforest/eval/quality_gate.hpp"
#include "ecgforest/eval/responders.hpp"
#include "ecgforest/io/beat_file.hpp"
#include "ecgforest/io/feature_matrix.hpp"
#include "ecgforest/io/features_file.hpp"
#include "ecgforest/pipeline/predict_edf.hpp"
#include "ecgforest/pipeline/tools.hpp"
#include "ecgforest/pipeline/train_data.hpp"

namespace ecgforest::pipeline {
namespace {

// The out-of-fold probabilities of the annotated recordings, grouped by recording (file order),
// with their /records rows and each window's mean heart rate (responders) and label in the same
// order.
struct CvRecordings {
  std::vector<eval::RecordingProbabilities> recs;
  std::vector<io::RecordRow> rows;
  std::vector<float> mean_hr, label;
};

// Quality-gate flags (eval::quality_flags, per recording) of every window of a features file
// from its `sqi` column; empty when the gate is off or the file has no such column (then every
// window is usable).
std::vector<std::uint8_t> file_quality_flags(const io::WindowIndex& index, std::size_t sqi_column, double min_sqi,
                                             std::size_t min_run) {
  if (!(min_sqi > 0) || !index.present[sqi_column]) return {};
  const auto& sqi = index.columns[sqi_column];
  const auto& record = index.record;
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < record.size();) {
    std::size_t j = i;
    while (j < record.size() && record[j] == record[i]) ++j;
    const std::vector<float> one(sqi.begin() + static_cast<std::ptrdiff_t>(i), sqi.begin() + static_cast<std::ptrdiff_t>(j));
    const auto part = eval::quality_flags(one, min_sqi, min_run);
    out.insert(out.end(), part.begin(), part.end());
    i = j;
  }
  return out;
}

// Per window of the index: 1 when it was a training row (is_training_row with train.min_sqi);
// the labelled windows it skipped have no out-of-fold probability.
std::vector<std::uint8_t> training_flags(const io::WindowIndex& index, std::size_t sqi_column, double min_sqi) {
  const bool filter = index.present[sqi_column] && min_sqi > 0;
  std::vector<std::uint8_t> out(index.label.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = is_training_row(index.label[i], filter, filter ? index.columns[sqi_column][i] : 0.0f, min_sqi) ? 1 : 0;
  }
  return out;
}

// The gate's flags with the labelled windows that were not training rows gated too: train.min_sqi
// skipped them, so the CV has no probability for them, and they neither start nor extend an
// event (as predict's gate treats windows of sqi below postprocess.min_sqi).
std::vector<std::uint8_t> with_skipped_gated(std::vector<std::uint8_t> usable, const io::WindowIndex& index,
                                             const std::vector<std::uint8_t>& trained) {
  for (std::size_t i = 0; i < trained.size(); ++i) {
    if (trained[i] || !std::isfinite(index.label[i])) continue;
    if (usable.empty()) usable.assign(trained.size(), 1);
    usable[i] = 0;
  }
  return usable;
}

eval::RecordingProbabilities recording_of(const io::RecordRow& row, const io::RecordReference& ref) {
  eval::RecordingProbabilities rp;
  rp.name = io::recording_name(row.path);
  rp.patient = row.patient;
  rp.duration_s = row.duration_s;
  for (const auto& e : ref.seizures) rp.ref.push_back({e.start_s, e.stop_s, 1.0});
  return rp;
}

// Groups the labelled windows of `index` (one `oof` value each, in order) by recording; windows
// of recordings without annotation are left out. Throws Error when the window index names a
// missing record.
CvRecordings group_by_recording(const io::FeaturesData& summary, const io::WindowIndex& index, const std::vector<float>& oof,
                                const std::vector<std::uint8_t>& trained, const std::vector<std::uint8_t>& usable) {
  CvRecordings out;
  constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
  std::map<std::uint32_t, std::size_t> slot;  // record -> position in out.recs
  std::size_t t = 0;
  for (std::size_t i = 0; i < index.label.size(); ++i) {
    if (!std::isfinite(index.label[i])) continue;
    const auto r = index.record[i];
    auto it = slot.find(r);
    if (it == slot.end()) {
      if (r >= summary.records.size()) throw Error("/windows/record names a missing /records row.");
      const bool annotated = summary.references[r].annotated;
      it = slot.emplace(r, annotated ? out.recs.size() : kNone).first;
      if (annotated) {
        out.recs.push_back(recording_of(summary.records[r], summary.references[r]));
        out.rows.push_back(summary.records[r]);
      }
    }
    const float prob = trained[i] ? oof[t++] : 0.0f;  // a skipped window is gated (with_skipped_gated)
    if (it->second != kNone) {
      auto& rp = out.recs[it->second];
      rp.window_end_s.push_back(index.time_s[i]);
      rp.prob.push_back(prob);
      if (!usable.empty()) rp.usable.push_back(usable[i]);
      out.mean_hr.push_back(index.columns[0][i]);
      out.label.push_back(index.label[i]);
    }
  }
  return out;
}

// Why the file's windows cannot be scored by event ("" = they can).
std::string unscorable_reason(const std::filesystem::path& features, const io::FeaturesData& summary,
                              const io::WindowIndex& index, const std::vector<std::uint8_t>& trained, std::size_t n_oof) {
  if (summary.references.empty() || !summary.extract) {
    return "skipped: " + features.string() + " was written before ecgforest stored reference events (/reference); "
           "run extract again for event-level CV scores";
  }
  std::size_t n_train = 0;
  for (auto t : trained) n_train += t;
  if (n_train != n_oof || index.record.size() != index.label.size() || index.time_s.size() != index.label.size()) {
    return "skipped: the cross-validation's rows (" + std::to_string(n_oof) + ") are not the training windows of " +
           features.string() + " (" + std::to_string(n_train) + "); was the file rewritten during training?";
  }
  return "";
}

// The scores of `in` post-processed with `pp`: NEDC summary, sweep, responders and settings.
std::string cv_scores_json(const CvRecordings& in, double step_s, const PostprocessSettings& pp) {
  std::vector<eval::ScoredRecording> scored;
  std::vector<eval::RecordingHeartRate> hr;
  std::size_t w = 0;
  for (const auto& r : in.recs) {
    scored.push_back({r.name, r.patient, r.duration_s, r.ref, eval::gated_postprocess(r.window_end_s, r.prob, r.usable, step_s, pp)});
    const auto n = static_cast<std::ptrdiff_t>(r.prob.size());
    const auto from = in.mean_hr.begin() + static_cast<std::ptrdiff_t>(w);
    hr.push_back({r.name, r.patient, r.window_end_s, {from, from + n}, r.ref, scored.back().hyp});
    w += r.prob.size();
  }
  const auto sweep = eval::sweep_thresholds(in.recs, step_s, pp, eval::default_thresholds());
  JsonWriter score, extra;
  eval::write_score_json(score, eval::score_recordings(scored), sweep, eval::best_under_budget(sweep, pp.fa_budget_per_24h),
                         pp.fa_budget_per_24h);
  extra.begin_object().key("responders");
  eval::write_responders_json(extra, eval::summarize_responders(hr));
  extra.key("postprocess");
  eval::write_postprocess_json(extra, pp);
  extra.end_object();
  return json_object_union(score.str(), extra.str());
}

// The out-of-fold predictions as predictions.h5 stores them (train.cv_predictions): every
// recording's windows, its events post-processed with `pp` and its reference seizures.
io::PredictionsTable cv_predictions_table(const CvRecordings& in, const io::StoredExtract& x, const PostprocessSettings& pp) {
  io::PredictionsTable t;
  std::size_t w = 0;
  for (std::size_t i = 0; i < in.recs.size(); ++i) {
    const auto& r = in.recs[i];
    const auto from = static_cast<std::ptrdiff_t>(w), to = static_cast<std::ptrdiff_t>(w + r.prob.size());
    RecordingPredictions p;
    p.row = in.rows[i];
    p.time_s = r.window_end_s;
    p.prob = r.prob;
    p.smoothed = eval::gated_smoothing(r.prob, r.usable, pp.smoothing, pp.smoothing_windows);
    p.label.assign(in.label.begin() + from, in.label.begin() + to);
    p.mean_hr.assign(in.mean_hr.begin() + from, in.mean_hr.begin() + to);
    p.usable = r.usable;
    p.hyp = eval::gated_events(r.window_end_s, p.smoothed, r.usable, x.step_s, pp.threshold, pp.min_duration_s,
                               pp.merge_gap_s);
    p.ref = r.ref;
    append_record(t, p, static_cast<std::uint32_t>(i));
    w += r.prob.size();
  }
  t.window_s = fixed_text(x.window_s, 6);
  t.step_s = fixed_text(x.step_s, 6);
  return t;
}

}  // namespace

std::optional<eval::PostprocessChoice> write_cv_event_scores(JsonWriter& j, const std::filesystem::path& features,
                                                             const std::vector<float>& oof, const Config& config,
                                                             io::PredictionsTable* cv_table) {
  CvRecordings in;
  io::StoredExtract x;
  try {
    const auto summary = io::read_features_summary(features);
    const auto index = io::read_window_index(features, {"mean_hr", "sqi"});
    const auto trained = training_flags(index, 1, config.train.min_sqi);
    if (auto why = unscorable_reason(features, summary, index, trained, oof.size()); !why.empty()) {
      j.value(why);
      return std::nullopt;
    }
    x = *summary.extract;
    const auto usable = with_skipped_gated(
        file_quality_flags(index, 1, config.postprocess.min_sqi, eval::gate_min_run(x.window_s, x.step_s)), index, trained);
    in = group_by_recording(summary, index, oof, trained, usable);
  } catch (const std::exception& e) {
    j.value(std::string("skipped: ") + e.what());
    return std::nullopt;
  }
  if (in.recs.empty()) {
    j.value("skipped: no labelled window belongs to an annotated recording");
    return std::nullopt;
  }
  auto pp = config.postprocess;
  std::optional<eval::PostprocessChoice> choice;
  if (pp.select == PostprocessSelect::cv) {
    choice = eval::choose_postprocess(in.recs, x.step_s, pp, fixed_postprocess(config));
    pp = choice->chosen;
  }
  j.raw(cv_scores_json(in, x.step_s, pp));
  if (cv_table) *cv_table = cv_predictions_table(in, x, pp);
  return choice;
}

}  // namespace ecgforest::pipeline

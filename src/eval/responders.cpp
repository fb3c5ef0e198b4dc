// Ictal heart-rate change per reference seizure and sensitivity over responders (responders.hpp).
#include "ecgforest/eval/responders.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ecgforest::eval {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

double ratio(std::size_t a, std::size_t b) { return b ? static_cast<double>(a) / static_cast<double>(b) : kNan; }

bool overlaps_any(const Event& r, const std::vector<Event>& hyp) {
  return std::any_of(hyp.begin(), hyp.end(), [&](const Event& h) { return h.start_s < r.stop_s && h.stop_s > r.start_s; });
}

}  // namespace

SeizureResponse seizure_response(const std::vector<double>& t, const std::vector<float>& hr, const Event& sz,
                                 const ResponderSettings& s) {
  SeizureResponse out;
  out.start_s = sz.start_s;
  out.stop_s = sz.stop_s;
  std::vector<double> base;
  double peak = -std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < t.size() && i < hr.size(); ++i) {
    if (!std::isfinite(hr[i])) continue;
    if (t[i] >= sz.start_s - s.baseline_from_s && t[i] <= sz.start_s - s.baseline_to_s) base.push_back(hr[i]);
    if (t[i] >= sz.start_s && t[i] <= sz.stop_s + s.ictal_after_s) peak = std::max(peak, static_cast<double>(hr[i]));
  }
  out.baseline_bpm = quantile(base, 0.5);
  out.ictal_bpm = std::isfinite(peak) ? peak : kNan;
  out.measurable = std::isfinite(out.baseline_bpm) && std::isfinite(out.ictal_bpm);
  out.rise_bpm = out.measurable ? out.ictal_bpm - out.baseline_bpm : kNan;
  out.responds = out.measurable && out.rise_bpm >= s.rise_bpm;
  out.marked = out.measurable && out.rise_bpm > s.marked_rise_bpm;
  return out;
}

ResponderSummary summarize_responders(const std::vector<RecordingHeartRate>& recs, const ResponderSettings& s) {
  ResponderSummary out;
  out.settings = s;
  for (const auto& r : recs) {
    const std::string patient = r.patient.empty() ? r.name : r.patient;
    auto& p = out.patients[patient];
    for (const auto& e : merge_overlapping(r.ref)) {
      auto sr = seizure_response(r.window_end_s, r.mean_hr, e, s);
      sr.record = r.name;
      sr.patient = patient;
      sr.detected = overlaps_any(e, r.hyp);
      ++p.n_seizures;
      p.n_measurable += sr.measurable ? 1 : 0;
      p.n_responding += sr.responds ? 1 : 0;
      p.n_marked += sr.marked ? 1 : 0;
      p.hits += sr.detected ? 1 : 0;
      out.seizures.push_back(sr);
    }
  }
  for (auto& [id, p] : out.patients) {
    std::vector<double> rises;
    for (const auto& sr : out.seizures) {
      if (sr.patient == id && sr.measurable) rises.push_back(sr.rise_bpm);
    }
    p.median_rise_bpm = quantile(rises, 0.5);
    p.responder = p.n_measurable > 0 && 2 * p.n_responding >= p.n_measurable;
    p.marked_responder = p.n_measurable > 0 && 2 * p.n_marked >= p.n_measurable;
  }
  const auto count = [](bool in_group, bool detected, std::size_t& n, std::size_t& hits) {
    n += in_group ? 1 : 0;
    hits += in_group && detected ? 1 : 0;
  };
  for (const auto& sr : out.seizures) {
    const auto& p = out.patients[sr.patient];
    count(true, sr.detected, out.n_ref, out.hits);
    count(p.responder, sr.detected, out.n_ref_responders, out.hits_responders);
    count(sr.responds, sr.detected, out.n_ref_responding, out.hits_responding);
    count(p.marked_responder, sr.detected, out.n_ref_marked, out.hits_marked);
  }
  out.sensitivity = ratio(out.hits, out.n_ref);
  out.sensitivity_responders = ratio(out.hits_responders, out.n_ref_responders);
  out.sensitivity_responding = ratio(out.hits_responding, out.n_ref_responding);
  out.sensitivity_marked = ratio(out.hits_marked, out.n_ref_marked);
  return out;
}

void write_responders_json(JsonWriter& j, const ResponderSummary& r) {
  j.begin_object();
  j.key("rise_bpm").value(r.settings.rise_bpm);
  j.key("baseline_window_s").begin_array().value(-r.settings.baseline_from_s).value(-r.settings.baseline_to_s).end_array();
  j.key("n_ref").value(static_cast<std::uint64_t>(r.n_ref));
  j.key("hits").value(static_cast<std::uint64_t>(r.hits));
  j.key("ovlp_sensitivity").value(r.sensitivity);
  j.key("n_ref_responders").value(static_cast<std::uint64_t>(r.n_ref_responders));
  j.key("hits_responders").value(static_cast<std::uint64_t>(r.hits_responders));
  j.key("ovlp_sensitivity_responders").value(r.sensitivity_responders);
  j.key("n_ref_responding").value(static_cast<std::uint64_t>(r.n_ref_responding));
  j.key("hits_responding").value(static_cast<std::uint64_t>(r.hits_responding));
  j.key("ovlp_sensitivity_responding").value(r.sensitivity_responding);
  j.key("marked_rise_bpm").value(r.settings.marked_rise_bpm);
  j.key("n_ref_marked_responders").value(static_cast<std::uint64_t>(r.n_ref_marked));
  j.key("hits_marked_responders").value(static_cast<std::uint64_t>(r.hits_marked));
  j.key("ovlp_sensitivity_marked_responders").value(r.sensitivity_marked);
  std::size_t n_resp = 0, n_marked = 0;
  for (const auto& [id, p] : r.patients) {
    n_resp += p.responder ? 1 : 0;
    n_marked += p.marked_responder ? 1 : 0;
  }
  j.key("n_patients").value(static_cast<std::uint64_t>(r.patients.size()));
  j.key("n_responder_patients").value(static_cast<std::uint64_t>(n_resp));
  j.key("n_marked_responder_patients").value(static_cast<std::uint64_t>(n_marked));
  j.key("per_patient").begin_object();
  for (const auto& [id, p] : r.patients) {
    j.key(id).begin_object();
    j.key("responder").value(p.responder);
    j.key("marked_responder").value(p.marked_responder);
    j.key("n_seizures").value(static_cast<std::uint64_t>(p.n_seizures));
    j.key("n_responding").value(static_cast<std::uint64_t>(p.n_responding));
    j.key("n_measurable").value(static_cast<std::uint64_t>(p.n_measurable));
    j.key("hits").value(static_cast<std::uint64_t>(p.hits));
    j.key("median_rise_bpm").value(p.median_rise_bpm);
    j.end_object();
  }
  j.end_object();
  j.key("seizures").begin_array();
  for (const auto& sr : r.seizures) {
    j.begin_object().key("record").value(sr.record).key("patient").value(sr.patient);
    j.key("start_s").value(sr.start_s).key("stop_s").value(sr.stop_s);
    j.key("baseline_bpm").value(sr.baseline_bpm).key("ictal_bpm").value(sr.ictal_bpm).key("rise_bpm").value(sr.rise_bpm);
    j.key("responds").value(sr.responds).key("marked").value(sr.marked).key("detected").value(sr.detected).end_object();
  }
  j.end_array();
  j.end_object();
}

}  // namespace ecgforest::eval

#pragma once
// "Responders": whether a patient's seizures come with an ictal heart-rate change, and the
// sensitivity over the seizures of responder patients beside the overall figure, as the cardiac
// seizure-detection literature reports it (Jeppesen et al. 2020: responders are patients with an
// ictal heart-rate change; Eggleston 2014: ictal tachycardia in 82 % of patients). OVLP itself is
// unchanged; this is a second view of the same hits.
//
// Ictal rise of one reference seizure = the highest window mean heart rate with its window end in
// [onset, offset + ictal_after_s] minus the median window mean heart rate with its end in
// [onset - baseline_from_s, onset - baseline_to_s] (the pre-ictal baseline). A seizure responds
// when the rise is at least rise_bpm; a patient is a responder when at least half of its
// seizures with a measurable rise respond. A second, stricter view follows Jeppesen et al.
// (Epilepsia 2020), whose "responders" are patients with an ictal heart-rate change of more than
// 50 bpm: a patient is a marked responder when at least half of its measurable seizures rise by
// more than marked_rise_bpm, and the sensitivity over their seizures is reported beside the
// others (the figure that paper's 87 % at 0.9 FA/24 h is). Pure numeric code.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "ecgforest/core/json.hpp"
#include "ecgforest/eval/events.hpp"

namespace ecgforest::eval {

struct ResponderSettings {
  double rise_bpm = 10.0;         ///< ictal rise (bpm) from which a seizure counts as responding
  double baseline_from_s = 300.0; ///< baseline window starts this long before onset
  double baseline_to_s = 60.0;    ///< ... and ends this long before onset
  double ictal_after_s = 60.0;    ///< the ictal peak may come this long after offset
  double marked_rise_bpm = 50.0;  ///< Jeppesen 2020's responders: ictal rise > this (bpm)
};

/// One recording: windows (end times, mean heart rate, NaN where unknown), references, detections.
struct RecordingHeartRate {
  std::string name, patient;
  std::vector<double> window_end_s;
  std::vector<float> mean_hr;
  std::vector<Event> ref, hyp;
};

struct SeizureResponse {
  std::string record, patient;
  double start_s = 0, stop_s = 0;
  double baseline_bpm = 0, ictal_bpm = 0, rise_bpm = 0;  ///< NaN when a part has no heart rate
  bool measurable = false;  ///< both baseline and ictal heart rate exist
  bool responds = false;
  bool marked = false;      ///< rise > marked_rise_bpm (Jeppesen's responder change)
  bool detected = false;    ///< OVLP hit
};

struct PatientResponse {
  std::size_t n_seizures = 0, n_measurable = 0, n_responding = 0, n_marked = 0, hits = 0;
  double median_rise_bpm = 0;  ///< NaN when no seizure is measurable
  bool responder = false;
  bool marked_responder = false;  ///< at least half of the measurable seizures rise > marked_rise_bpm
};

struct ResponderSummary {
  ResponderSettings settings;
  std::vector<SeizureResponse> seizures;
  std::map<std::string, PatientResponse> patients;
  std::size_t n_ref = 0, hits = 0;                        ///< all seizures
  std::size_t n_ref_responders = 0, hits_responders = 0;  ///< seizures of responder patients
  std::size_t n_ref_responding = 0, hits_responding = 0;  ///< seizures that themselves respond
  std::size_t n_ref_marked = 0, hits_marked = 0;          ///< seizures of marked responder patients
  double sensitivity = 0, sensitivity_responders = 0, sensitivity_responding = 0;  ///< NaN when 0/0
  double sensitivity_marked = 0;  ///< over the seizures of marked responders; NaN when 0/0
};

/// The rise of one seizure on one recording's heart-rate trace.
SeizureResponse seizure_response(const std::vector<double>& window_end_s, const std::vector<float>& mean_hr,
                                 const Event& seizure, const ResponderSettings& s);

/// Responses of every reference seizure (references merged per recording), patient verdicts and
/// the three sensitivities.
ResponderSummary summarize_responders(const std::vector<RecordingHeartRate>& recs, const ResponderSettings& s = {});

/// {"rise_bpm", "n_ref", "hits", "ovlp_sensitivity", "n_ref_responders", "ovlp_sensitivity_responders",
///  "n_ref_responding", "ovlp_sensitivity_responding", "marked_rise_bpm", "n_ref_marked_responders",
///  "hits_marked_responders", "ovlp_sensitivity_marked_responders", "per_patient": {id: {...}},
///  "seizures": [...]}
void write_responders_json(JsonWriter& j, const ResponderSummary& r);

}  // namespace ecgforest::eval

#include "ecgforest/io/annotation_writer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "ecgforest/core/error.hpp"
#include "ecgforest/core/text.hpp"

namespace ecgforest::io {
namespace {

}  // namespace

std::vector<AnnotationEvent> tile_with_background(const std::vector<AnnotationEvent>& seizures, double duration_s) {
  if (!(duration_s > 0) || !std::isfinite(duration_s)) {
    throw Error("Cannot write an annotation file for a recording of duration " + fixed_text(duration_s, 4) +
                " s; the duration must be a positive number of seconds.");
  }
  std::vector<AnnotationEvent> sz;
  for (const auto& e : seizures) {
    AnnotationEvent c = e;
    c.start_s = std::max(0.0, e.start_s);
    c.stop_s = std::min(duration_s, e.stop_s);
    if (c.stop_s > c.start_s) sz.push_back(c);
  }
  std::sort(sz.begin(), sz.end(), [](const AnnotationEvent& a, const AnnotationEvent& b) { return a.start_s < b.start_s; });
  std::vector<AnnotationEvent> merged;
  for (const auto& e : sz) {
    if (!merged.empty() && e.start_s <= merged.back().stop_s) {
      merged.back().stop_s = std::max(merged.back().stop_s, e.stop_s);
      merged.back().confidence = std::max(merged.back().confidence, e.confidence);
    } else {
      merged.push_back(e);
    }
  }
  std::vector<AnnotationEvent> out;
  double t = 0;
  auto bckg = [&](double a, double b) {
    AnnotationEvent g;
    g.start_s = a;
    g.stop_s = b;
    g.label = "bckg";
    g.confidence = 1.0;
    g.channel = "TERM";
    out.push_back(g);
  };
  for (const auto& e : merged) {
    if (e.start_s > t) bckg(t, e.start_s);
    AnnotationEvent s = e;
    s.label = "seiz";
    s.channel = "TERM";
    out.push_back(s);
    t = e.stop_s;
  }
  if (t < duration_s) bckg(t, duration_s);
  return out;
}

std::string tse_bi_text(const std::vector<AnnotationEvent>& seizures, double duration_s) {
  std::string s = "version = tse_v1.0.0\n\n";
  for (const auto& e : tile_with_background(seizures, duration_s)) {
    s += fixed_text(e.start_s, 4) + " " + fixed_text(e.stop_s, 4) + " " + e.label + " " + fixed_text(e.confidence, 4) + "\n";
  }
  return s;
}

std::string csv_bi_text(const std::vector<AnnotationEvent>& seizures, double duration_s, const std::string& bname) {
  std::string s = "# version = csv_v1.0.0\n# bname = " + bname + "\n# duration = " + fixed_text(duration_s, 4) +
                  " secs\n# annotator = ecgforest\n#\nchannel,start_time,stop_time,label,confidence\n";
  for (const auto& e : tile_with_background(seizures, duration_s)) {
    s += "TERM," + fixed_text(e.start_s, 4) + "," + fixed_text(e.stop_s, 4) + "," + e.label + "," + fixed_text(e.confidence, 4) + "\n";
  }
  return s;
}

std::string events_tsv_text(const std::vector<AnnotationEvent>& seizures, double duration_s, const StartDateTime& start) {
  char dt[64];
  std::snprintf(dt, sizeof dt, "%04d-%02d-%02d %02d:%02d:%02d", start.year, start.month, start.day, start.hour,
                start.minute, start.second);
  const std::string tail = std::string("\t") + dt + "\t" + fixed_text(duration_s, 2) + "\n";
  std::string s = "onset\tduration\teventType\tconfidence\tchannels\tdateTime\trecordingDuration\n";
  bool any = false;
  for (const auto& e : tile_with_background(seizures, duration_s)) {
    if (e.label != "seiz") continue;
    s += fixed_text(e.start_s, 2) + "\t" + fixed_text(e.stop_s - e.start_s, 2) + "\tsz\t" + fixed_text(e.confidence, 2) + "\tn/a" + tail;
    any = true;
  }
  if (!any) s += "0.00\t" + fixed_text(duration_s, 2) + "\tbckg\tn/a\tn/a" + tail;
  return s;
}

std::string events_tsv_name(const std::string& edf_stem) {
  const auto us = edf_stem.rfind('_');
  if (edf_stem.rfind("sub-", 0) == 0 && us != std::string::npos && edf_stem.find('-', us) == std::string::npos) {
    return edf_stem.substr(0, us) + "_events.tsv";
  }
  return edf_stem + "_events.tsv";
}

}  // namespace ecgforest::io

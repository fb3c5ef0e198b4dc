// NEDC DP-alignment counts for the seizure label; see dpalign.hpp.
#include "ecgforest/eval/dpalign.hpp"

#include <cstdint>

namespace ecgforest::eval {
namespace {

enum Label : std::uint8_t { kNull, kBckg, kSeiz };
enum Step : std::uint8_t { kSub, kIns, kDel };

// The label sequence NEDC aligns, between two null sentinels.
std::vector<Label> labels(const std::vector<Event>& seizures, double duration_s) {
  std::vector<Label> out{kNull};
  double t = 0;
  for (const auto& e : merge_overlapping(seizures)) {
    if (e.start_s > t) out.push_back(kBckg);
    out.push_back(kSeiz);
    t = e.stop_s;
  }
  if (t < duration_s || out.size() == 1) out.push_back(kBckg);
  out.push_back(kNull);
  return out;
}

}  // namespace

DpalignCounts score_dpalign(const std::vector<Event>& ref_ev, double ref_duration_s, const std::vector<Event>& hyp_ev,
                            double hyp_duration_s) {
  const auto ref = labels(ref_ev, ref_duration_s), hyp = labels(hyp_ev, hyp_duration_s);
  const std::size_t m = ref.size(), n = hyp.size();
  std::vector<std::vector<double>> d(m, std::vector<double>(n, 0.0));
  std::vector<std::vector<Step>> step(m, std::vector<Step>(n, kSub));
  for (std::size_t j = 1; j < n; ++j) d[0][j] = d[0][j - 1] + 1, step[0][j] = kIns;
  for (std::size_t i = 1; i < m; ++i) d[i][0] = d[i - 1][0] + 1, step[i][0] = kDel;
  for (std::size_t j = 1; j < n; ++j) {
    for (std::size_t i = 1; i < m; ++i) {
      const double del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
      const double sub = d[i - 1][j - 1] + (ref[i] != hyp[j] ? 1 : 0);
      d[i][j] = sub;
      step[i][j] = kSub;
      if (ins < d[i][j]) d[i][j] = ins, step[i][j] = kIns;
      if (del < d[i][j]) d[i][j] = del, step[i][j] = kDel;
    }
  }
  // Trace back from the end; pairs (ref label, hyp label), kNull where a side has nothing.
  std::vector<std::pair<Label, Label>> path;
  std::ptrdiff_t i = static_cast<std::ptrdiff_t>(m) - 1, j = static_cast<std::ptrdiff_t>(n) - 1;
  while (i >= 0 || j >= 0) {
    const Step s = step[static_cast<std::size_t>(std::max<std::ptrdiff_t>(i, 0))][static_cast<std::size_t>(std::max<std::ptrdiff_t>(j, 0))];
    if (s == kDel) path.push_back({ref[static_cast<std::size_t>(i--)], kNull});
    else if (s == kIns) path.push_back({kNull, hyp[static_cast<std::size_t>(j--)]});
    else path.push_back({ref[static_cast<std::size_t>(i--)], hyp[static_cast<std::size_t>(j--)]});
  }
  DpalignCounts c;
  for (std::size_t k = 1; k + 1 < path.size(); ++k) {  // the sentinels are the first and last pair
    const auto [r, h] = path[k];
    if (r == kNull) {
      if (h == kSeiz) ++c.insertions, ++c.false_alarms;
    } else if (r == kSeiz) {
      ++c.targets;
      if (h == kNull) ++c.deletions, ++c.misses;
      else if (h == kSeiz) ++c.hits;
      else ++c.misses;
    }
  }
  return c;
}

DpalignCounts& operator+=(DpalignCounts& a, const DpalignCounts& b) {
  a.targets += b.targets;
  a.hits += b.hits;
  a.misses += b.misses;
  a.false_alarms += b.false_alarms;
  a.insertions += b.insertions;
  a.deletions += b.deletions;
  return a;
}

}  // namespace ecgforest::eval

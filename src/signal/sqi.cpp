#include "ecgforest/signal/sqi.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace ecgforest::signal {

std::vector<float> beat_quality(const Eigen::Ref<const Eigen::VectorXd>& ecg, double fs_hz, const RPeaks& peaks) {
  constexpr std::size_t kSide = 8;
  constexpr std::size_t kRing = 2 * kSide + 1;
  const auto nb = peaks.sample.size();
  std::vector<float> q(nb, 0.0f);
  if (nb == 0) return q;
  const std::int64_t n = ecg.size();
  const auto half = std::max<std::int64_t>(2, std::llround(0.1 * fs_hz));
  const auto len = static_cast<Eigen::Index>(2 * half + 1);
  // Unit-norm, detrended segments of beats b-8..b+8 in a ring of 17 columns (memory O(1) in the
  // recording length). Beats too close to an edge or touching non-finite samples score 0.
  Eigen::MatrixXf ring = Eigen::MatrixXf::Zero(len, static_cast<Eigen::Index>(kRing));
  std::vector<char> ok(kRing, 0);
  Eigen::VectorXd s(len);
  // Centred time axis for the least-squares line: t = -half..half, sum t = 0.
  const double st2 = static_cast<double>(half) * static_cast<double>(half + 1) * static_cast<double>(2 * half + 1) / 3.0;
  auto load = [&](std::size_t b) {  // segment of beat b into its ring slot
    const auto slot = static_cast<Eigen::Index>(b % kRing);
    ok[b % kRing] = 0;
    const std::int64_t p = peaks.sample[b];
    if (p - half < 0 || p + half >= n) return;
    s = ecg.segment(p - half, len);
    if (!s.allFinite()) return;
    const double mean = s.mean();
    double st = 0.0;
    for (Eigen::Index i = 0; i < len; ++i) st += static_cast<double>(i - half) * s[i];
    const double slope = st / st2;
    for (Eigen::Index i = 0; i < len; ++i) s[i] -= mean + slope * static_cast<double>(i - half);
    const double norm = s.norm();
    if (!(norm > 0.0) || !std::isfinite(norm)) return;
    ring.col(slot) = (s / norm).cast<float>();
    ok[b % kRing] = 1;
  };
  for (std::size_t b = 0; b < std::min(nb, kSide); ++b) load(b);
  Eigen::VectorXf tmpl(len);
  for (std::size_t b = 0; b < nb; ++b) {
    if (b + kSide < nb) load(b + kSide);  // overwrites the slot of beat b - kSide - 1
    if (!ok[b % kRing]) continue;
    const std::size_t lo = b >= kSide ? b - kSide : 0;
    const std::size_t hi = std::min(nb, b + kSide + 1);
    tmpl.setZero();
    int k = 0;
    for (std::size_t j = lo; j < hi; ++j) {  // in beat order, so the sum does not depend on slots
      if (j == b || !ok[j % kRing]) continue;
      tmpl += ring.col(static_cast<Eigen::Index>(j % kRing));
      ++k;
    }
    const float tn = tmpl.norm();
    if (k < 2 || !(tn > 0.0f)) continue;
    const float c = ring.col(static_cast<Eigen::Index>(b % kRing)).dot(tmpl) / tn;
    q[b] = std::clamp(c, 0.0f, 1.0f);
  }
  return q;
}

std::vector<float> window_sqi(const std::vector<float>& quality, const RPeaks& peaks, double fs_hz,
                              const std::vector<double>& window_end_s, double window_s) {
  std::vector<float> out(window_end_s.size(), 0.0f);
  const auto& pk = peaks.sample;
  for (std::size_t w = 0; w < window_end_s.size(); ++w) {
    const double a_s = window_end_s[w] - window_s, b_s = window_end_s[w];
    const auto a = static_cast<std::int64_t>(std::ceil(a_s * fs_hz));  // first sample in window
    const auto b = static_cast<std::int64_t>(std::ceil(b_s * fs_hz));  // one past the last
    if (b <= a) continue;
    std::int64_t bad = 0;
    for (const auto& seg : peaks.bad) {
      bad += std::max<std::int64_t>(0, std::min(b, seg.end_sample) - std::max(a, seg.begin_sample));
    }
    const double coverage = 1.0 - static_cast<double>(bad) / static_cast<double>(b - a);
    const auto first = std::lower_bound(pk.begin(), pk.end(), a);
    const auto last = std::lower_bound(pk.begin(), pk.end(), b);
    const auto k = last - first;
    if (k < 3) continue;
    double sum = 0.0;
    for (auto it = first; it != last; ++it) sum += static_cast<double>(quality[static_cast<std::size_t>(it - pk.begin())]);
    out[w] = static_cast<float>(std::clamp(coverage * sum / static_cast<double>(k), 0.0, 1.0));
  }
  return out;
}

}  // namespace ecgforest::signal

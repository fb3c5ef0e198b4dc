// Consumer of the installed ecgforest package (tests/install): HRV features of a hand-made RR
// series and a forest grown on a hand-made separable data set.
#include <cstdint>
#include <cstdio>
#include <vector>

#include "ecgforest/forest/forest.hpp"
#include "ecgforest/hrv/features.hpp"
#include "ecgforest/version.hpp"

namespace {

// R peaks 0.8 s and 0.9 s apart in turn for 12 s: every successive RR difference is 100 ms.
double rmssd_of_alternating_rr() {
  std::vector<double> peaks;
  double t = 0.0;
  for (int i = 0; t < 12.0; ++i) {
    peaks.push_back(t);
    t += (i % 2 == 0) ? 0.8 : 0.9;
  }
  ecgforest::hrv::WindowSpec spec;
  spec.features = {"rmssd"};
  const auto w = ecgforest::hrv::compute_window_features_s(peaks, 12.0, {}, spec);
  return w.values(0, 0);
}

// One feature x = 0..19, label 1 for x >= 10: every tree separates the classes.
ecgforest::forest::Forest forest_on_steps() {
  std::vector<float> x(20);
  std::vector<std::uint8_t> y(20);
  std::vector<std::uint32_t> rows(20);
  for (std::uint32_t i = 0; i < 20; ++i) {
    x[i] = static_cast<float>(i);
    y[i] = i >= 10 ? 1 : 0;
    rows[i] = i;
  }
  const auto xb = ecgforest::forest::BinnedMatrix::build(x.data(), 20, 1);
  ecgforest::forest::ForestParams params;
  params.n_trees = 10;
  return {ecgforest::forest::grow_trees(xb, y, rows, params, 0, 10), {"x"}};
}

}  // namespace

int main() {
  const auto forest = forest_on_steps();
  const float low = 2.0F, high = 17.0F;
  std::printf("version %s\n", ecgforest::kVersion);
  std::printf("rmssd %.3f\n", rmssd_of_alternating_rr());
  std::printf("p_low %.3f\n", static_cast<double>(forest.predict_proba(&low)));
  std::printf("p_high %.3f\n", static_cast<double>(forest.predict_proba(&high)));
  return 0;
}

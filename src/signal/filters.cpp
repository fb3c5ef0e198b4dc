#include "ecgforest/signal/filters.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>

#include "ecgforest/core/error.hpp"

namespace ecgforest::signal {
namespace {

void check_design(int order, double cutoff_hz, double fs_hz, const char* kind) {
  if (order < 2 || order % 2 != 0 || !(cutoff_hz > 0.0) || !(cutoff_hz < fs_hz / 2.0)) {
    std::ostringstream msg;
    msg << "Cannot design a Butterworth " << kind << " of order " << order << " at " << cutoff_hz
        << " Hz for a sampling rate of " << fs_hz
        << " Hz: the order must be even and >= 2 and the cut-off strictly between 0 and fs/2.";
    throw Error(msg.str());
  }
}

// Q of section k (1-based) of an order-N Butterworth: 1 / (2 cos((2k-1) pi / (2N))).
double section_q(int k, int order) {
  return 1.0 / (2.0 * std::cos((2.0 * k - 1.0) * std::numbers::pi / (2.0 * order)));
}

std::vector<Biquad> design(int order, double cutoff_hz, double fs_hz, bool highpass) {
  check_design(order, cutoff_hz, fs_hz, highpass ? "high-pass" : "low-pass");
  std::vector<Biquad> out;
  const double w0 = 2.0 * std::numbers::pi * cutoff_hz / fs_hz;  // bilinear, prewarped via tan
  const double cw = std::cos(w0);
  const double sw = std::sin(w0);
  for (int k = 1; k <= order / 2; ++k) {
    const double alpha = sw / (2.0 * section_q(k, order));
    const double a0 = 1.0 + alpha;
    Biquad s;
    if (highpass) {
      s.b0 = (1.0 + cw) / 2.0 / a0;
      s.b1 = -(1.0 + cw) / a0;
      s.b2 = s.b0;
    } else {
      s.b0 = (1.0 - cw) / 2.0 / a0;
      s.b1 = (1.0 - cw) / a0;
      s.b2 = s.b0;
    }
    s.a1 = -2.0 * cw / a0;
    s.a2 = (1.0 - alpha) / a0;
    out.push_back(s);
  }
  return out;
}

// Runs the first N sections of the cascade, fused into one pass over in[0..n) (forward or
// backward) into out (in == out allowed). Fusing lets the independent recursions of the
// sections overlap in the CPU pipeline instead of making N latency-bound passes.
template <int N, class T>
void run_fused(const Biquad* sec, const T* in, T* out, std::size_t n, bool backward) {
  if (n == 0) return;
  T b0[N], b1[N], b2[N], a1[N], a2[N], z1[N], z2[N];
  double x0 = static_cast<double>(backward ? in[n - 1] : in[0]);
  for (int k = 0; k < N; ++k) {
    b0[k] = static_cast<T>(sec[k].b0);
    b1[k] = static_cast<T>(sec[k].b1);
    b2[k] = static_cast<T>(sec[k].b2);
    a1[k] = static_cast<T>(sec[k].a1);
    a2[k] = static_cast<T>(sec[k].a2);
    // Steady state of the transposed direct form II for a constant input x0.
    const double y0 = x0 * sec[k].dc_gain();
    z2[k] = static_cast<T>(sec[k].b2 * x0 - sec[k].a2 * y0);
    z1[k] = static_cast<T>(sec[k].b1 * x0 - sec[k].a1 * y0 + (sec[k].b2 * x0 - sec[k].a2 * y0));
    x0 = y0;
  }
  auto step = [&](T x) {
    for (int k = 0; k < N; ++k) {
      const T y = b0[k] * x + z1[k];
      z1[k] = b1[k] * x - a1[k] * y + z2[k];
      z2[k] = b2[k] * x - a2[k] * y;
      x = y;
    }
    return x;
  };
  if (!backward) {
    for (std::size_t i = 0; i < n; ++i) out[i] = step(in[i]);
  } else {
    for (std::size_t i = n; i-- > 0;) out[i] = step(in[i]);
  }
}

template <class T>
void run_cascade(const std::vector<Biquad>& cascade, const T* in, T* out, std::size_t n, bool backward) {
  const T* src = in;
  std::size_t k = 0;
  while (k < cascade.size()) {
    const std::size_t left = cascade.size() - k;
    if (left >= 4) {
      run_fused<4>(&cascade[k], src, out, n, backward);
      k += 4;
    } else if (left == 3) {
      run_fused<3>(&cascade[k], src, out, n, backward);
      k += 3;
    } else if (left == 2) {
      run_fused<2>(&cascade[k], src, out, n, backward);
      k += 2;
    } else {
      run_fused<1>(&cascade[k], src, out, n, backward);
      k += 1;
    }
    src = out;
  }
  if (cascade.empty() && in != out) {
    for (std::size_t i = 0; i < n; ++i) out[i] = in[i];
  }
}

// kLanes independent signals interleaved (sample i of lane g at data[kLanes * i + g]), first N
// sections fused, in place. The lanes run in lock-step so the loop-carried latency of the
// recursion is shared by kLanes signals (the inner lane loops vectorise).
template <int N>
void run_fused_lanes(const Biquad* sec, float* data, std::size_t n, bool backward) {
  constexpr int G = kLanes;
  if (n == 0) return;
  float b0[N], b1[N], b2[N], a1[N], a2[N];
  alignas(32) float z1[N][G], z2[N][G];
  const float* first = backward ? data + G * (n - 1) : data;
  for (int g = 0; g < G; ++g) {
    double x0 = static_cast<double>(first[g]);
    for (int k = 0; k < N; ++k) {
      const double y0 = x0 * sec[k].dc_gain();
      z2[k][g] = static_cast<float>(sec[k].b2 * x0 - sec[k].a2 * y0);
      z1[k][g] = static_cast<float>(sec[k].b1 * x0 - sec[k].a1 * y0 + (sec[k].b2 * x0 - sec[k].a2 * y0));
      x0 = y0;
    }
  }
  for (int k = 0; k < N; ++k) {
    b0[k] = static_cast<float>(sec[k].b0);
    b1[k] = static_cast<float>(sec[k].b1);
    b2[k] = static_cast<float>(sec[k].b2);
    a1[k] = static_cast<float>(sec[k].a1);
    a2[k] = static_cast<float>(sec[k].a2);
  }
  auto step = [&](float* v) {
    alignas(32) float x[G];
    for (int g = 0; g < G; ++g) x[g] = v[g];
    for (int k = 0; k < N; ++k) {
      for (int g = 0; g < G; ++g) {
        const float y = b0[k] * x[g] + z1[k][g];
        z1[k][g] = b1[k] * x[g] - a1[k] * y + z2[k][g];
        z2[k][g] = b2[k] * x[g] - a2[k] * y;
        x[g] = y;
      }
    }
    for (int g = 0; g < G; ++g) v[g] = x[g];
  };
  if (!backward) {
    for (std::size_t i = 0; i < n; ++i) step(data + G * i);
  } else {
    for (std::size_t i = n; i-- > 0;) step(data + G * i);
  }
}

void run_cascade_lanes(const std::vector<Biquad>& cascade, float* data, std::size_t n, bool backward) {
  std::size_t k = 0;
  while (k < cascade.size()) {
    const std::size_t left = cascade.size() - k;
    if (left >= 2) {
      run_fused_lanes<2>(&cascade[k], data, n, backward);
      k += 2;
    } else {
      run_fused_lanes<1>(&cascade[k], data, n, backward);
      k += 1;
    }
  }
}

}  // namespace

void filtfilt_lanes(const std::vector<Biquad>& cascade, float* data, std::size_t n) {
  run_cascade_lanes(cascade, data, n, false);
  run_cascade_lanes(cascade, data, n, true);
}

std::vector<Biquad> butterworth_lowpass(int order, double cutoff_hz, double fs_hz) {
  return design(order, cutoff_hz, fs_hz, false);
}

std::vector<Biquad> butterworth_highpass(int order, double cutoff_hz, double fs_hz) {
  return design(order, cutoff_hz, fs_hz, true);
}

void filter_forward(const std::vector<Biquad>& cascade, const double* in, double* out, std::size_t n) {
  run_cascade(cascade, in, out, n, false);
}

void filtfilt(const std::vector<Biquad>& cascade, const double* in, double* out, std::size_t n) {
  run_cascade(cascade, in, out, n, false);
  run_cascade(cascade, out, out, n, true);
}

void filtfilt(const std::vector<Biquad>& cascade, const float* in, float* out, std::size_t n) {
  run_cascade(cascade, in, out, n, false);
  run_cascade(cascade, out, out, n, true);
}

void moving_average(const double* in, double* out, std::size_t n, std::size_t width) {
  if (n == 0) return;
  if (width < 1) width = 1;
  const std::size_t left = (width - 1) / 2;    // samples before i
  const std::size_t right = width - 1 - left;  // samples after i
  // Window of i is [i - left, i + right] clipped to [0, n). Head and tail shrink; the interior
  // uses a running sum with a fixed divisor.
  double sum = 0.0;
  std::size_t hi = 0;  // one past the last summed sample
  std::size_t lo = 0;  // first summed sample
  const std::size_t interior_begin = std::min(n, left);
  const std::size_t interior_end = n > right ? n - right : 0;  // i + right < n
  std::size_t i = 0;
  auto edge = [&](std::size_t idx) {
    const std::size_t want_hi = std::min(n, idx + right + 1);
    while (hi < want_hi) sum += in[hi++];
    const std::size_t want_lo = idx > left ? idx - left : 0;
    while (lo < want_lo) sum -= in[lo++];
    out[idx] = sum / static_cast<double>(hi - lo);
  };
  for (; i < interior_begin; ++i) edge(i);
  if (i < interior_end) {
    edge(i);  // brings hi/lo to the full window of i
    ++i;
    const double inv = 1.0 / static_cast<double>(width);
    for (; i < interior_end; ++i) {
      sum += in[i + right] - in[i - left - 1];
      out[i] = sum * inv;
    }
    hi = interior_end - 1 + right + 1;
    lo = interior_end - 1 - left;
  }
  for (; i < n; ++i) edge(i);
}

}  // namespace ecgforest::signal

#pragma once
// Small IIR filter toolkit for the R-peak detector: Butterworth biquad cascades designed with the
// bilinear transform, zero-phase forward-backward filtering and O(n) moving averages.
// Pure numeric code: no MPI, no threads, no I/O. Buffers are caller-owned (no allocation inside
// the per-sample loops).
#include <cstddef>
#include <vector>

namespace ecgforest::signal {

/// One second-order section, normalised so that a0 = 1:
/// y[n] = b0 x[n] + b1 x[n-1] + b2 x[n-2] - a1 y[n-1] - a2 y[n-2].
struct Biquad {
  double b0 = 1.0, b1 = 0.0, b2 = 0.0, a1 = 0.0, a2 = 0.0;
  /// DC gain H(z=1).
  [[nodiscard]] double dc_gain() const { return (b0 + b1 + b2) / (1.0 + a1 + a2); }
};

/// Butterworth low-pass of even `order` (2, 4, 6, ...) with -3 dB cut-off `cutoff_hz` at
/// sampling rate `fs_hz` (0 < cutoff_hz < fs_hz / 2), as order/2 biquads.
std::vector<Biquad> butterworth_lowpass(int order, double cutoff_hz, double fs_hz);
/// Butterworth high-pass, same conventions as butterworth_lowpass.
std::vector<Biquad> butterworth_highpass(int order, double cutoff_hz, double fs_hz);

/// Causal filtering of in[0..n) through the cascade into out[0..n) (in == out allowed). The
/// filter state starts in the steady state for a constant input equal to in[0], so a DC offset
/// produces no start-up transient.
void filter_forward(const std::vector<Biquad>& cascade, const double* in, double* out, std::size_t n);

/// Zero-phase filtering: forward pass, then backward pass (magnitude response squared, no
/// delay). in == out allowed.
void filtfilt(const std::vector<Biquad>& cascade, const double* in, double* out, std::size_t n);
/// Single-precision filtfilt (coefficients rounded to float, state in float); for well-damped
/// band-passes such as the detector's 8-20 Hz, not for sub-hertz cut-offs.
void filtfilt(const std::vector<Biquad>& cascade, const float* in, float* out, std::size_t n);

/// Number of signals filtfilt_lanes processes side by side.
inline constexpr int kLanes = 8;

/// filtfilt of kLanes signals of n samples each, interleaved in place (sample i of signal g at
/// data[kLanes * i + g]). Same arithmetic per lane as the float filtfilt, but sections are fused
/// two at a time (the float filtfilt fuses up to four), so a lane matches filtfilt exactly
/// for cascades of at most two sections.
void filtfilt_lanes(const std::vector<Biquad>& cascade, float* data, std::size_t n);

/// Centred moving average of in[0..n) over `width` samples (width >= 1; odd widths are exactly
/// centred), shrinking at the edges (mean over the samples that exist). in != out required.
void moving_average(const double* in, double* out, std::size_t n, std::size_t width);

}  // namespace ecgforest::signal

// The recurrent layers' time loops (baseline code). The dynamic quantized one (PyTorch's
// QuantizedCellParamsDynamic on CPU): per step the hidden state is quantized to quint8 with
// qparams from its range, the hidden projection runs as a dynamic linear (float output, bias_hh
// added), and the gates combine it with the step's precomputed input projection. The float one
// projects h with the float32 GEMM instead.
#pragma once

#include <cstddef>
#include <cstdint>

#include "qtorch/kernels.h"
#include "qtorch/qgemm.h"

namespace qtorch {

// Cell kinds (the values the N-API layer receives).
enum class RnnCell : int { Lstm = 0, Gru = 1, Tanh = 2, Relu = 3 };

// Gate blocks per cell: LSTM 4 (i, f, g, o), GRU 3 (r, z, n), Elman 1.
size_t RnnGateCount(RnnCell cell);

// One batch row of `cell`'s gates with the active ISA's kernel (the layer's step runs these; the
// native-check driver tests them alone on every ISA).
void RunRnnGates(RnnCell cell, const RnnGatesArgs& args);

// What the time loop of any layer-direction holds: its shape, its input projection, its states.
struct RnnLayer {
  RnnCell cell = RnnCell::Lstm;
  size_t steps = 0, batch = 0, hidden = 0;
  const float* igates = nullptr;  // steps x batch x gates*hidden
  const float* h0 = nullptr;      // batch x hidden
  float* c = nullptr;             // LSTM: batch x hidden, c0 in, the final c out
  float* output = nullptr;        // steps x batch x hidden (time order); must not overlap the inputs
  bool reverse = false;           // last step first
};

// The time loop of one layer-direction: every step's h quantized with qparams chosen from its
// range (ChooseQparamsU8), projected, and combined by the gates with the reference's numerics.
struct DynamicRnnLayer : RnnLayer {
  bool reduceRange = false;  // h quantized to 0..127
  const PackedWeights* whh = nullptr;
  const double* weightScales = nullptr;
  size_t weightScaleCount = 1;
  const float* bias = nullptr;
};

// Runs the steps in order; returns how many ran: fewer than `steps` when the h of the next one
// has no finite range (NaN or +-Inf), which the caller reports.
size_t RunDynamicRnnLayer(const DynamicRnnLayer& l);

// The float layer (nn's RNN / LSTM / GRU at inference): each step's hidden projection
// h W_hh^T + b_hh through the float32 GEMM, W_hh packed once for the whole sequence, so every
// step gets the same floats SGemm gives (and so qtensor's linear on this ISA); then the gates.
struct FloatRnnLayer : RnnLayer {
  const float* whh = nullptr;   // gates*hidden x hidden, contiguous
  const float* bias = nullptr;  // b_hh (gates*hidden) or null
};

void RunFloatRnnLayer(const FloatRnnLayer& l);

// The gates' float32 sigmoid and tanh over whole tensors (qtensor's float `sigmoid` / `tanh`,
// bit for bit), on the pool. y may be x (in place), not a partial overlap.
enum class FloatActivation : int { Sigmoid = 0, Tanh = 1 };
void RunFloatActivation(FloatActivation kind, const float* x, size_t n, float* y);

}  // namespace qtorch

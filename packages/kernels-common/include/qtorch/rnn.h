// One time step of the dynamic quantized recurrent cells (PyTorch's QuantizedCellParamsDynamic
// on CPU; baseline code): the hidden state is quantized to quint8 with the caller's qparams, the
// hidden projection runs as a dynamic linear (float output, bias_hh added), and the gates combine
// it with the step's precomputed input projection.
#pragma once

#include <cstddef>
#include <cstdint>

#include "qtorch/qgemm.h"

namespace qtorch {

// Cell kinds (the values the N-API layer receives).
enum class RnnCell : int { Lstm = 0, Gru = 1, Tanh = 2, Relu = 3 };

// Gate blocks per cell: LSTM 4 (i, f, g, o), GRU 3 (r, z, n), Elman 1.
size_t RnnGateCount(RnnCell cell);

struct DynamicRnnStep {
  RnnCell cell = RnnCell::Lstm;
  size_t batch = 0, hidden = 0;
  const float* igates = nullptr;  // batch x gates*hidden: x W_ih^T + b_ih of this step
  const float* h = nullptr;       // batch x hidden
  float* c = nullptr;             // LSTM: batch x hidden, updated in place
  float* hOut = nullptr;          // batch x hidden; must not overlap the inputs
  const PackedWeights* whh = nullptr;  // gates*hidden x hidden
  double inScale = 1.0;                // qparams of h (quint8)
  int32_t inZeroPoint = 0;
  const double* weightScales = nullptr;  // 1 or gates*hidden
  size_t weightScaleCount = 1;
  const float* bias = nullptr;  // b_hh (gates*hidden) or null
};

// h' (and c') = cell(igates, dynamic_linear(h, W_hh, b_hh)) with the reference's numerics.
void RunDynamicRnnStep(const DynamicRnnStep& s);

// The time loop of one layer-direction: every step's h quantized with qparams chosen from its
// range (ChooseQparamsU8), then RunDynamicRnnStep.
struct DynamicRnnLayer {
  RnnCell cell = RnnCell::Lstm;
  size_t steps = 0, batch = 0, hidden = 0;
  const float* igates = nullptr;  // steps x batch x gates*hidden
  const float* h0 = nullptr;      // batch x hidden
  float* c = nullptr;             // LSTM: batch x hidden, c0 in, the final c out
  float* output = nullptr;        // steps x batch x hidden (time order); must not overlap the inputs
  bool reverse = false;           // last step first
  bool reduceRange = false;       // h quantized to 0..127
  const PackedWeights* whh = nullptr;
  const double* weightScales = nullptr;
  size_t weightScaleCount = 1;
  const float* bias = nullptr;
};

// Runs the steps in order; returns how many ran: fewer than `steps` when the h of the next one
// has no finite range (NaN or +-Inf), which the caller reports.
size_t RunDynamicRnnLayer(const DynamicRnnLayer& l);

}  // namespace qtorch

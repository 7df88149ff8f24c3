// Activation qparams chosen from a range, natively: what the dynamic recurrent layer needs every
// step without a trip to JavaScript.
#pragma once

#include <cstdint>

namespace qtorch {

struct Qparams {
  double scale = 1.0;
  int32_t zeroPoint = 0;
};

// PyTorch's ChooseQuantizationParams(lo, hi, 0, 255 (0, 127 with reduceRange)) for quint8,
// without preserve_sparsity / force_scale_power_of_two: exactly qtensor's
// chooseQuantizationParams (float32 range, double scale, the same operations in the same
// order). False for a non-finite lo or hi (the caller reports it; qtensor's message is the one
// users see).
bool ChooseQparamsU8(float lo, float hi, bool reduceRange, Qparams* out);

}  // namespace qtorch

// ChooseQparamsU8 (qparams.h): qtensor's src/quantized/choose_qparams.ts statement by statement;
// `f32` there is a cast to float here, every other operation is double as in JavaScript.
#include "qtorch/qparams.h"

#include <cmath>

namespace qtorch {
namespace {

// fp16's smallest normal, rounded to float32 as qtensor's SMALL_SCALE_THRESHOLD
const double kSmallScale = static_cast<float>(6.1e-5);

double F32(double v) { return static_cast<float>(v); }

}  // namespace

bool ChooseQparamsU8(float lo, float hi, bool reduceRange, Qparams* out) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo <= hi)) return false;
  const double qmin = 0, qmax = reduceRange ? 127 : 255;
  // Math.min(lo, 0) / Math.max(hi, 0), signed zeros included: min(-0, 0) = -0, max(-0, 0) = +0
  double min = lo < 0 || (lo == 0 && std::signbit(lo)) ? static_cast<double>(lo) : 0.0;
  double max = hi > 0 ? static_cast<double>(hi) : 0.0;
  double scale = (max - min) / (qmax - qmin);
  if (F32(scale) == 0 || !std::isfinite(F32(1 / F32(scale)))) scale = 0.1;
  if (scale < kSmallScale) {
    const double orgScale = F32(scale);
    scale = kSmallScale;
    if (min == 0) {
      max = F32(kSmallScale * (qmax - qmin));
    } else if (max == 0) {
      min = F32(-kSmallScale * (qmax - qmin));
    } else {
      const double amplifier = F32(kSmallScale / orgScale);
      min = F32(min * amplifier);
      max = F32(max * amplifier);
    }
  }
  const double zpFromMin = qmin - min / scale, zpFromMax = qmax - max / scale;
  const double zpFromMinError = std::fabs(qmin) - std::fabs(min / scale);
  const double zpFromMaxError = std::fabs(qmax) - std::fabs(max / scale);
  const double initial = zpFromMinError < zpFromMaxError ? zpFromMin : zpFromMax;
  // rint: half to even (the default rounding mode)
  const double zp = initial < qmin ? qmin : initial > qmax ? qmax : std::nearbyint(initial);
  out->scale = scale;
  out->zeroPoint = static_cast<int32_t>(zp);
  return true;
}

}  // namespace qtorch

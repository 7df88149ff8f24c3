// Runs one test vector through the kernels' public C++ API (qgemm.h, qops.h), as the addons
// call it, and compares the outputs with the case's expectations.
#pragma once

#include <string>

#include "vectors.h"

namespace native_check {

// Empty when every output matches its `expect_*` field (integers and float32 bit for bit, any
// NaN matching any NaN; float64 with an `_magnitude` field within float32 rounding), else
// what differs first. Throws std::runtime_error for an unknown op or a malformed case.
std::string RunAndCompare(const Case& c);

}  // namespace native_check

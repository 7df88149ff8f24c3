// Native vs reference kernels, bit-exact on every ISA and for any thread count; weight packing.
import { describeDifferential, describeQuantizeDequantize, describeThreads, describeWeightCache } from '../../kernels-common/test-suite/ops.js';
import { describeConvPaths } from '../../kernels-common/test-suite/conv.js';
import { addon } from './addon.js';

describeDifferential(addon);
describeQuantizeDequantize(addon);
describeWeightCache(addon);
describeThreads(addon);
describeConvPaths(addon);

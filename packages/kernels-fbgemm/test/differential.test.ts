// Native vs reference kernels, bit-exact on every ISA; weight packing and caching.
import { describeDifferential, describeQuantizeDequantize, describeWeightCache } from '../../kernels-common/test-suite/ops.js';
import { addon } from './addon.js';

describeDifferential(addon);
describeQuantizeDequantize(addon);
describeWeightCache(addon);

// The quantized-op conformance suite (golden PyTorch cases + randomized) with this addon active.
import { describeNativeConformance } from '../../kernels-common/test-suite/ops.js';
import { addon } from './addon.js';

describeNativeConformance(addon);

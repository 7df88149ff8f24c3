// Native activations, mul, scalar ops and pools vs the reference; their argument validation.
import { describeElementwiseOps } from '../../kernels-common/test-suite/elementwise.js';
import { addon } from './addon.js';

describeElementwiseOps(addon);

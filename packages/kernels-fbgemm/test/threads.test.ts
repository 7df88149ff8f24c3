// The intra-op thread pool: bit-exact results for any thread count.
import { describeThreads } from '../../kernels-common/test-suite/ops.js';
import { addon } from './addon.js';

describeThreads(addon);

// dispose() of packed weights: native memory freed early, later use throws.
import { describePackedWeightsDispose } from '../../kernels-common/test-suite/dispose.js';
import { addon } from './addon.js';

describePackedWeightsDispose(addon);

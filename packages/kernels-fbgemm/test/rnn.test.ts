// The native recurrent layers of this addon against the step-by-step references: the dynamic
// quantized one (qtorch::rnn_dynamic_layer) and the float one (kernels::rnn_float_layer).
import { describeRnn } from '../../kernels-common/test-suite/rnn.js';
import { describeRnnFloat } from '../../kernels-common/test-suite/rnn_float.js';
import { addon } from './addon.js';

describeRnn(addon);
describeRnnFloat(addon);

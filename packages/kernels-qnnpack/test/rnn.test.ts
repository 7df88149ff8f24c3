// The native dynamic recurrent layer (qtorch::rnn_dynamic_layer) of this addon against the step-by-step reference.
import { describeRnn } from '../../kernels-common/test-suite/rnn.js';
import { addon } from './addon.js';

describeRnn(addon);

/**
 * @qtorch/nn-quantized/dynamic: torch.ao.nn.quantized.dynamic. Float in, float out; weights
 * quantized once (qint8, or float16 on fbgemm), activations quantized per call.
 *
 * @example
 * ```ts
 * import { Linear } from '@qtorch/nn-quantized/dynamic';
 * import { randn, float16 } from '@qtorch/qtensor';
 * const fc = new Linear(8, 4);                   // or Linear.fromFloat(floatLinearWithQconfig)
 * const y = fc.call(randn([2, 8]));              // float32 [2, 4]
 * ```
 */
export { Linear } from './linear.js';
export {
  CellParams, PackedParameter, RNNBase, LSTM, GRU, RNNCellBase, RNNCell, LSTMCell, GRUCell, type DynamicRNNOptions, type DynamicRNNCellOptions,
} from './rnn.js';
export { fxLeafModules } from '../fx_leaves.js';

/** `ReuseInputObserver`: FX marks an op (reshape, ...) to reuse its input's observer. */
import { type Tensor, QTorchValueError, quint8 } from '@qtorch/qtensor';
import { ObserverBase } from './base.js';

/** Observes nothing; its output shares the input's qparams (FX graph mode only). */
export class ReuseInputObserver extends ObserverBase {
  /** Takes no options: the output reuses the input's qparams. */
  constructor() {
    super({ dtype: quint8 });
  }

  override forward(x: Tensor): Tensor {
    return x;
  }

  override calculateQparams(): [Tensor, Tensor] {
    throw new QTorchValueError('calculate_qparams should not be called for ReuseInputObserver');
  }
}

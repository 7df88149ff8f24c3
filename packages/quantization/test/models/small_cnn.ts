/** The small CNN of golden area F (workflows/eager_ptq.json, `model_source`), shared by tests. */
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Linear, Module, ReLU } from '@qtorch/nn';
import { FloatFunctional } from '@qtorch/nn-quantized';
import type { Tensor } from '@qtorch/qtensor';
import { DeQuantStub, QuantStub } from '../../src/eager/stubs.js';

export class SmallCNN extends Module {
  quant = new QuantStub();
  conv1 = new Conv2d(3, 8, 3);
  bn1 = new BatchNorm2d(8);
  relu1 = new ReLU();
  conv2 = new Conv2d(8, 8, 3, { padding: 1, groups: 8 });
  relu2 = new ReLU();
  skip_add = new FloatFunctional();
  pool = new AdaptiveAvgPool2d(1);
  fc = new Linear(8, 10);
  dequant = new DeQuantStub();

  forward(input: Tensor): Tensor {
    let x = this.quant.call(input);
    x = this.relu1.call(this.bn1.call(this.conv1.call(x)));
    const y = this.relu2.call(this.conv2.call(x));
    x = this.skip_add.add(x, y);
    x = this.pool.call(x).flatten(1);
    return this.dequant.call(this.fc.call(x));
  }
}

/** Models shared by the fx tests. */
import { BatchNorm2d, Conv2d, Linear, Module, ReLU } from '@qtorch/nn';
import * as F from '@qtorch/nn/functional';
import type { Tensor } from '@qtorch/qtensor';
import { torch } from '../src/index.js';

/** conv -> bn -> relu (a user module: traced through). */
export class ConvBnRelu extends Module {
  conv: Conv2d;
  bn: BatchNorm2d;
  relu = new ReLU();
  constructor(cin: number, cout: number) {
    super();
    this.conv = new Conv2d(cin, cout, 3, { padding: 1 });
    this.bn = new BatchNorm2d(cout);
  }
  forward(x: Tensor): Tensor {
    return this.relu.call(this.bn.call(this.conv.call(x)));
  }
}

/** A small CNN: conv-bn-relu block, residual add, flatten, linear. */
export class SmallCnn extends Module {
  block: ConvBnRelu;
  conv2: Conv2d;
  fc: Linear;
  constructor() {
    super();
    this.block = new ConvBnRelu(3, 4);
    this.conv2 = new Conv2d(4, 4, 3, { padding: 1 });
    this.fc = new Linear(4 * 4 * 4, 5);
  }
  forward(x: Tensor): Tensor {
    const y = this.block.call(x);
    const z = F.relu(this.conv2.call(y)).add(y); // residual
    return this.fc.call(torch.flatten(z, 1));
  }
}

/** PyTorch's FxNet of the golden workflows/fx.json fixture. */
export class FxNet extends Module {
  conv1 = new Conv2d(3, 4, 3, { padding: 1 });
  conv2 = new Conv2d(3, 4, 1);
  fc = new Linear(8, 5);
  forward(x: Tensor): Tensor {
    const a = F.relu(this.conv1.call(x));
    const b = this.conv2.call(x);
    const c = torch.add(a, b);
    const d = torch.cat([a, c], 1);
    let e = F.adaptiveAvgPool2d(d, 1);
    e = torch.flatten(e, 1);
    return F.relu(this.fc.call(e));
  }
}

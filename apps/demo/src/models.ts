/**
 * The demo's float models.
 *
 * `DemoCnn`: Conv-BN-ReLU blocks, a residual block whose add runs through a FloatFunctional
 * (so eager mode can observe and quantize it), max pooling and a Linear head, between a
 * QuantStub and a DeQuantStub: the shape of PyTorch's eager static quantization tutorial.
 * `DemoMlp`: a Linear-ReLU-Linear classifier, the model for dynamic quantization.
 */
import type { Tensor } from '@qtorch/qtensor';
import { BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, Module, ReLU } from '@qtorch/nn';
import { FloatFunctional } from '@qtorch/nn-quantized';
import { DeQuantStub, QuantStub } from '@qtorch/quantization';
import { IMAGE_SIZE } from './data.js';

const CLASSES = 10;

/** Conv2d(3x3, same padding) -> BatchNorm2d -> ReLU, under the names fuseModules expects. */
export class ConvBnRelu extends Module {
  conv: Conv2d;
  bn: BatchNorm2d;
  relu: ReLU;
  constructor(inChannels: number, outChannels: number) {
    super();
    this.conv = new Conv2d(inChannels, outChannels, 3, { padding: 1, bias: false });
    this.bn = new BatchNorm2d(outChannels);
    this.relu = new ReLU();
  }
  forward(x: Tensor): Tensor {
    return this.relu.call(this.bn.call(this.conv.call(x)));
  }
}

/** Two 3x3 convs with a skip connection: relu(bn2(conv2(relu(bn1(conv1 x)))) + x). */
export class ResidualBlock extends Module {
  conv1: Conv2d;
  bn1: BatchNorm2d;
  relu1: ReLU;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  skip: FloatFunctional;
  relu2: ReLU;
  constructor(channels: number) {
    super();
    this.conv1 = new Conv2d(channels, channels, 3, { padding: 1, bias: false });
    this.bn1 = new BatchNorm2d(channels);
    this.relu1 = new ReLU();
    this.conv2 = new Conv2d(channels, channels, 3, { padding: 1, bias: false });
    this.bn2 = new BatchNorm2d(channels);
    this.skip = new FloatFunctional();
    this.relu2 = new ReLU();
  }
  forward(x: Tensor): Tensor {
    const y = this.bn2.call(this.conv2.call(this.relu1.call(this.bn1.call(this.conv1.call(x)))));
    return this.relu2.call(this.skip.add(y, x));
  }
}

/** Channel widths and head size of the CNN. */
export interface CnnConfig {
  channels: number;
  hidden: number;
}

/** The defaults: small enough to train in well under a minute on two cores. */
export const DEFAULT_CNN: CnnConfig = { channels: 8, hidden: 128 };

/**
 * quant -> stem (28x28) -> pool -> residual block (14x14) -> pool -> widen (7x7) ->
 * flatten -> fc1 -> relu -> fc2 -> dequant.
 */
export class DemoCnn extends Module {
  quant: QuantStub;
  stem: ConvBnRelu;
  pool1: MaxPool2d;
  block: ResidualBlock;
  pool2: MaxPool2d;
  widen: ConvBnRelu;
  flatten: Flatten;
  fc1: Linear;
  relu: ReLU;
  fc2: Linear;
  dequant: DeQuantStub;
  constructor(readonly config: CnnConfig = DEFAULT_CNN) {
    super();
    const c = config.channels, side = IMAGE_SIZE / 4;
    this.quant = new QuantStub();
    this.stem = new ConvBnRelu(1, c);
    this.pool1 = new MaxPool2d(2);
    this.block = new ResidualBlock(c);
    this.pool2 = new MaxPool2d(2);
    this.widen = new ConvBnRelu(c, 2 * c);
    this.flatten = new Flatten();
    this.fc1 = new Linear(2 * c * side * side, config.hidden);
    this.relu = new ReLU();
    this.fc2 = new Linear(config.hidden, CLASSES);
    this.dequant = new DeQuantStub();
  }
  forward(x: Tensor): Tensor {
    // The stubs' forward is generic (identity on any value), so their call() result is typed unknown.
    let h = this.pool1.call(this.stem.call(this.quant.call(x) as Tensor));
    h = this.pool2.call(this.block.call(h));
    h = this.flatten.call(this.widen.call(h));
    return this.dequant.call(this.fc2.call(this.relu.call(this.fc1.call(h)))) as Tensor;
  }
}

/** The module groups `fuseModules` folds (conv+bn+relu, conv+bn, linear+relu). */
export const CNN_FUSION_GROUPS: string[][] = [
  ['stem.conv', 'stem.bn', 'stem.relu'],
  ['block.conv1', 'block.bn1', 'block.relu1'],
  ['block.conv2', 'block.bn2'],
  ['widen.conv', 'widen.bn', 'widen.relu'],
  ['fc1', 'relu'],
];

/** flatten -> fc1 -> relu -> fc2: the model of the dynamic quantization path. */
export class DemoMlp extends Module {
  flatten: Flatten;
  fc1: Linear;
  relu: ReLU;
  fc2: Linear;
  constructor(readonly hidden = 128) {
    super();
    this.flatten = new Flatten();
    this.fc1 = new Linear(IMAGE_SIZE * IMAGE_SIZE, hidden);
    this.relu = new ReLU();
    this.fc2 = new Linear(hidden, CLASSES);
  }
  forward(x: Tensor): Tensor {
    return this.fc2.call(this.relu.call(this.fc1.call(this.flatten.call(x))));
  }
}

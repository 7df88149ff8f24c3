/**
 * The two small models of the `models` suite as data, so our builder (build.ts) and the PyTorch
 * peer (assets/torch_peer.py) construct the same network: a ResNet-like (basic blocks) and a
 * MobileNetV2-like (inverted residuals) classifier. Conv + ReLU pairs are fused before
 * quantization, as the torchvision quantizable models do (ReLU in place of ReLU6).
 */
import { convOut } from '../specs.js';

/** `basic`: two 3x3 convs and a (1x1-projected when the shape changes) skip; `ir`: 1x1 expand, 3x3 depthwise, 1x1 project. */
export type Block = { type: 'basic'; cout: number; stride: number } | { type: 'ir'; cout: number; stride: number; expand: number };

export interface Arch {
  /** Stem: 3x3 conv from 3 channels, stride 2, + ReLU. */
  stem: number;
  /** 3x3 / 2 max pool after the stem. */
  maxpool: boolean;
  blocks: Block[];
  /** 1x1 conv + ReLU before pooling (0: none). */
  head: number;
  classes: number;
}

export const ARCHS: Record<'resnet' | 'mobilenetv2', Arch> = {
  resnet: {
    stem: 16, maxpool: true, head: 0, classes: 10,
    blocks: [{ type: 'basic', cout: 16, stride: 1 }, { type: 'basic', cout: 32, stride: 2 }, { type: 'basic', cout: 64, stride: 2 }],
  },
  mobilenetv2: {
    stem: 16, maxpool: false, head: 128, classes: 10,
    blocks: [
      { type: 'ir', cout: 16, stride: 1, expand: 1 }, { type: 'ir', cout: 24, stride: 2, expand: 6 }, { type: 'ir', cout: 24, stride: 1, expand: 6 },
      { type: 'ir', cout: 32, stride: 2, expand: 6 }, { type: 'ir', cout: 32, stride: 1, expand: 6 },
    ],
  },
};

/** Multiply-adds x 2 of one forward pass on a (1, 3, size, size) input (convs and the classifier). */
export function archOps(a: Arch, size: number): number {
  let ops = 0, hw = size, c = 3;
  const conv = (cin: number, cout: number, k: number, s: number, groups = 1): void => {
    const out = convOut(hw, k, s, (k - 1) / 2);
    ops += 2 * cout * out * out * (cin / groups) * k * k;
    hw = out;
  };
  conv(c, a.stem, 3, 2);
  c = a.stem;
  if (a.maxpool) hw = convOut(hw, 3, 2, 1);
  for (const b of a.blocks) {
    if (b.type === 'basic') {
      conv(c, b.cout, 3, b.stride);
      conv(b.cout, b.cout, 3, 1);
      if (b.stride !== 1 || c !== b.cout) ops += 2 * b.cout * hw * hw * c; // 1x1 projection of the skip
    } else {
      const hidden = c * b.expand;
      if (b.expand !== 1) conv(c, hidden, 1, 1);
      conv(hidden, hidden, 3, b.stride, hidden);
      conv(hidden, b.cout, 1, 1);
    }
    c = b.cout;
  }
  if (a.head) {
    conv(c, a.head, 1, 1);
    c = a.head;
  }
  return ops + 2 * c * a.classes;
}

/**
 * The qtorch demo. Until the quantization toolchain lands, it shows the foundation: a float
 * tensor computation with autograd. (The full demo quantizes a real MNIST model three ways.)
 */
import { tensor } from '@qtorch/qtensor';

export function runDemo(log: (line: string) => void = console.log): number {
  const w = tensor([[0.5, -1.0], [2.0, 0.25]], { requiresGrad: true });
  const x = tensor([[1.0], [3.0]]);
  const y = w.reshape(4).slice(0, 1, 3);
  y.backward(tensor([1, 1]));
  log('qtorch demo (foundation): autograd through views');
  log(`  w = ${JSON.stringify(w.tolist())}, x = ${JSON.stringify(x.tolist())}`);
  log(`  d(w.reshape(4)[1:3].sum())/dw = ${JSON.stringify(w.grad!.tolist())}`);
  return w.grad!.toArray().reduce((a, b) => a + b, 0);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) runDemo();

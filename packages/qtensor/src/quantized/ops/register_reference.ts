/**
 * Registers every TypeScript reference kernel of the quantized operators for both engines
 * (`source: 'reference'`). Native addons register `'native'` kernels of the same names, which
 * take precedence. Runs once on import (idempotent).
 */
import { ENGINES, type Engine, listKernels, registerKernel } from '../../registry.js';
import { ACTIVATION_KERNELS } from './activation.js';
import { addKernel, addScalarKernel, matmulKernel, mulKernel, mulScalarKernel } from './binary.js';
import { catKernel } from './cat.js';
import { convKernel } from './conv.js';
import { adaptiveAvgPoolKernel, avgPoolKernel, maxPoolKernel } from './pool.js';
import { linearDynamicFp16Kernel, linearDynamicKernel, linearKernel } from './linear.js';
import { EXT_REFERENCE_KERNELS } from './ext_kernels.js';

type KernelFactory = (engine: Engine) => (...args: never[]) => unknown;

/** op name -> factory of its reference kernel for an engine. */
const REFERENCE_KERNELS: ReadonlyArray<[string, KernelFactory]> = [
  ['quantized::linear', (e) => linearKernel(e, false)],
  ['quantized::linear_relu', (e) => linearKernel(e, true)],
  ['quantized::linear_dynamic', (e) => linearDynamicKernel(e, false)],
  ['quantized::linear_relu_dynamic', (e) => linearDynamicKernel(e, true)],
  ['quantized::linear_dynamic_fp16', () => linearDynamicFp16Kernel],
  ['quantized::add', () => addKernel(false)],
  ['quantized::add_relu', () => addKernel(true)],
  ['quantized::mul', () => mulKernel(false)],
  ['quantized::mul_relu', () => mulKernel(true)],
  ['quantized::add_scalar', () => addScalarKernel(false)],
  ['quantized::add_scalar_relu', () => addScalarKernel(true)],
  ['quantized::mul_scalar', () => mulScalarKernel(false)],
  ['quantized::mul_scalar_relu', () => mulScalarKernel(true)],
  ['quantized::matmul', () => matmulKernel],
  ['quantized::cat', () => catKernel(false)],
  ['quantized::cat_relu', () => catKernel(true)],
  ...Object.entries(ACTIVATION_KERNELS).map(([op, k]): [string, KernelFactory] => [op, () => k]),
  ['quantized::max_pool1d', () => maxPoolKernel],
  ['quantized::max_pool2d', () => maxPoolKernel],
  ['quantized::avg_pool2d', (e) => avgPoolKernel(e)],
  ['quantized::avg_pool3d', (e) => avgPoolKernel(e)],
  ['quantized::adaptive_avg_pool2d', () => adaptiveAvgPoolKernel],
  ['quantized::adaptive_avg_pool3d', () => adaptiveAvgPoolKernel],
  ...[1, 2, 3].flatMap((d): Array<[string, KernelFactory]> => [
    [`quantized::conv${d}d`, (e) => convKernel(e, false)],
    [`quantized::conv${d}d_relu`, (e) => convKernel(e, true)],
    [`quantized::conv_transpose${d}d`, (e) => convKernel(e, false)],
  ]),
  ...EXT_REFERENCE_KERNELS,
];

/** Registers the reference kernels of every quantized op for both engines (no-op when already done). */
export function registerReferenceQuantizedKernels(): void {
  const have = new Set(listKernels().filter((k) => k.source === 'reference').map((k) => `${k.op}@${k.engine}`));
  for (const [op, factory] of REFERENCE_KERNELS) {
    for (const engine of ENGINES) {
      if (have.has(`${op}@${engine}`)) continue;
      registerKernel({ op, engine, source: 'reference', impl: factory(engine) });
    }
  }
}

/** Names of the ops that have reference kernels. */
export function referenceQuantizedOps(): string[] {
  return REFERENCE_KERNELS.map(([op]) => op);
}

registerReferenceQuantizedKernels();

/**
 * onnxruntime-node peer (an optional dependency of the bench): runs the models of
 * onnx_models.ts in-process with intraOpNumThreads = T, timed in the same group as ours.
 */
import { firstLine } from '../addons.js';
import type { CaseSpec } from '../specs.js';
import { type OnnxCase, onnxCases } from './onnx_models.js';
import { type Peer, type PeerSession, peerCase } from './types.js';

/** The slice of onnxruntime-node's API the bench uses. */
interface Ort {
  env: { versions?: { node?: string } };
  Tensor: new (type: string, data: Float32Array | Uint8Array, dims: readonly number[]) => unknown;
  InferenceSession: {
    create(model: Uint8Array, options: Record<string, unknown>): Promise<{ run(feeds: Record<string, unknown>): Promise<unknown>; release?(): Promise<void> }>;
  };
}

/** Imports onnxruntime-node (variable specifier: it is optional and untyped here), or says why not. */
export async function loadOrt(): Promise<Ort | string> {
  try {
    const spec = 'onnxruntime-node';
    const mod = (await import(spec)) as Ort & { default?: Ort };
    return mod.InferenceSession ? mod : mod.default!;
  } catch (err) {
    return firstLine(err);
  }
}

const ORT_TYPE = { float: 'float32', uint8: 'uint8', int8: 'int8', int32: 'int32', int64: 'int64' } as const;

async function sessionCase(ort: Ort, spec: CaseSpec, c: OnnxCase, threads: number) {
  const session = await ort.InferenceSession.create(c.model, {
    intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
  });
  const feeds = Object.fromEntries(Object.entries(c.feeds).map(([k, f]) => [k, new ort.Tensor(ORT_TYPE[f.elem], f.data, f.dims)]));
  const bench = peerCase(spec, threads, { impl: 'onnxruntime', engine: c.label, dtype: c.dtype, run: () => session.run(feeds) });
  return { bench, release: () => session.release?.() };
}

/** onnxruntime-node in this process: one session per model of a case and thread count. */
function openSession(ort: Ort): PeerSession {
  const without = new Set<string>();
  return {
    lines: [`onnxruntime-node ${ort.env.versions?.node ?? '?'}: QLinearMatMul / MatMulInteger / QLinearConv / DynamicQuantizeLSTM / Quantize- and DequantizeLinear, fp32 Gemm / Conv / MatMul`],
    async cases(spec, threads) {
      const models = onnxCases(spec);
      if (models.length === 0) without.add(`${spec.suite}: ${spec.kind}`);
      try {
        const built = await Promise.all(models.map((c) => sessionCase(ort, spec, c, threads)));
        return { cases: built.map((b) => b.bench), lines: [], release: async () => void (await Promise.all(built.map((b) => b.release()))) };
      } catch (err) {
        return { cases: [], lines: [`onnxruntime: skipped ${spec.suite} ${spec.case} (${firstLine(err)})`], release: async () => {} };
      }
    },
    async close() {
      return without.size ? [`onnxruntime: no model for ${[...without].join(', ')}`] : [];
    },
  };
}

export const onnxruntimePeer: Peer = {
  name: 'onnxruntime',
  async open() {
    const ort = await loadOrt();
    return typeof ort === 'string' ? `onnxruntime-node cannot load: ${ort}` : openSession(ort);
  },
};

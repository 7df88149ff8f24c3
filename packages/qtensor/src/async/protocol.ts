/**
 * The messages between an `InferencePool` and its workers, and the tensor transport: tensors
 * travel as one safetensors buffer (quantized tensors keep their integer data and qparams; views
 * are gathered), whose ArrayBuffer is transferred, not copied, across the thread boundary.
 */
import { QTorchEngineError, QTorchError, QTorchSerializationError, QTorchShapeError, QTorchTypeError, QTorchValueError } from '../errors.js';
import { loadSafetensors, saveSafetensors } from '../serialize/safetensors.js';
import type { Tensor } from '../tensor.js';

/** Host -> worker: run the handler on the encoded tensors. */
export interface RunMessage {
  type: 'run';
  id: number;
  payload: Uint8Array;
}

/** An error as it crosses the thread boundary. */
export interface ErrorRecord {
  name: string;
  message: string;
  stack?: string;
}

/** Worker -> host. */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'init-error'; error: ErrorRecord }
  | { type: 'result'; id: number; payload: Uint8Array; single: boolean }
  | { type: 'error'; id: number; error: ErrorRecord };

/** Tensors -> one transferable buffer (names '0', '1', ... keep the order). */
export function encodeTensors(tensors: readonly Tensor[]): Uint8Array {
  const bytes = saveSafetensors(Object.fromEntries(tensors.map((t, i) => [String(i), t])));
  // a view into a larger buffer cannot be transferred alone
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

/** The buffer from `encodeTensors` -> tensors, in order. */
export function decodeTensors(payload: Uint8Array): Tensor[] {
  const { tensors } = loadSafetensors(payload);
  return Object.keys(tensors).map(Number).sort((a, b) => a - b).map((i) => tensors[String(i)]!);
}

/** An error thrown in a worker, as data. */
export function errorRecord(err: unknown): ErrorRecord {
  return err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : { name: 'Error', message: String(err) };
}

const ERROR_CLASSES: Record<string, new (m: string) => QTorchError> = {
  QTorchError, QTorchTypeError, QTorchShapeError, QTorchValueError, QTorchEngineError, QTorchSerializationError,
};

/**
 * An `ErrorRecord` back as an Error in the calling thread: qtorch's error classes keep their
 * class (so `instanceof QTorchShapeError` works across the pool); anything else becomes a
 * `QTorchError` naming the original class. The worker's stack is kept as `cause`.
 */
export function reviveError(rec: ErrorRecord): QTorchError {
  const Cls = ERROR_CLASSES[rec.name];
  const err = Cls ? new Cls(rec.message) : new QTorchError(`inference worker threw ${rec.name}: ${rec.message}`);
  if (rec.stack) (err as Error & { cause?: unknown }).cause = `worker stack: ${rec.stack}`;
  return err;
}

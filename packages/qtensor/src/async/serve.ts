/**
 * The worker side of an `InferencePool`: `serveInference(setup)` in a worker thread's script.
 */
import { parentPort } from 'node:worker_threads';
import { QTorchError } from '../errors.js';
import { isTensor, type Tensor } from '../tensor.js';
import { type RunMessage, type WorkerMessage, decodeTensors, encodeTensors, errorRecord } from './protocol.js';

/** What a worker runs per request: the model's forward on the request's tensors. */
export type InferenceHandler = (...inputs: Tensor[]) => Tensor | Tensor[] | Promise<Tensor | Tensor[]>;

/**
 * Serves inference requests in a worker thread. `setup` runs once (load the model: a saved
 * GraphModule, or a module class plus `loadStateDict`) and returns the handler; the pool's
 * `create()` resolves once it has. Requests are answered one at a time, in order.
 *
 * @example
 * ```ts
 * // model-worker.js, started by InferencePool.create(new URL('./model-worker.js', import.meta.url), { workerData: { path } })
 * import { workerData } from 'node:worker_threads';
 * import { serveInference } from '@qtorch/qtensor';
 * import { loadGraphModuleFile } from '@qtorch/fx';
 * serveInference(() => { const model = loadGraphModuleFile(workerData.path).eval(); return (x) => model.call(x); });
 * ```
 */
export function serveInference(setup: () => InferenceHandler | Promise<InferenceHandler>): void {
  const port = parentPort;
  if (!port) throw new QTorchError('serveInference(): must run in a worker thread started by InferencePool.create()');
  const post = (msg: WorkerMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(msg, transfer);
  let handler: Promise<InferenceHandler>;
  try {
    handler = Promise.resolve(setup());
  } catch (err) {
    handler = Promise.reject(err);
  }
  handler.then(
    () => post({ type: 'ready' }),
    (err: unknown) => post({ type: 'init-error', error: errorRecord(err) }),
  );
  // one request at a time: a chain keeps answers in request order
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (msg: RunMessage) => {
    if (msg?.type !== 'run') return;
    chain = chain.then(async () => {
      try {
        const out = await (await handler)(...decodeTensors(msg.payload));
        const single = !Array.isArray(out);
        const outs = single ? [out] : out;
        if (!outs.every(isTensor)) throw new QTorchError('serveInference(): the handler must return a Tensor or an array of Tensors');
        const payload = encodeTensors(outs as Tensor[]);
        post({ type: 'result', id: msg.id, payload, single }, [payload.buffer as ArrayBuffer]);
      } catch (err) {
        post({ type: 'error', id: msg.id, error: errorRecord(err) });
      }
    });
  });
}

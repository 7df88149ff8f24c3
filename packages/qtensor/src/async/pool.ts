/**
 * `InferencePool`: non-blocking inference for servers. The model runs in worker threads (each
 * loads its own copy in `serveInference`'s setup), so a long forward never stalls the caller's
 * event loop; tensors cross as transferred safetensors buffers. Requests go to the least busy
 * worker; a worker that dies fails only its own in-flight requests and is replaced.
 */
import { type ResourceLimits, Worker } from 'node:worker_threads';
import { checkOptions } from '../args.js';
import { QTorchError, QTorchTypeError, QTorchValueError } from '../errors.js';
import { isTensor, type Tensor } from '../tensor.js';
import { type WorkerMessage, decodeTensors, encodeTensors, reviveError } from './protocol.js';

/** Options of `InferencePool.create`. */
export interface InferencePoolOptions {
  /** Worker threads (default 1). Concurrent requests beyond this queue in the workers. */
  size?: number;
  /** Passed to each worker as `workerData` (e.g. the model file's path). */
  workerData?: unknown;
  /** V8 heap limits per worker (`worker_threads` resourceLimits). */
  resourceLimits?: ResourceLimits;
  /** Node flags for the workers. */
  execArgv?: string[];
}

interface Pending {
  resolve: (out: Tensor | Tensor[]) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  inflight: Map<number, Pending>;
}

/**
 * A pool of worker threads running one model.
 *
 * @example
 * ```ts
 * const pool = await InferencePool.create(new URL('./model-worker.js', import.meta.url), { size: 2, workerData: { path: 'model.qfx' } });
 * const y = await pool.run(x);   // the event loop keeps serving while the model runs
 * await pool.close();
 * ```
 */
export class InferencePool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  private constructor(private readonly script: string | URL, private readonly options: InferencePoolOptions) {}

  /** Starts the workers and resolves once every one has run its `serveInference` setup. */
  static async create(script: string | URL, options: InferencePoolOptions = {}): Promise<InferencePool> {
    checkOptions(options, 'InferencePool.create');
    if (typeof script !== 'string' && !(script instanceof URL)) {
      throw new QTorchTypeError(`InferencePool.create(): expected the worker script as a path or file URL, got ${typeof script}`);
    }
    const size = options.size ?? 1;
    if (!Number.isInteger(size) || size < 1) throw new QTorchValueError(`InferencePool.create(): size must be a positive integer, got ${String(size)}`);
    const pool = new InferencePool(script, options);
    for (let i = 0; i < size; i++) pool.slots.push(pool.spawn());
    try {
      await Promise.all(pool.slots.map((s) => s.ready));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  /** Worker threads in the pool. */
  get size(): number {
    return this.slots.length;
  }

  /** Requests sent and not yet answered. */
  get pending(): number {
    return this.slots.reduce((n, s) => n + s.inflight.size, 0);
  }

  /**
   * Runs the worker's handler on `inputs` (one tensor or several, passed as arguments) and
   * resolves with what it returned: a Tensor, or an array of them. Errors thrown by the model
   * reject the promise with the same qtorch error class.
   */
  async run(inputs: Tensor | readonly Tensor[]): Promise<Tensor | Tensor[]> {
    if (this.closed) throw new QTorchError('InferencePool.run(): the pool is closed');
    const list = isTensor(inputs) ? [inputs] : inputs;
    if (!Array.isArray(list) || !list.every(isTensor)) {
      throw new QTorchTypeError('InferencePool.run(): expected a Tensor or an array of Tensors');
    }
    const payload = encodeTensors(list);
    const slot = this.slots.reduce((a, b) => (b.inflight.size < a.inflight.size ? b : a));
    await slot.ready;
    if (this.closed) throw new QTorchError('InferencePool.run(): the pool was closed');
    const id = this.nextId++;
    return new Promise<Tensor | Tensor[]>((resolve, reject) => {
      slot.inflight.set(id, { resolve, reject });
      slot.worker.postMessage({ type: 'run', id, payload }, [payload.buffer as ArrayBuffer]);
    });
  }

  /** Stops every worker; requests still in flight reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const slots = this.slots.splice(0);
    for (const s of slots) this.failInflight(s, new QTorchError('InferencePool: the pool was closed before the request finished'));
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = new Worker(this.script, {
      workerData: this.options.workerData,
      resourceLimits: this.options.resourceLimits,
      execArgv: this.options.execArgv,
    });
    const inflight = new Map<number, Pending>();
    let settle!: { resolve: () => void; reject: (e: Error) => void };
    const ready = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    ready.catch(() => {}); // observed by create() / run(); never an unhandled rejection here
    const slot: Slot = { worker, ready, inflight };
    worker.on('message', (msg: WorkerMessage) => {
      if (msg.type === 'ready') settle.resolve();
      else if (msg.type === 'init-error') settle.reject(reviveError(msg.error));
      else {
        const p = inflight.get(msg.id);
        if (!p) return;
        inflight.delete(msg.id);
        if (msg.type === 'error') p.reject(reviveError(msg.error));
        else {
          const outs = decodeTensors(msg.payload);
          p.resolve(msg.single ? outs[0]! : outs);
        }
      }
    });
    worker.on('error', (err) => this.onDeath(slot, `crashed: ${err.message}`, settle.reject));
    worker.on('exit', (code) => this.onDeath(slot, `exited with code ${code}`, settle.reject));
    return slot;
  }

  /** A worker died: fail its requests and put a new worker in its place. */
  private onDeath(slot: Slot, why: string, rejectReady: (e: Error) => void): void {
    const err = new QTorchError(`InferencePool: a worker ${why} before answering; its requests failed (the model's setup or forward killed the thread)`);
    rejectReady(err);
    this.failInflight(slot, err);
    const i = this.slots.indexOf(slot);
    if (i < 0 || this.closed) return;
    this.slots[i] = this.spawn();
  }

  private failInflight(slot: Slot, err: Error): void {
    for (const p of slot.inflight.values()) p.reject(err);
    slot.inflight.clear();
  }
}

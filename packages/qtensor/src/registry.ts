/**
 * The kernel registry: `(op, engine) -> implementation`, plus `backends.quantized` (the engine
 * switch). qtensor's TypeScript reference kernels register as `'reference'`; native addons
 * register faster `'native'` implementations of the same ops when they load. Nothing in
 * qtensor imports an addon. The registry lives on `globalThis` under a symbol so two copies
 * of qtensor in one process still share one registry.
 */
import { QTorchEngineError, QTorchValueError } from './errors.js';

/** A quantized engine (`torch.backends.quantized.engine`): fbgemm (x86) or qnnpack (ARM, mobile). */
export type Engine = 'fbgemm' | 'qnnpack';
/** Every engine qtorch knows, in PyTorch's order. */
export const ENGINES: readonly Engine[] = ['fbgemm', 'qnnpack'];

/** Which implementation serves a kernel. */
export type KernelSource = 'reference' | 'native';

/** One registered kernel: the op, the engine it serves and the implementation. */
export interface KernelConfig<F extends (...args: never[]) => unknown = (...args: never[]) => unknown> {
  /** PyTorch op name, e.g. `'quantized::linear'`. */
  op: string;
  /** The engine it serves. */
  engine: Engine;
  /** `'reference'` (TypeScript) or `'native'` (an addon). */
  source: KernelSource;
  /** The implementation. */
  impl: F;
}

interface RegistryState {
  kernels: Map<string, KernelConfig>;
  engine: Engine;
}

const KEY = Symbol.for('qtorch.registry');
type GlobalWithRegistry = typeof globalThis & { [KEY]?: RegistryState };

function defaultEngine(): Engine {
  // PyTorch: fbgemm on x86, qnnpack elsewhere (ARM)
  return process.arch === 'x64' || process.arch === 'ia32' ? 'fbgemm' : 'qnnpack';
}

function state(): RegistryState {
  const g = globalThis as GlobalWithRegistry;
  return (g[KEY] ??= { kernels: new Map(), engine: defaultEngine() });
}

const keyOf = (op: string, engine: Engine, source: KernelSource): string => `${op}\u0000${engine}\u0000${source}`;

/**
 * Registers a kernel. A second registration of the same (op, engine, source) throws, unless
 * `replace` is set (tests use it to swap implementations).
 */
export function registerKernel(config: KernelConfig, { replace = false } = {}): void {
  if (!ENGINES.includes(config.engine)) throw new QTorchValueError(`registerKernel(): unknown engine '${String(config.engine)}'`);
  const k = keyOf(config.op, config.engine, config.source);
  if (state().kernels.has(k) && !replace) {
    throw new QTorchEngineError(`registerKernel(): kernel '${config.op}' for engine '${config.engine}' (${config.source}) is already registered`);
  }
  state().kernels.set(k, config);
}

/** Removes a kernel registration (tests; an addon unloading). */
export function unregisterKernel(op: string, engine: Engine, source: KernelSource): void {
  state().kernels.delete(keyOf(op, engine, source));
}

/** Native kernels can be switched off (QTORCH_DISABLE_NATIVE=1, or `setNativeEnabled(false)`) to run the reference. */
let nativeEnabled = process.env.QTORCH_DISABLE_NATIVE !== '1';
/**
 * Switches native kernels on or off process-wide (off: every op runs the TypeScript reference,
 * as with `QTORCH_DISABLE_NATIVE=1`). Returns the previous setting.
 */
export function setNativeEnabled(enabled: boolean): boolean {
  const prev = nativeEnabled;
  nativeEnabled = enabled;
  return prev;
}

/** The kernel that serves `op` under `engine`: native if registered and enabled, else reference. */
export function findKernel(op: string, engine: Engine = state().engine): KernelConfig | undefined {
  const s = state().kernels;
  return (nativeEnabled ? s.get(keyOf(op, engine, 'native')) : undefined) ?? s.get(keyOf(op, engine, 'reference'));
}

/** Like findKernel, but throws PyTorch's "Didn't find engine" error when nothing serves the op. */
export function getKernel<F extends (...args: never[]) => unknown>(op: string, engine: Engine = state().engine): F {
  const k = findKernel(op, engine);
  if (!k) {
    throw new QTorchEngineError(`Didn't find engine for operation ${op}: no kernel registered for engine '${engine}'`);
  }
  return k.impl as F;
}

/** Which implementation serves `op` under `engine` (or null). */
export function kernelSource(op: string, engine: Engine = state().engine): KernelSource | null {
  return findKernel(op, engine)?.source ?? null;
}

/** Every registered kernel (for diagnostics and conformance suites). */
export function listKernels(): KernelConfig[] {
  return [...state().kernels.values()];
}

/** PyTorch's `torch.backends.quantized`: the engine switch. */
export const backends = {
  quantized: {
    /** The engine quantized ops run on (`'fbgemm'` on x86, `'qnnpack'` elsewhere, by default). */
    get engine(): Engine {
      return state().engine;
    },
    set engine(e: Engine) {
      if (!ENGINES.includes(e)) {
        throw new QTorchValueError(`backends.quantized.engine: quantized engine '${String(e)}' is not supported; supported engines: ${ENGINES.join(', ')}`);
      }
      state().engine = e;
    },
    /** Engines this build supports. */
    get supportedEngines(): Engine[] {
      return [...ENGINES];
    },
    /** Whether a native kernel is registered for `op` (or for any op) under `engine`. */
    nativeAvailable(engine: Engine, op?: string): boolean {
      return listKernels().some((k) => k.engine === engine && k.source === 'native' && (op === undefined || k.op === op));
    },
  },
};

/** Runs `fn` with a temporary engine (tests, benchmarks). */
export function withEngine<T>(engine: Engine, fn: () => T): T {
  const prev = backends.quantized.engine;
  backends.quantized.engine = engine;
  try {
    return fn();
  } finally {
    backends.quantized.engine = prev;
  }
}

/**
 * Loggers of the eager numeric suite (torch.ao.ns._numeric_suite): modules that record the
 * tensors flowing through a model. `OutputLogger` is attached like an observer (as a module's
 * `activation_post_process`); `ShadowLogger` records the outputs of a quantized module and of
 * its float shadow inside a `Shadow`.
 */
import { Module } from '@qtorch/nn';
import { type DType, type Tensor, isTensor, quint8, select } from '@qtorch/qtensor';

/** What loggers record: named lists of tensors (`{ float: [...], quantized: [...] }`, ...). */
export type LoggerStats = Record<string, Tensor[]>;

/** A logger class (PyTorch passes `logger_cls`): constructed once per attachment point. */
export type LoggerClass = new () => Logger;

/** Base class of the loggers: a module with a `stats` record (torch's `Logger`). */
export class Logger extends Module {
  /** The recorded tensors, by kind. */
  stats: LoggerStats = {};
  /**
   * quint8, as PyTorch sets it: FX prepare only inserts an observer-like module where the
   * activation dtype is quint8, and the loggers stand in for observers there.
   */
  dtype: DType = quint8;

  /** The base logger records nothing. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  forward(..._inputs: any[]): any {
    return undefined;
  }
}

/**
 * PyTorch's ShadowLogger keeps `x[0]` of any argument with `len(x) > 1`: the first element of a
 * tuple output, but also the first row of a batched tensor. The golden fixtures record that
 * (a `[2, 10]` output is logged as its `[10]` first row), so it is reproduced here.
 */
function firstIfLong(x: unknown): Tensor {
  if (Array.isArray(x)) return x[0] as Tensor;
  const t = x as Tensor;
  return isTensor(t) && t.ndim > 0 && t.shape[0]! > 1 ? select(t, 0, 0) : t;
}

/**
 * Records the outputs of a quantized module (`stats.quantized`) and of its float shadow
 * (`stats.float`); used by `Shadow`.
 */
export class ShadowLogger extends Logger {
  /** Starts with empty `float` and `quantized` lists. */
  constructor() {
    super();
    this.stats.float = [];
    this.stats.quantized = [];
  }

  /** Logs the quantized output `x` and the float output `y` (see the note on batched outputs). */
  override forward(x: unknown, y: unknown): undefined {
    this.stats.quantized!.push(firstIfLong(x).detach());
    this.stats.float!.push(firstIfLong(y).detach());
    return undefined;
  }
}

/** Records every tensor it sees (`stats.tensor_val`) and passes it through unchanged. */
export class OutputLogger extends Logger {
  /** Starts with no recorded tensors. */
  constructor() {
    super();
    this.stats.tensor_val = [];
  }

  /** Logs `x` and returns it. */
  override forward<T>(x: T): T {
    this.stats.tensor_val!.push(x as unknown as Tensor);
    return x;
  }
}

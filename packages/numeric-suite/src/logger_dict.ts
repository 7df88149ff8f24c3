/** `getLoggerDict` (torch.ao.ns._numeric_suite.get_logger_dict): collects every logger's stats. */
import type { Module } from '@qtorch/nn';
import { Logger, type LoggerStats } from './loggers.js';

/** `getLoggerDict` result: `<module path>.stats` -> that module's logger stats. */
export type LoggerDict = Record<string, LoggerStats>;

function withDot(prefix: string): string {
  return prefix === '' ? '' : `${prefix}.`;
}

function collect(mod: Module, target: LoggerDict, prefix: string): void {
  // A module's first Logger child speaks for it (PyTorch stops at the first).
  const logger = mod.namedChildren().find(([, child]) => child instanceof Logger);
  if (logger) target[`${withDot(prefix)}stats`] = (logger[1] as Logger).stats;
  for (const [name, child] of mod.namedChildren()) collect(child, target, prefix ? `${withDot(prefix)}${name}` : name);
}

/**
 * Walks `mod` and returns the stats of every logger under the path of the module that owns
 * it: `{ 'conv1.stats': { tensor_val: [...] }, 'fc.stats': { float: [...], quantized: [...] } }`.
 * The stats are the loggers' own (live) records, as in PyTorch.
 * @example const stats = getLoggerDict(qModel);
 */
export function getLoggerDict(mod: Module, options: { prefix?: string } = {}): LoggerDict {
  const target: LoggerDict = {};
  collect(mod, target, options.prefix ?? '');
  return target;
}

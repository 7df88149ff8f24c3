/**
 * Result types of the FX numeric suite (torch.ao.ns.fx.ns_types): results are nested
 * `layer name -> result type ('weight' | 'node_output') -> model name -> [info]`.
 */
import type { Tensor } from '@qtorch/qtensor';

/** What a result holds (NSSingleResultValuesType). */
export type NSResultType = 'weight' | 'node_output';

/** One model's entry for one layer (NSSingleResultType); comparisons are added under their names. */
export interface NSSingleResult {
  /** 'weight' or 'node_output'. */
  type: NSResultType;
  /** The extracted weights or the logged outputs (one per forward call). */
  values: Tensor[];
  /** Name of the node whose output is recorded (the end of the matched subgraph). */
  prev_node_name: string;
  /** Type of that node's target (module class name or function name). */
  prev_node_target_type: string;
  /** Name of the matched subgraph's weighted (base) node. */
  ref_node_name: string;
  /** Type of the base node's target. */
  ref_node_target_type: string;
  /** Position within the argument (always 0 here: outputs are logged whole). */
  index_within_arg: number;
  /** Argument position (always 0 here). */
  index_of_arg: number;
  /** Fully qualified name of the base module. */
  fqn: string | null;
  /** Comparison results added by `extendLoggerResultsWithComparison`. */
  [comparison: string]: unknown;
}

/** `{ layerName: { resultType: { modelName: [info] } } }` (NSResultsType). */
export type NSResults = Record<string, Record<string, Record<string, NSSingleResult[]>>>;

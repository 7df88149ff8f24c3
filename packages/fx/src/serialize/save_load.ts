/**
 * Saving a GraphModule with its weights, and loading it without the original class (the
 * analogue of `torch.jit.save` of a scripted model).
 *
 * The file is a safetensors file: the tensors (quantized ones with their qparams) under
 * their dotted attribute paths, and in its metadata the graph as JSON plus the module tree
 * as data. It holds no code: loading rebuilds the Graph through the same checks as building
 * one in memory (call_function targets must be in the op vocabulary, attribute paths and
 * method names are checked) and regenerates the forward code from it.
 */
import { QTorchSerializationError, type Tensor, loadSafetensors, saveSafetensors, traceableName } from '@qtorch/qtensor';
import { FxModule } from '../fx_module.js';
import { Graph } from '../graph.js';
import { GraphModule } from '../graph_module.js';
import { ensureLibraryRegistered } from '../library.js';
import { isIdentifier } from '../names.js';
import { type Argument, type Node, OPS, type Op, isPlainObject } from '../node.js';
import { resolveFunction } from '../vocabulary.js';
import { type ModuleRecord, applyRecord, encodeModule } from './module_codec.js';
import { type Json, decodeValue, encodeValue } from './value_codec.js';

/** Metadata key of the graph module description. */
export const GRAPH_MODULE_METADATA_KEY = 'qtorch.fx.graph_module';
const FORMAT = 'qtorch.fx.GraphModule';
const VERSION = 1;

interface NodeRecord {
  name: string;
  op: Op;
  target: string;
  args: Json;
  kwargs: Json;
}

interface FileRecord {
  format: string;
  version: number;
  className: string;
  graph: NodeRecord[];
  module: ModuleRecord;
}

function bad(msg: string): never {
  throw new QTorchSerializationError(`loadGraphModule(): ${msg}`);
}

function encodeNode(n: Node): NodeRecord {
  let target: string;
  if (typeof n.target === 'string') target = n.target;
  else {
    const name = traceableName(n.target);
    if (!name) {
      throw new QTorchSerializationError(
        `saveGraphModule(): node '${n.name}' calls the function ${n.target.name || '<anonymous>'}, which is not in the op vocabulary; make it traceable with traceable(name, fn)`,
      );
    }
    target = name;
  }
  const what = `node '${n.name}'`;
  return { name: n.name, op: n.op, target, args: encodeValue(n.args, what), kwargs: encodeValue(n.kwargs, what) };
}

/**
 * The bytes of a file holding `gm`: its graph, module tree and tensors. Every module in the
 * tree must be of a class registered with `registerSerializableModule` (@qtorch/nn's are).
 * @example writeFileSync('model.qfx', saveGraphModule(gm));
 */
export function saveGraphModule(gm: GraphModule): Uint8Array {
  ensureLibraryRegistered();
  const tensors: Record<string, Tensor> = {};
  const module = encodeModule(gm, '', tensors, 'GraphModule');
  const record: FileRecord = { format: FORMAT, version: VERSION, className: gm.className, graph: gm.graph.nodes.map(encodeNode), module };
  return saveSafetensors(tensors, { metadata: { format: FORMAT, [GRAPH_MODULE_METADATA_KEY]: JSON.stringify(record) } });
}

/** Rebuilds a Graph from node records, checking each as a node built in memory is checked. */
function decodeGraph(records: unknown): Graph {
  if (!Array.isArray(records)) bad('graph is not a list of nodes');
  const graph = new Graph();
  const byName = new Map<string, Node>();
  records.forEach((r: unknown, i) => {
    if (!isPlainObject(r)) bad(`node ${i} is not an object`);
    const { name, op, target } = r as unknown as NodeRecord;
    if (typeof name !== 'string' || !isIdentifier(name) || byName.has(name)) bad(`node ${i} has a bad or duplicate name ${JSON.stringify(name)}`);
    if (!OPS.includes(op)) bad(`node '${name}' has unknown op ${JSON.stringify(op)}`);
    if (typeof target !== 'string') bad(`node '${name}' has a non-string target`);
    if (op === 'output' && i !== records.length - 1) bad('the output node must be last');
    if (op === 'call_function') resolveFunction(target); // only the op vocabulary is callable
    const resolve = (ref: string): Node => byName.get(ref) ?? bad(`node '${name}' refers to '${ref}', which is not an earlier node`);
    const args = decodeValue(r.args, resolve);
    const kwargs = decodeValue(r.kwargs, resolve);
    if (!Array.isArray(args) || !isPlainObject(kwargs)) bad(`node '${name}' has malformed args or kwargs`);
    byName.set(name, graph.createNode(op, target, args as Argument[], kwargs as Record<string, Argument>, name));
  });
  return graph;
}

/**
 * A GraphModule from `saveGraphModule` bytes. Module classes are looked up by their
 * registered names; call_function targets must be in the op vocabulary. No code from the
 * file is evaluated.
 * @example const gm = loadGraphModule(readFileSync('model.qfx'));
 */
export function loadGraphModule(bytes: Uint8Array): GraphModule {
  ensureLibraryRegistered();
  const { tensors, metadata } = loadSafetensors(bytes);
  const text = metadata[GRAPH_MODULE_METADATA_KEY];
  if (text === undefined) bad(`the file has no '${GRAPH_MODULE_METADATA_KEY}' metadata: not a saved GraphModule`);
  let record: FileRecord;
  try {
    record = JSON.parse(text) as FileRecord;
  } catch (e) {
    return bad(`the graph description is not valid JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(record) || record.format !== FORMAT) bad('the graph description has an unknown format');
  if (record.version !== VERSION) bad(`format version ${String(record.version)} is not supported (expected ${VERSION})`);
  if (!isPlainObject(record.module) || record.module.cls !== 'GraphModule') bad('the module tree has no GraphModule root');
  const graph = decodeGraph(record.graph);
  const className = typeof record.className === 'string' && isIdentifier(record.className) ? record.className : 'GraphModule';
  const gm = new GraphModule(new FxModule(), new Graph(), { className });
  applyRecord(gm, record.module, '', tensors, 0);
  graph.owningModule = gm;
  try {
    graph.lint(); // targets exist, inputs defined before use
  } catch (e) {
    bad((e as Error).message);
  }
  gm.graph = graph;
  return gm;
}

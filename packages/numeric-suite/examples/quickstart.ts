/**
 * Quickstart: quantize a small CNN, find where it loses accuracy, write a report and ask for the
 * layers to keep in float. Run it with `npx tsx examples/quickstart.ts [outDir]`.
 */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { Conv2d, Linear, Module, ReLU, deepcopy } from '@qtorch/nn';
import { DeQuantStub, QuantStub, convert, fuseModules, getDefaultQconfig, prepare } from '@qtorch/quantization';
import { type Tensor, backends, flatten, manualSeed, randn } from '@qtorch/qtensor';
import {
  compareModelOutputs, compareWeights, eagerQuantizeFn, formatReportTable, layerSensitivity, suggestSkipList, writeHtmlReport,
} from '@qtorch/numeric-suite';

class Net extends Module {
  quant = new QuantStub();
  conv = new Conv2d(3, 8, 3);
  relu = new ReLU();
  fc = new Linear(8 * 6 * 6, 10);
  dequant = new DeQuantStub();
  forward(x: Tensor): Tensor {
    const h = this.relu.call(this.conv.call(this.quant.call(x)));
    return this.dequant.call(this.fc.call(flatten(h, 1)));
  }
}

/** Runs the whole tour; returns what it printed and wrote. */
export function main(outDir = '.'): { table: string; reportPath: string; worst: string; skip: string[] } {
  manualSeed(0);
  backends.quantized.engine = 'qnnpack';
  const qconfig = getDefaultQconfig('qnnpack');
  const calibration = Array.from({ length: 4 }, () => randn([4, 3, 8, 8]));
  const x = randn([4, 3, 8, 8]);

  // 1. the float model (fused) and its quantized version
  const float = fuseModules(new Net().eval(), [['conv', 'relu']]);
  const prepared = prepare(Object.assign(deepcopy(float), { qconfig }));
  for (const c of calibration) prepared.call(c);
  const quantized = convert(prepared);

  // 2. PyTorch's numeric suite: weights and per-layer outputs, float vs quantized
  const weights = compareWeights(float.stateDict(), quantized.stateDict());
  const activations = compareModelOutputs(deepcopy(float), deepcopy(quantized), [x]);

  // 3. the report: a terminal table and a self-contained HTML file
  const table = formatReportTable({ weights, activations, model: quantized }, { sortBy: 'sqnr' });
  console.log(table);
  const reportPath = join(outDir, 'numeric-suite-report.html');
  writeHtmlReport(reportPath, { weights, activations, model: quantized });

  // 4. sensitivity: which layer hurts most, and what to keep in float for a 35.5 dB output SQNR
  const quantizeFn = eagerQuantizeFn({ qconfig, calibration });
  const ranking = layerSensitivity(float, quantizeFn, [x], { mode: 'float-one' }).ranking;
  console.log('most sensitive layer:', ranking[0]!.layer);
  const skip = suggestSkipList(float, 35.5, quantizeFn, [x]);
  console.log('keep in float:', [...skip.keys()], `(output SQNR ${skip.score.toFixed(1)} dB, budget met: ${skip.budgetMet})`);
  // usable as qconfig dict entries: new Map([['', qconfig], ...skip])
  return { table, reportPath, worst: ranking[0]!.layer, skip: [...skip.keys()] };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(process.argv[2]);

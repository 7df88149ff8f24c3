/**
 * Worker-thread entry for the async-inference test: builds the model, loads its saved state
 * dict and serves it with `serveInference`. Bundled to plain JS by the test (see bundle.ts).
 */
import { workerData } from 'node:worker_threads';
import { loadFile, serveInference } from '@qtorch/qtensor';
import { type ModelWorkerData, buildQuantizedMlp, forward } from '../model.js';

const data = workerData as ModelWorkerData;

serveInference(() => {
  const model = buildQuantizedMlp(data.width, data.hidden);
  model.loadStateDict(loadFile(data.path).tensors);
  return (x) => {
    if (data.exitOnEmpty && x.numel() === 0) process.exit(3);
    return forward(model, x);
  };
});

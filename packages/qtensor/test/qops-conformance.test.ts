// The conformance suite (tools/conformance) against the TypeScript reference kernels, both engines.
import '../src/index.js';
import { runConformance } from '../../../tools/conformance/src/index.js';

runConformance({ engine: 'qnnpack', label: 'reference' });
runConformance({ engine: 'fbgemm', label: 'reference' });

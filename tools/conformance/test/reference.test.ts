// The conformance suite against qtensor's TypeScript reference kernels, for both engines.
import { setNativeEnabled } from '@qtorch/qtensor';
import { runConformance } from '../src/index.js';

setNativeEnabled(false);
runConformance({ engine: 'fbgemm', label: 'reference' });
runConformance({ engine: 'qnnpack', label: 'reference' });

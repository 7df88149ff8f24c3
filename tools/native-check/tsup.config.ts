import { appConfig } from '../../tsup.shared.ts';

// Two scripts, run by run.sh: the vector generator and the addon runner (also under qemu).
export default appConfig({ 'gen-vectors': 'src/gen-vectors.ts', 'run-addon': 'src/run-addon.ts' });

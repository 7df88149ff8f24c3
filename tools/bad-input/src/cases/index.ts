/** Every case of the bad-input suite, group by group. */
import type { BadInputCase } from '../case.js';
import { enumeratedCases } from './enumerated.js';
import { jsTypeCases } from './js_types.js';
import { qparamsCases } from './qparams.js';
import { shapeCases } from './shapes.js';
import { specialFloatCases } from './special_floats.js';
import { viewCases } from './views.js';
import { workflowAndLoaderCases } from './workflows.js';

/** All cases, in a stable order. */
export function allCases(): BadInputCase[] {
  return [...specialFloatCases(), ...qparamsCases(), ...shapeCases(), ...viewCases(), ...jsTypeCases(), ...workflowAndLoaderCases(), ...enumeratedCases()];
}

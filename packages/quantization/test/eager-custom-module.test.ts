// The docs' custom module API example (eager mode), in TypeScript.
import { describe, expect, it } from 'vitest';
import { Linear, Module, Sequential } from '@qtorch/nn';
import * as nnq from '@qtorch/nn-quantized';
import { type Tensor, randn } from '@qtorch/qtensor';
import { defaultQconfig } from '../src/qconfig/qconfig.js';
import { convert, prepare } from '../src/eager/index.js';

import { CustomModule, ObservedCustomModule, StaticQuantCustomModule } from './models/custom_module.js';

describe('custom module API (docs example, eager)', () => {
  it('prepare swaps in the observed class with an output observer; convert builds the quantized class', () => {
    const m = new Sequential(new CustomModule()).eval();
    (m as unknown as { qconfig: unknown }).qconfig = defaultQconfig;
    const mp = prepare(m, { prepareCustomConfigDict: { floatToObservedCustomModuleClass: new Map([[CustomModule, ObservedCustomModule]]) } });
    const observed = mp.at(0) as ObservedCustomModule & { activation_post_process?: Module };
    expect(observed).toBeInstanceOf(ObservedCustomModule);
    expect(observed.activation_post_process?.constructor.name).toBe('MinMaxObserver');
    const x = randn([4, 3]);
    mp.call(x);
    const mq = convert(mp, { convertCustomConfigDict: { observedToQuantizedCustomModuleClass: new Map([[ObservedCustomModule, StaticQuantCustomModule]]) } });
    const quantized = mq.at(0) as StaticQuantCustomModule;
    expect(quantized).toBeInstanceOf(StaticQuantCustomModule);
    expect(quantized.linear).toBeInstanceOf(nnq.Linear);
    expect(m.at(0)).toBeInstanceOf(CustomModule);
  });
});

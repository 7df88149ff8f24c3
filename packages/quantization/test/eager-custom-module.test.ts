// The docs' custom module API example (eager mode), in TypeScript.
import { describe, expect, it } from 'vitest';
import { Linear, Module, Sequential } from '@qtorch/nn';
import * as nnq from '@qtorch/nn-quantized';
import { type Tensor, randn } from '@qtorch/qtensor';
import { defaultQconfig } from '../src/qconfig/qconfig.js';
import { convert, prepare } from '../src/eager/index.js';

class CustomModule extends Module {
  linear = new Linear(3, 3);
  forward(x: Tensor): Tensor {
    return this.linear.call(x);
  }
}

class ObservedCustomModule extends Module {
  qconfig?: unknown;
  constructor(public linear: Linear) {
    super();
  }
  forward(x: Tensor): Tensor {
    return this.linear.call(x);
  }
  static fromFloat(floatModule: Module): ObservedCustomModule {
    const q = (floatModule as { qconfig?: unknown }).qconfig;
    if (!q) throw new Error('fromFloat: float module has no qconfig');
    const observed = new ObservedCustomModule((floatModule as CustomModule).linear);
    observed.qconfig = q;
    return observed;
  }
}

class StaticQuantCustomModule extends Module {
  constructor(public linear: Module) {
    super();
  }
  forward(x: Tensor): Tensor {
    return this.linear.call(x) as Tensor;
  }
  static fromObserved(observed: Module): StaticQuantCustomModule {
    const o = observed as ObservedCustomModule & { activation_post_process?: Module };
    if (!o.qconfig || !o.activation_post_process) throw new Error('fromObserved: not an observed module');
    (o.linear as unknown as { activation_post_process: Module }).activation_post_process = o.activation_post_process;
    (o.linear as unknown as { qconfig: unknown }).qconfig = o.qconfig;
    return new StaticQuantCustomModule(nnq.Linear.fromFloat(o.linear));
  }
}

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

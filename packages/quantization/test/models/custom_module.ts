/** The docs' custom module API example classes (shared by the eager and FX tests). */
import { Linear, Module } from '@qtorch/nn';
import * as nnq from '@qtorch/nn-quantized';
import type { Tensor } from '@qtorch/qtensor';

export class CustomModule extends Module {
  linear = new Linear(3, 3);
  forward(x: Tensor): Tensor {
    return this.linear.call(x);
  }
}

export class ObservedCustomModule extends Module {
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

export class StaticQuantCustomModule extends Module {
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


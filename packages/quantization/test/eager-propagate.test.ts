import { describe, expect, it } from 'vitest';
import { Module, Sequential } from '@qtorch/nn';
import type { Tensor } from '@qtorch/qtensor';
import { MinMaxObserver } from '../src/index.js';
import { QConfig, defaultQconfig, defaultDynamicQconfig } from '../src/qconfig/qconfig.js';
import { propagateQconfig_, removeQconfig_ } from '../src/eager/propagate.js';

class A extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}
class B extends A {}

function tree() {
  const model = new Sequential(new A(), new Sequential(new B(), new A()));
  return model as Sequential & { qconfig?: QConfig | null };
}
const q = (m: Module) => (m as { qconfig?: unknown }).qconfig;

describe('propagateQconfig_', () => {
  it('children inherit the parent qconfig', () => {
    const model = tree();
    model.qconfig = defaultQconfig;
    propagateQconfig_(model);
    for (const m of model.modules()) expect(q(m)).toBe(defaultQconfig);
  });

  it('by type, then by name overrides type, and an own qconfig overrides both', () => {
    const model = tree();
    const byName = new QConfig(MinMaxObserver.withArgs({}), MinMaxObserver.withArgs({}));
    propagateQconfig_(model, new Map<any, QConfig | null>([[B, defaultDynamicQconfig], ['1.1', byName]]));
    expect(q(model)).toBeNull();
    expect(q(model.getSubmodule('1.0'))).toBe(defaultDynamicQconfig);
    expect(q(model.getSubmodule('1.1'))).toBe(byName);
    expect(q(model.getSubmodule('0'))).toBeNull();
  });

  it('a null qconfig opts a subtree out, but a type entry still applies to its children', () => {
    const model = tree();
    model.qconfig = defaultQconfig;
    (model.getSubmodule('1') as { qconfig?: unknown }).qconfig = null;
    propagateQconfig_(model, new Map([[B, defaultDynamicQconfig]]));
    expect(q(model.getSubmodule('0'))).toBe(defaultQconfig);
    expect(q(model.getSubmodule('1'))).toBeNull();
    expect(q(model.getSubmodule('1.1'))).toBeNull();
    expect(q(model.getSubmodule('1.0'))).toBe(defaultDynamicQconfig);
  });

  it('rejects a QConfig-like object holding observer instances', () => {
    const model = tree();
    model.qconfig = { activation: new MinMaxObserver(), weight: MinMaxObserver.withArgs({}) } as unknown as QConfig;
    expect(() => propagateQconfig_(model)).toThrow(/observer instance in 'activation'.*withArgs/);
  });

  it('QConfig itself refuses instances', () => {
    expect(() => new QConfig(new MinMaxObserver() as never, MinMaxObserver.withArgs({}))).toThrow(/observer instance/);
  });

  it('removeQconfig_ deletes the attribute everywhere', () => {
    const model = tree();
    model.qconfig = defaultQconfig;
    propagateQconfig_(model);
    removeQconfig_(model);
    expect(model.modules().every((m) => !('qconfig' in m))).toBe(true);
  });
});

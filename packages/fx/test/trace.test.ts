import { describe, expect, it } from 'vitest';
import { manualSeed, randn } from '@qtorch/qtensor';
import { expectTensorClose, goldenCase, tensorFromGolden } from '@qtorch/testing';
import { GraphModule, symbolicTrace } from '../src/index.js';
import { FxNet, SmallCnn } from './models.js';

const seq = (gm: GraphModule) => gm.graph.nodes.map((n) => `${n.op}:${String(n.target)}`);

describe('symbolicTrace', () => {
  it('records a small CNN as the expected node sequence and reproduces the eager output exactly', () => {
    manualSeed(0);
    const model = new SmallCnn().eval();
    const gm = symbolicTrace(model);
    expect(seq(gm)).toEqual([
      'placeholder:x',
      'call_module:block.conv',
      'call_module:block.bn',
      'call_module:block.relu',
      'call_module:conv2',
      'call_function:F.relu',
      'call_method:add',
      'call_function:torch.flatten',
      'call_module:fc',
      'output:output',
    ]);
    const x = randn([2, 3, 4, 4]);
    const eager = model.call(x);
    const traced = gm.call(x);
    expect(traced.shape).toEqual([2, 5]);
    expectTensorClose(traced, eager, { exact: true });
  });

  it('traces PyTorch FxNet and matches PyTorch 1.13 float output', () => {
    const c = goldenCase('workflows/fx.json', 'fx_qnnpack_qconfig@qnnpack');
    const model = new FxNet().eval();
    const sd = c.inputs.float_state_dict as Record<string, never>;
    model.loadStateDict(Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, tensorFromGolden(v)])));
    const gm = symbolicTrace(model);
    expect(seq(gm)).toEqual([
      'placeholder:x', 'call_module:conv1', 'call_function:F.relu', 'call_module:conv2', 'call_function:torch.add',
      'call_function:torch.cat', 'call_function:F.adaptiveAvgPool2d', 'call_function:torch.flatten', 'call_module:fc',
      'call_function:F.relu', 'output:output',
    ]);
    const x = tensorFromGolden(c.inputs.test_input as never);
    const y = gm.call(x);
    expectTensorClose(y, model.call(x), { exact: true });
    expectTensorClose(y, c.expected.float_output as never, { atol: 1e-5, rtol: 1e-5 });
  });
});

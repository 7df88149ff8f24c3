import { it } from 'vitest';
import { randn } from '@qtorch/qtensor';
import { deepcopy } from '@qtorch/nn';
import { convert, fuseModulesQat, getDefaultQatQconfig, prepareQat } from '@qtorch/quantization';
import { CNN_FUSION_GROUPS, DemoCnn } from '../src/models.js';
import { setQconfig } from '../src/variants/qconfig.js';

it('qat', () => {
  const m = fuseModulesQat(deepcopy(new DemoCnn()).train(), CNN_FUSION_GROUPS, { inplace: true });
  
  setQconfig(m, getDefaultQatQconfig('fbgemm'));
  console.log('--- before prepareQat'); const p = prepareQat(m, { inplace: true }); console.log('--- after prepareQat');
  
  p.call(randn([4, 1, 28, 28]));
  console.log('--- before convert'); const q = convert(p.eval(), { inplace: true }); console.log('--- after convert');
  
});

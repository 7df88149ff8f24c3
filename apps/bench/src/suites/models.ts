/**
 * Whole small models (ResNet-like, MobileNetV2-like), int8 vs float. They need @qtorch/nn's
 * modules; until it exports them the suite only says so.
 */
import type { Suite } from './types.js';

export const modelsSuite: Suite = {
  name: 'models',
  description: 'small ResNet-like and MobileNetV2-like models, int8 vs float (needs @qtorch/nn)',
  specs: () => [],
  ours: () => [],
  notes: () => ['models: skipped, @qtorch/nn has no modules yet (Module, Conv2d, ...); the suite runs once it does'],
};

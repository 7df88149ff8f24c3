/**
 * @qtorch/nn/optim: optimizers (SGD, Adam, AdamW), learning-rate schedulers (StepLR,
 * CosineAnnealingLR) and gradient clipping (torch.optim, torch.nn.utils.clip_grad_*).
 *
 * @example
 * ```ts
 * import { SGD, StepLR } from '@qtorch/nn/optim';
 * const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * const sched = new StepLR(opt, 10, { gamma: 0.5 });
 * for (const [x, y] of loader) {
 *   opt.zeroGrad();
 *   F.crossEntropy(model.call(x), y).backward();
 *   opt.step();
 * }
 * sched.step();
 * ```
 */
export * from './optimizer.js';
export * from './sgd.js';
export * from './adam.js';
export * from './lr_scheduler.js';
export * from './clip_grad.js';
/** The schedulers under PyTorch's namespace name (`torch.optim.lr_scheduler`), camelCased. */
export * as lrScheduler from './lr_scheduler.js';

/**
 * @qtorch/nn/data: datasets and a batched, seeded-shuffle iterator (torch.utils.data).
 *
 * @example
 * ```ts
 * import { DataLoader, TensorDataset } from '@qtorch/nn/data';
 * const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 16, shuffle: true, generator: new Generator(0) });
 * for (const [xb, yb] of loader) { ... }
 * ```
 */
export * from './dataset.js';
export { DataLoader, type DataLoaderOptions, defaultCollate, randperm } from './dataloader.js';

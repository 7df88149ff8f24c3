/**
 * Non-blocking inference: `InferencePool` (the caller's side) runs a model in worker threads set
 * up with `serveInference` (the worker's side), so a server's event loop keeps running while the
 * model computes.
 */
export { InferencePool, type InferencePoolOptions } from './pool.js';
export { serveInference, type InferenceHandler } from './serve.js';

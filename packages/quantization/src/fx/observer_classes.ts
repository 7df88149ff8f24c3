/** The observer and fake-quantize module classes, as one namespace for library registration. */
export * from '../observer/minmax.js';
export * from '../observer/per_channel.js';
export * from '../observer/histogram.js';
export * from '../observer/simple.js';
export * from '../observer/reuse_input.js';
export * from '../fake_quantize/fake_quantize.js';
export * from '../fake_quantize/fused.js';
export * from '../fake_quantize/learnable.js';

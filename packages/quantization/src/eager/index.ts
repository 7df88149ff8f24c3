export * from './stubs.js';
export * from './propagate.js';
export * from './observe.js';
export * from './mappings.js';
export * from './prepare.js';
export * from './convert.js';
export * from './workflows.js';
export * from './fuse.js';

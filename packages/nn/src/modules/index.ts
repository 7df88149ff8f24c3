export * from './container.js';
export * from './flatten.js';

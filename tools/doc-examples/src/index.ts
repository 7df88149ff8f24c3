/**
 * @qtorch/doc-examples (private): the machinery that keeps qtorch's documentation honest.
 * Extracts the ```ts blocks of README.md, docs/ and packages/<name>/README.md, writes them
 * out as modules, runs and type-checks them; checks the PyTorch-to-qtorch API table.
 */
export * from './extract.js';
export * from './docs.js';
export * from './workspace.js';
export * from './run.js';
export * from './typecheck.js';

import { defineConfig } from 'vitest/config';

// No @qtorch aliases here on purpose: this package tests the built dist/ files.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest/report.json' },
    testTimeout: 60_000,
  },
});

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import projectConfig from '../../vitest.config.js';

/**
 * The fast tier (`npm run test:unit`): the tests of pure logic under test/unit/, which need no Postgres,
 * Redis, emulator or network, so no global setup; a setup file refuses any connection or listening
 * socket, so a test that needs a service fails here at once and belongs in the slow tier.
 * (`npm test` runs these files too, with the project's config.)
 */
export default defineConfig({
  resolve: projectConfig.resolve,
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/unit/**/*.test.ts'],
    setupFiles: ['test/unit/refuse-network.ts'],
    // Pure tests leave no state behind them: each worker loads the modules once for all its files, most of
    // the tier's time otherwise (`npm test` still runs every file in isolation).
    pool: 'threads',
    isolate: false,
  },
});

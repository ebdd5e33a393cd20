import { defineConfig } from 'vitest/config';

/**
 * The deployment checks of scripts/chart-check.sh: no Postgres or Redis needed, so no global setup.
 * (`npm test` runs these files too, with the project's config.)
 */
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/deploy/deploy-consistency.test.ts', 'test/deploy/generated-files.test.ts', 'test/deploy/docker-entrypoint.test.ts', 'test/deploy/production-dependencies.test.ts'],
    testTimeout: 60_000,
  },
});

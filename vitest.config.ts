import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql ships CJS (main) and ESM (module). Node loads the CJS one for every dependency (Apollo,
    // type-graphql); Vite would give our sources the ESM one, and two graphql copies cannot share a schema.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // The container test needs a Docker engine and its own stack: npm run test:container (scripts/container-test.sh).
    exclude: [...configDefaults.exclude, 'test/container/**'],
    globalSetup: ['test/support/global-setup.ts'],
    // Tests share one Postgres and one Redis; each file gets its own database and queue prefix.
    pool: 'forks',
    // Most tests wait on Postgres, Redis and HTTP, not on the CPU: a few files at once even on 2 cores.
    poolOptions: { forks: { minForks: 1, maxForks: 3 } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

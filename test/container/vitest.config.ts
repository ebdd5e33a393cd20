import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files in name order (01-… first, 99-graceful-stop last): they share the one stack scripts/container-test.sh
 * started, later files rely on what earlier ones did (a listener with plays), and the last stops it.
 */
class ByName extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return Promise.resolve([...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId)));
  }
}

/** The container test (npm run test:container): no global setup (the stack is the database), one file at a time. */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/container/**/*.test.ts'],
    fileParallelism: false,
    sequence: { sequencer: ByName },
    pool: 'forks',
    // Containers start, stop and export: minutes, not the unit tests' seconds.
    testTimeout: 300_000,
    hookTimeout: 120_000,
    reporters: ['verbose'],
  },
});

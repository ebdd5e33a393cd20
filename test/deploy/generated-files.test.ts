import { describe, expect, it } from 'vitest';
import { generateDeployFiles } from '../../scripts/deploy-generate.js';
import { read } from './deploy-files.js';

/**
 * The deployment files' copies of what the code declares (the launcher's node flags, memory limits, the chart's
 * values that are the code's defaults: docs/deploy.md, "Where deployment facts come from") are what
 * `npm run deploy:generate` writes from their sources now (its own tests: test/unit/scripts/deploy-generate.test.ts).
 */

describe('the generated copies in the deployment files', () => {
  it.each(generateDeployFiles().map((file) => [file.path, file] as const))('%s holds what npm run deploy:generate writes', (path, file) => {
    expect(file.stale, 'run `npm run deploy:generate`').toEqual([]);
    expect(read(path), 'run `npm run deploy:generate`').toBe(file.content);
  });
});

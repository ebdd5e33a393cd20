import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('package.json engines', () => {
  it('are supported by every package the lock file installs (npm ci prints no EBADENGINE)', () => {
    const output = execFileSync(process.execPath, ['scripts/check-engines.mjs'], { encoding: 'utf8' });
    expect(output).toMatch(/every package supports node/);
  });
});

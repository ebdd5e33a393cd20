import { describe, expect, it } from 'vitest';
import { configTable, readmeTable } from '../../../scripts/config-docs.js';

describe('README configuration table', () => {
  it('lists every variable the services read, with the defaults the code applies', () => {
    expect(readmeTable(), 'README.md is stale: run `npm run docs:config`').toBe(configTable());
  });
});

import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesUnder, importsOf } from './module-graph.js';

/**
 * The layout rule (docs/architecture.md, "Where code lives"), checked on the run-time imports of services/:
 * - `shared/` is the platform (database connection and migrations, config, logging, metrics, the job
 *   registry, crypto, the runtime): it imports nothing but itself;
 * - `features/<feature>/` holds one domain feature (its entities, repositories and statements in `data/`,
 *   its job payloads and its pure logic): it imports the platform and other features, never a service, and
 *   features depend on one another without a cycle;
 * - the files at the root of `features/` assemble every feature (the ORM's entities): no feature imports them;
 * - a service (`api`, `worker`, `scheduler`, `lake-export`) keeps its entry point and transport, and imports
 *   the platform and the features, never another service;
 * - the Spotify emulator stands for Spotify: it imports the platform only, never Playlog's features;
 * - `cli/`, the one program, runs every service and task: it may import anything.
 */
type Layer = { kind: 'platform' } | { kind: 'feature'; name: string } | { kind: 'features-root' } | { kind: 'service'; name: string } | { kind: 'emulator' } | { kind: 'cli' } | { kind: 'web' };

const SERVICES = ['api', 'worker', 'scheduler', 'lake-export'];

export function layerOf(file: string): Layer {
  const [top, name, ...rest] = file.split(sep).slice(1);
  if (top === 'shared') return { kind: 'platform' };
  if (top === 'features') return rest.length === 0 && name?.endsWith('.ts') ? { kind: 'features-root' } : { kind: 'feature', name: name! };
  if (top === 'cli') return { kind: 'cli' };
  if (top === 'spotify-emulator') return { kind: 'emulator' };
  if (top === 'web') return { kind: 'web' };
  if (top && SERVICES.includes(top)) return { kind: 'service', name: top };
  throw new Error(`${file} is in no layer: services/ holds shared/, features/, cli/, web/, spotify-emulator/ and ${SERVICES.join(', ')}`);
}

function allowed(from: Layer, to: Layer): boolean {
  switch (from.kind) {
    case 'platform':
      return to.kind === 'platform';
    case 'feature':
      return to.kind === 'platform' || to.kind === 'feature';
    case 'features-root':
      return to.kind === 'platform' || to.kind === 'feature' || to.kind === 'features-root';
    case 'service':
      return to.kind === 'platform' || to.kind === 'feature' || to.kind === 'features-root' || (to.kind === 'service' && to.name === from.name);
    case 'emulator':
      return to.kind === 'platform' || to.kind === 'emulator';
    case 'web':
      return to.kind === 'web';
    case 'cli':
      return true;
  }
}

/** Each import that breaks the rule, as `from -> to`, and each cycle between features, as their names. */
export function layoutFindings(root: string): string[] {
  const files = filesUnder(join(root, 'services'));
  const findings: string[] = [];
  const featureEdges = new Map<string, Set<string>>();
  for (const path of files) {
    const file = relative(root, path);
    const from = layerOf(file);
    for (const target of importsOf(path)) {
      const to = layerOf(relative(root, target));
      if (!allowed(from, to)) findings.push(`${file} -> ${relative(root, target)}`);
      if (from.kind === 'feature' && to.kind === 'feature' && from.name !== to.name) {
        featureEdges.set(from.name, (featureEdges.get(from.name) ?? new Set()).add(to.name));
      }
    }
  }
  // A feature reaching itself again through others: depth-first, reporting each cycle's path once.
  const state = new Map<string, 'open' | 'done'>();
  const visit = (feature: string, path: string[]) => {
    state.set(feature, 'open');
    for (const next of featureEdges.get(feature) ?? []) {
      if (state.get(next) === 'open') findings.push(`features in a cycle: ${[...path.slice(path.indexOf(next)), feature, next].join(' -> ')}`);
      else if (!state.has(next)) visit(next, [...path, feature]);
    }
    state.set(feature, 'done');
  };
  for (const feature of [...featureEdges.keys()].sort()) if (!state.has(feature)) visit(feature, []);
  return findings;
}

describe('the layout of services/', () => {
  it('follows the rule: platform, features, services, the emulator and the one program import only what they may', () => {
    expect(layoutFindings(process.cwd())).toEqual([]);
  });

  it('is what the check looks at: it finds a platform module importing a feature, a service another, and features in a cycle', () => {
    expect(layoutFindings(join(process.cwd(), 'test/architecture/fixtures/layout'))).toEqual([
      'services/api/reads-worker.ts -> services/worker/job.ts',
      'services/features/alpha/a.ts -> services/api/reads-worker.ts',
      'services/shared/uses-feature.ts -> services/features/alpha/a.ts',
      'features in a cycle: alpha -> beta -> alpha',
    ]);
  });
});

#!/usr/bin/env node
// Every installed package must run on every Node.js version package.json's `engines.node` allows: CI runs
// the lowest of them, the image the newest, and npm only warns (EBADENGINE) when a package needs more.
// Reads package-lock.json (each package's own `engines`, as npm recorded it), so it checks exactly what
// `npm ci` installs, dev dependencies included (CI runs them too).
//
//   node scripts/check-engines.mjs    exit 1, naming each package whose engines do not cover ours
import { readFileSync } from 'node:fs';
import semver from 'semver';

const root = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8'));
const ours = root.engines?.node;
if (!ours || !semver.validRange(ours)) {
  console.error('check-engines: package.json needs engines.node (a semver range such as ">=20.11")');
  process.exit(1);
}

const problems = [];
for (const [path, entry] of Object.entries(lock.packages)) {
  if (!path || entry.link) continue;
  // Optional platform builds npm skips on other systems (and on this one when they do not match it).
  if (entry.optional && (entry.os || entry.cpu)) continue;
  const theirs = typeof entry.engines === 'object' && entry.engines !== null ? entry.engines.node : undefined;
  if (theirs === undefined || theirs === '*' || theirs === '') continue;
  const range = semver.validRange(theirs, { loose: true });
  if (range === null) {
    problems.push(`${path.replace(/^.*node_modules\//, '')}@${entry.version}: engines.node "${theirs}" is not a range`);
    continue;
  }
  if (!semver.subset(ours, range, { loose: true })) {
    problems.push(`${path.replace(/^.*node_modules\//, '')}@${entry.version} needs node ${theirs}`);
  }
}

if (problems.length > 0) {
  console.error(`check-engines: ${problems.length} package(s) do not support node ${ours} (package.json engines):`);
  for (const problem of problems) console.error(`  - ${problem}`);
  console.error('Pin versions that do (package.json dependencies, or overrides for a transitive one), or raise engines.node.');
  process.exit(1);
}
console.log(`check-engines: every package supports node ${ours}`);

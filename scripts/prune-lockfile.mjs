#!/usr/bin/env node
// Keeps package-lock.json installable with `npm ci` from the registry these machines reach.
//
// That registry does not carry every platform build of packages with native binaries (rollup,
// msgpackr-extract, ...): `npm install` silently skips the ones it cannot fetch, and `npm ci` then
// refuses the lock file ("Missing: @rollup/rollup-darwin-x64@ from lock file"). This removes, from
// each package's optionalDependencies, the names that have no entry in the lock file.
//
//   node scripts/prune-lockfile.mjs          fix package-lock.json in place (run after npm install)
//   node scripts/prune-lockfile.mjs --check  exit 1 when it needs fixing (CI)
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const present = new Set(Object.keys(lock.packages).map((key) => key.split('node_modules/').pop()));
const pruned = [];
for (const [key, entry] of Object.entries(lock.packages)) {
  for (const name of Object.keys(entry.optionalDependencies ?? {})) {
    if (present.has(name)) continue;
    delete entry.optionalDependencies[name];
    pruned.push(`${key || '(root)'} -> ${name}`);
  }
}

if (process.argv.includes('--check')) {
  if (pruned.length) {
    console.error(`package-lock.json lists ${pruned.length} optional dependencies that are not in it (npm ci would refuse it): run node scripts/prune-lockfile.mjs`);
    process.exit(1);
  }
  process.exit(0);
}
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(pruned.length ? `pruned ${pruned.length} unresolvable optional dependencies from package-lock.json` : 'package-lock.json is fine');

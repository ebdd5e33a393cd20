import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * `node --import tsx bench/profile-summary.ts <file.cpuprofile> [top]`: where a CPU profile written by
 * `npm run bench -- --profile` spent its time, as self time per package (node_modules/<name>, the
 * project's own folders, node: internals, GC, idle) and per function. Enough to say what a missed
 * target is made of without opening DevTools.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

function packageOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const relative = url.replace(/^file:\/\//, '').replace(`${process.cwd()}/`, '');
  return relative.split('/').slice(0, 2).join('/');
}

const byPackage = new Map<string, number>();
const byFunction = new Map<string, number>();
let total = 0;
for (const [id, us] of selfUs) {
  const { callFrame } = nodes.get(id)!;
  total += us;
  const pkg = packageOf(callFrame.url, callFrame.functionName);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  const where = callFrame.url ? `${path.basename(callFrame.url)}:${callFrame.lineNumber + 1}` : '';
  const fn = `${callFrame.functionName || '(anonymous)'} ${where} [${pkg}]`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
}
const busy = total - (byPackage.get('(idle)') ?? 0);
const print = (title: string, entries: Map<string, number>) => {
  console.log(`\n${title} (share of non-idle time, ${(busy / 1e6).toFixed(2)} s busy of ${(total / 1e6).toFixed(2)} s)`);
  for (const [name, us] of [...entries].filter(([name]) => name !== '(idle)' && !name.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((us / busy) * 100).toFixed(1).padStart(5)}%  ${name}`);
  }
};
print('self time by package', byPackage);
print('self time by function', byFunction);

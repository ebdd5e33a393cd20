import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { benchDatabaseName, dropDatabase, withAdmin } from '../support/bench-database.js';
import { databaseUrlFor, REDIS_URL } from '../support/bench-env.js';
import { benchPrefix, benchRedis } from '../support/bench-redis.js';
import { atMostRatioRow, checkRow, formatNumber, formatRatio, infoRow, type ResultRow } from '../support/results-table.js';
import { ScenarioSkipped, type Scenario, type ScenarioContext } from '../support/scenario.js';
import { median, sleep } from '../support/stopwatch.js';

/**
 * The image's start-up, memory, size and the scheduler's CPU, compiled JavaScript against tsx.
 * Until 016bb32 the image ran the services' TypeScript through tsx (`node --import tsx services/<svc>/main.ts`);
 * since, `npm run build` compiles them and the image runs `node services/cli/main.js <command>`.
 * Baseline: the image of 016bb32's parent, the last commit that ran tsx, built in the same run from that
 * commit's own files (`git archive 016bb32~1 | docker build -`): the exact code that ran before, through tsx.
 * Candidate: the working tree's image (`docker build .`, the production target). Both run against the host's
 * Postgres and Redis (`--network host`), each on a fresh database its own `playlog migrate` migrated. A control, for
 * information: the candidate's code started with the baseline's node flags (see BASELINE_NODE_FLAGS).
 */
const BASELINE_REF = '016bb32~1';
const BASELINE_TAG = 'playlog:bench-tsx';
const CANDIDATE_TAG = 'playlog:bench';
/** Host ports (--network host), below 32768 where the machine's outgoing connections get theirs. */
const PORTS = { api: 24400, apiMetrics: 24401, workerMetrics: 24402, emulator: 24403 } as const;
/** A service's RSS is read this long after it first answered ready. */
const SETTLE_MS = 2_000;
const READY_TIMEOUT_MS = 90_000;
const POLL_EVERY_MS = 20;
/** What production node_modules must not hold: the TypeScript toolchain tsx brought (and esbuild's binaries). */
const TOOLCHAIN = ['typescript', 'tsx', 'esbuild', '@esbuild'];

/**
 * The node flags the baseline's launcher (016bb32~1:scripts/docker-entrypoint.sh) gave each command: the worker's heap
 * limit, nothing else. The candidate's launcher gives every service a heap limit of its own (since c5eedda), which
 * changes RSS by itself; the control (the candidate's compiled code started with these flags) tells the two apart.
 */
const BASELINE_NODE_FLAGS: Record<string, string[]> = { api: [], worker: ['--max-old-space-size=256'], emulator: [], scheduler: [] };

const run = promisify(execFile);
const mib = (bytes: number) => bytes / 2 ** 20;

interface Variant {
  label: 'tsx' | 'compiled' | 'control';
  image: string;
  envFile: string;
  /** How the container starts a command, after tini: the image's launcher, or node itself (the control). */
  argv(command: string): string[];
}

interface ServiceSpec {
  command: 'api' | 'worker' | 'emulator';
  probe: string;
}

const SERVICES: ServiceSpec[] = [
  { command: 'api', probe: `http://127.0.0.1:${PORTS.api}/readyz` },
  { command: 'worker', probe: `http://127.0.0.1:${PORTS.workerMetrics}/readyz` },
  { command: 'emulator', probe: `http://127.0.0.1:${PORTS.emulator}/healthz` },
];

interface StartSample {
  /** From the container's start (docker inspect .State.StartedAt) to the first 200 of its probe. */
  fromStartMs: number;
  /** From just before `docker run -d` to the same 200 (wall time, container creation included). */
  fromRunMs: number;
  /** CPU the container had used (its cgroup: node, and the tini and sh before it) when it answered ready. */
  cpuToReadyMs: number;
  /** The node process's RSS, SETTLE_MS after ready (docker top). */
  rssBytes: number;
  /** The container's memory as `docker stats` reports it (the cgroup's usage less its inactive file cache). */
  containerBytes: number;
  /** The node process's command line, as the report shows it. */
  args: string;
}

interface TickSample {
  userMs: number;
  systemMs: number;
  /** The container's cgroup peak (node and sh), or NaN where the cgroup does not say. */
  peakBytes: number;
}

export const imageScenario: Scenario = {
  name: 'image',
  title: 'start-up, memory and size of the image running compiled JavaScript, against the image that ran tsx (before 016bb32)',
  async run(context) {
    await requireDocker();
    const rounds = context.size === 'small' ? 1 : 5;
    const baselineCommit = await resolveBaseline();
    await requireFreePorts();

    // What this run makes in Docker is removed at the end, crash or not; cleanups run last first, so the
    // containers go before the tags they use.
    context.defer(async () => {
      // --no-prune: the tags go, the cached layers under them stay for the next build.
      for (const tag of [BASELINE_TAG, CANDIDATE_TAG]) await docker(['rmi', '--no-prune', tag]).catch(() => undefined);
    });
    const containers = new Set<string>();
    const removeContainers = async () => {
      if (containers.size) await docker(['rm', '-f', ...containers]).catch(() => undefined);
      containers.clear();
    };
    context.defer(removeContainers);
    const baselineBuild = await build(context, BASELINE_TAG, { commit: baselineCommit });
    const candidateBuild = await build(context, CANDIDATE_TAG, {});
    context.log(`images built: baseline ${formatNumber(baselineBuild / 1000)} s, candidate ${formatNumber(candidateBuild / 1000)} s`);

    const workDir = await mkdtemp(path.join(os.tmpdir(), `playlog-bench-${context.runId}-image-`));
    context.defer(() => rm(workDir, { recursive: true, force: true }));
    const redis = await benchRedis(context);
    const variants: Variant[] = [];
    for (const [label, image] of [
      ['tsx', BASELINE_TAG],
      ['compiled', CANDIDATE_TAG],
    ] as const) {
      const database = benchDatabaseName(context.runId, `image_${label}`);
      await dropDatabase(database);
      await withAdmin((client) => client.query(`create database ${database}`));
      context.defer(async () => {
        await removeContainers(); // none still connected
        await dropDatabase(database);
      });
      const envFile = path.join(workDir, `${label}.env`);
      await writeFile(envFile, envFileText(databaseUrlFor(database), benchPrefix(context, redis, `image-${label}`)), { mode: 0o600 });
      const variant: Variant = { label, image, envFile, argv: (command) => ['playlog', command] };
      await runOnce(context, containers, variant, 'migrate', ['migrate']);
      variants.push(variant);
    }
    const [tsx, compiled] = variants as [Variant, Variant];
    // The control: the candidate's compiled code on its database, started by node with the baseline's flags.
    const control: Variant = { ...compiled, label: 'control', argv: (command) => ['node', ...(BASELINE_NODE_FLAGS[command] ?? []), 'services/cli/main.js', command] };
    const order = (round: number) => (round % 2 === 0 ? [tsx, compiled, control] : [control, compiled, tsx]);

    // Each service alone on the machine, one at a time; the images alternate which goes first.
    const starts = new Map<string, StartSample[]>();
    for (let round = 0; round < rounds; round++) {
      for (const variant of order(round)) {
        for (const service of SERVICES) {
          const sample = await startToReady(context, containers, variant, service, round);
          const key = `${variant.label}:${service.command}`;
          starts.set(key, [...(starts.get(key) ?? []), sample]);
          context.log(`${key} round ${round + 1}: ready ${formatNumber(sample.fromStartMs)} ms after start, RSS ${formatNumber(mib(sample.rssBytes))} MiB`);
        }
      }
    }

    const ticks = new Map<string, TickSample[]>();
    for (let round = 0; round < rounds; round++) {
      for (const variant of order(round)) {
        const tick = await schedulerTick(context, containers, variant, round);
        ticks.set(variant.label, [...(ticks.get(variant.label) ?? []), tick]);
        context.log(`${variant.label} scheduler round ${round + 1}: ${tick.userMs} ms user + ${tick.systemMs} ms system`);
      }
    }

    const [tsxImage, compiledImage] = await Promise.all([inspectImage(tsx.image), inspectImage(compiled.image)]);

    const rows: ResultRow[] = [];
    const sampleOf = (variant: Variant, service: ServiceSpec) => starts.get(`${variant.label}:${service.command}`) ?? [];
    const medianOf = (variant: Variant, service: ServiceSpec, value: (sample: StartSample) => number) => median(sampleOf(variant, service).map(value));
    for (const service of SERVICES) {
      rows.push(
        lowerThanBaseline({
          figure: `${service.command}: start-up to ready (${service.probe.replace(/^http:\/\/[^/]+/, '')} 200)`,
          value: medianOf(compiled, service, (sample) => sample.fromStartMs),
          unit: 'ms',
          baselineValue: medianOf(tsx, service, (sample) => sample.fromStartMs),
        }),
      );
    }
    // A figure of the three services on one line: measured, baseline, and each service's ratio.
    const perService = (figure: string, unit: string, value: (sample: StartSample) => number, ours = compiled) => {
      const [mine, theirs] = [ours, tsx].map((variant) => SERVICES.map((service) => medianOf(variant, service, value))) as [number[], number[]];
      return infoRow(
        `api / worker / emulator: ${figure}`,
        `${mine.map(formatNumber).join(' / ')} ${unit}`,
        `tsx: ${theirs.map(formatNumber).join(' / ')} ${unit}`,
        mine.map((value, index) => formatRatio(value / theirs[index]!)).join(' / '),
      );
    };
    rows.push(perService("CPU to ready (the container's cgroup)", 'ms', (sample) => sample.cpuToReadyMs));
    rows.push(perService('from `docker run -d` to ready (wall)', 'ms', (sample) => sample.fromRunMs));
    for (const service of SERVICES) {
      rows.push(
        atMostRatioRow({
          figure: `${service.command}: RSS of node, ${SETTLE_MS / 1000} s after ready`,
          value: mib(medianOf(compiled, service, (sample) => sample.rssBytes)),
          unit: 'MiB',
          baselineName: 'tsx',
          baselineValue: mib(medianOf(tsx, service, (sample) => sample.rssBytes)),
          maxRatio: null,
        }),
      );
    }
    rows.push(perService('container memory (docker stats)', 'MiB', (sample) => mib(sample.containerBytes)));

    const cpu = (variant: Variant) => median((ticks.get(variant.label) ?? []).map((tick) => tick.userMs + tick.systemMs));
    const split = (variant: Variant) => {
      const samples = ticks.get(variant.label) ?? [];
      return `${formatNumber(median(samples.map((tick) => tick.userMs)))} user + ${formatNumber(median(samples.map((tick) => tick.systemMs)))} system`;
    };
    const peak = (variant: Variant) => mib(median((ticks.get(variant.label) ?? []).map((tick) => tick.peakBytes)));
    rows.push(lowerThanBaseline({ figure: `scheduler: CPU per tick (user + system; ${split(compiled)} ms)`, value: cpu(compiled), unit: 'ms', baselineValue: cpu(tsx), baselineNote: `${split(tsx)} ms` }));
    if (Number.isFinite(peak(compiled)) && Number.isFinite(peak(tsx))) {
      rows.push(atMostRatioRow({ figure: "scheduler: peak memory of the tick's container (cgroup)", value: peak(compiled), unit: 'MiB', baselineName: 'tsx', baselineValue: peak(tsx), maxRatio: null }));
    }

    // What compiling alone changed: the same compiled code with the baseline's node flags.
    const asBefore = 'compiled, node flags as before';
    rows.push(perService(`start-up to ready, ${asBefore}`, 'ms', (sample) => sample.fromStartMs, control));
    rows.push(perService(`RSS of node, ${asBefore}`, 'MiB', (sample) => mib(sample.rssBytes), control));
    rows.push(
      infoRow(
        `scheduler: CPU per tick / peak, ${asBefore}`,
        `${formatNumber(cpu(control))} ms / ${formatNumber(peak(control))} MiB`,
        `tsx: ${formatNumber(cpu(tsx))} ms / ${formatNumber(peak(tsx))} MiB`,
        `${formatRatio(cpu(control) / cpu(tsx))} / ${formatRatio(peak(control) / peak(tsx))}`,
      ),
    );

    rows.push(atMostRatioRow({ figure: 'image size', value: mib(compiledImage.sizeBytes), unit: 'MiB', baselineName: 'tsx', baselineValue: mib(tsxImage.sizeBytes), maxRatio: null }));
    rows.push(atMostRatioRow({ figure: '/app/node_modules (du -sm)', value: compiledImage.nodeModulesMiB, unit: 'MiB', baselineName: 'tsx', baselineValue: tsxImage.nodeModulesMiB, maxRatio: null }));
    rows.push(
      checkRow({
        figure: `production node_modules without ${TOOLCHAIN.join(', ')}`,
        measured: compiledImage.toolchain.length ? `has ${compiledImage.toolchain.join(', ')}` : 'none of them',
        baseline: `tsx: ${tsxImage.toolchain.length ? `has ${tsxImage.toolchain.join(', ')}` : 'none of them'}`,
        target: 'none',
        pass: compiledImage.toolchain.length === 0,
      }),
    );
    rows.push(infoRow('image builds in this run (docker build, layer cache as found)', `${formatNumber(candidateBuild / 1000)} s`, `tsx: ${formatNumber(baselineBuild / 1000)} s`));

    const commandLines = (variant: Variant) => SERVICES.map((service) => `\`${sampleOf(variant, service)[0]?.args ?? '?'}\``).join(', ');
    return {
      rows,
      notes: [
        `baseline: the image of ${baselineCommit.slice(0, 7)} (${BASELINE_REF}), the last commit whose image ran the services through tsx, built in this run from that commit's own files (git archive ${BASELINE_REF} | docker build -t ${BASELINE_TAG} -): the exact code that ran before; candidate: the working tree's image (docker build -t ${CANDIDATE_TAG} ., the production target); ${compiledImage.node} in both`,
        `node as each image started it: tsx: ${commandLines(tsx)}; compiled: ${commandLines(compiled)}; the scheduler: \`playlog scheduler\` in each (the candidate's launcher gives it a heap limit, the baseline's gave it none)`,
        `"${asBefore}": the candidate's image and code, started as \`node <the flags the baseline's launcher gave that command> services/cli/main.js <command>\` (${commandLines(control)}), so that the difference from tsx is the compiling alone, not the heap limits the launcher has given the services since`,
        `each container: --network host against the host's Postgres and Redis, a fresh database migrated by that image's \`playlog migrate\`, its own queue prefix, a random TOKEN_ENCRYPTION_KEYS, NODE_ENV=production as the image sets it, JSON logs at info`,
        `start-up: median of ${rounds} start(s) per service and image, each service alone on the machine, the images alternating which goes first; from the container's start (docker inspect .State.StartedAt) to the first 200 of its probe, polled every ${POLL_EVERY_MS} ms (tsx compiles every file afresh: a new container's /tmp holds no tsx cache, as on a new pod); the page cache is warm (each image's migrate ran first); CPU to ready: the container's cgroup CPU time read (docker exec) as soon as it answered, less swayed than wall time by other work on the machine`,
        `RSS: the node process (docker top), ${SETTLE_MS / 1000} s after ready, idle; container memory: docker stats (the cgroup's usage less its inactive file cache; below RSS, because the pages of the node binary every container maps are charged to the cgroup that read them first)`,
        `scheduler tick: \`docker run --rm --network host --entrypoint sh IMAGE -c 'playlog scheduler >/tmp/scheduler.log 2>&1; times'\`, the children's user + system CPU as dash's times reports it (10 ms resolution), median of ${rounds} (user and system in brackets: the median of each); an empty database (no user due), so a tick is what every CronJob run pays whatever the users: start node, load the code, connect, one query; peak: the container's memory.max_usage_in_bytes (cgroup v1) or memory.peak (v2) after it exited`,
        `ports on 127.0.0.1: api ${PORTS.api} (metrics ${PORTS.apiMetrics}), worker metrics ${PORTS.workerMetrics}, emulator ${PORTS.emulator}; containers, the two tags (not the cached layers), databases and queue keys are removed at the end`,
      ],
    };
  },
};

/** figure < baseline: "lower than the baseline" is the target (a tie is no gain). */
function lowerThanBaseline(args: { figure: string; value: number; unit: string; baselineValue: number; baselineNote?: string }): ResultRow {
  const ratio = args.value / args.baselineValue;
  return {
    figure: args.figure,
    measured: `${formatNumber(args.value)} ${args.unit}`,
    baseline: `tsx: ${formatNumber(args.baselineValue)} ${args.unit}${args.baselineNote ? ` (${args.baselineNote})` : ''}`,
    ratio: formatRatio(ratio, 'up'),
    target: '< 1×',
    pass: ratio < 1,
  };
}

async function docker(args: string[], timeoutMs = 120_000): Promise<string> {
  const { stdout } = await run('docker', args, { timeout: timeoutMs, maxBuffer: 16 * 2 ** 20 });
  return stdout;
}

/** No Docker engine here (no docker command, or `docker info` fails): the scenario is skipped, not crashed. */
async function requireDocker(): Promise<void> {
  try {
    await docker(['info', '--format', '{{.ServerVersion}}'], 30_000);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no docker command' : `docker info fails: ${firstLine((error as { stderr?: string }).stderr ?? (error as Error).message)}`;
    throw new ScenarioSkipped(`needs a Docker engine (${reason})`);
  }
}

async function resolveBaseline(): Promise<string> {
  try {
    return (await run('git', ['rev-parse', '--verify', `${BASELINE_REF}^{commit}`])).stdout.trim();
  } catch {
    throw new Error(`the baseline commit ${BASELINE_REF} is not in this checkout (a shallow clone?): fetch the history first`);
  }
}

/** Each host port free on every interface: with --network host, a taken one would answer for our container. */
async function requireFreePorts(): Promise<void> {
  for (const [name, port] of Object.entries(PORTS)) {
    await new Promise<void>((resolve, reject) => {
      const server = createServer();
      server.once('error', (error) => reject(new Error(`port ${port} (${name}) is in use; the image scenario needs ${Object.values(PORTS).join(', ')}: ${error.message}`)));
      server.listen({ port, host: '0.0.0.0' }, () => server.close(() => resolve()));
    });
  }
}

const firstLine = (text: string) => text.trim().split('\n')[0] ?? '';
const tail = (text: string, lines = 15) => text.trim().split('\n').slice(-lines).join('\n');

/** docker build, the baseline's context being that commit's files; milliseconds taken. */
async function build(context: ScenarioContext, tag: string, from: { commit?: string }): Promise<number> {
  context.log(`building ${tag}${from.commit ? ` from ${from.commit.slice(0, 12)}` : ' from the working tree'}`);
  const started = Date.now();
  let output = '';
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('docker', ['build', '-t', tag, from.commit ? '-' : '.'], { stdio: [from.commit ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer) => void (output = (output + chunk.toString()).slice(-20_000));
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.once('error', reject);
    child.once('close', resolve);
    if (from.commit) {
      const archive = spawn('git', ['archive', from.commit], { stdio: ['ignore', 'pipe', 'inherit'] });
      archive.once('error', reject);
      archive.stdout.pipe(child.stdin!);
    }
  });
  if (code !== 0) throw new Error(`docker build -t ${tag} failed (exit ${code}):\n${tail(output)}`);
  return Date.now() - started;
}

function envFileText(databaseUrl: string, prefix: string): string {
  const env: Record<string, string> = {
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    TOKEN_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
    SPOTIFY_CLIENT_ID: 'playlog-dev',
    SPOTIFY_CLIENT_SECRET: 'playlog-dev-secret',
    SPOTIFY_ACCOUNTS_URL: `http://127.0.0.1:${PORTS.emulator}/accounts`,
    SPOTIFY_API_URL: `http://127.0.0.1:${PORTS.emulator}/v1`,
    API_HOST: '127.0.0.1',
    API_PORT: String(PORTS.api),
    API_METRICS_PORT: String(PORTS.apiMetrics),
    METRICS_HOST: '127.0.0.1',
    WORKER_METRICS_PORT: String(PORTS.workerMetrics),
    EMULATOR_HOST: '127.0.0.1',
    EMULATOR_PORT: String(PORTS.emulator),
  };
  return `${Object.entries(env)
    .map(([name, value]) => `${name}=${value}`)
    .join('\n')}\n`;
}

const containerName = (context: ScenarioContext, variant: Variant, what: string) => `playlog-bench-${context.runId}-${variant.label}-${what}`;

/** A one-off command of the image (migrate), to its end; throws with its output when it fails. */
async function runOnce(context: ScenarioContext, containers: Set<string>, variant: Variant, what: string, args: string[]): Promise<void> {
  const name = containerName(context, variant, what);
  containers.add(name);
  try {
    await docker(['run', '--rm', '--name', name, '--network', 'host', '--env-file', variant.envFile, variant.image, ...args], 300_000);
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${variant.label} image: playlog ${args.join(' ')} failed: ${tail(`${failure.stdout ?? ''}\n${failure.stderr ?? failure.message}`)}`);
  } finally {
    containers.delete(name);
  }
}

/** docker inspect's RFC 3339 time with nanoseconds, as epoch milliseconds. */
const epochMs = (timestamp: string) => Date.parse(timestamp.trim().replace(/\.(\d{3})\d*Z$/, '.$1Z'));

async function probeOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/**
 * docker run's arguments from the image on: `playlog <command>` through the image's own entrypoint (tini, then the
 * launcher); any other command line after tini, as the entrypoint runs it.
 */
function imageAndCommand(variant: Variant, command: string): string[] {
  const argv = variant.argv(command);
  return argv[0] === 'playlog' ? [variant.image, ...argv.slice(1)] : ['--entrypoint', '/usr/bin/tini', variant.image, '-g', '--', ...argv];
}

async function startToReady(context: ScenarioContext, containers: Set<string>, variant: Variant, service: ServiceSpec, round: number): Promise<StartSample> {
  const name = containerName(context, variant, `${service.command}-${round}`);
  containers.add(name);
  const runAt = Date.now();
  await docker(['run', '-d', '--name', name, '--network', 'host', '--env-file', variant.envFile, ...imageAndCommand(variant, service.command)]);
  let readyAt = 0;
  let lastStateCheck = Date.now();
  while (!readyAt) {
    if (await probeOk(service.probe)) {
      readyAt = Date.now();
      break;
    }
    const now = Date.now();
    if (now - lastStateCheck >= 1_000 || now - runAt > READY_TIMEOUT_MS) {
      lastStateCheck = now;
      const running = (await docker(['inspect', '-f', '{{.State.Running}}', name])).trim() === 'true';
      if (!running || now - runAt > READY_TIMEOUT_MS) {
        const logs = await run('docker', ['logs', '--tail', '15', name]).then(({ stdout, stderr }) => `${stdout}${stderr}`, () => '');
        throw new Error(`${variant.label} image: ${service.command} ${running ? `not ready after ${READY_TIMEOUT_MS / 1000} s` : 'exited before it was ready'}:\n${tail(logs)}`);
      }
    }
    await sleep(POLL_EVERY_MS);
  }
  const [cpuToReadyMs, startedAt] = await Promise.all([containerCpuMs(name), docker(['inspect', '-f', '{{.State.StartedAt}}', name]).then(epochMs)]);
  await sleep(SETTLE_MS);
  const [top, stats] = await Promise.all([docker(['top', name, '-o', 'pid,rss,args']), docker(['stats', '--no-stream', '--format', '{{.MemUsage}}', name])]);
  const node = top
    .split('\n')
    .slice(1)
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .find((match) => match && /^node\s/.test(match[3]!));
  if (!node) throw new Error(`${variant.label} image: no node process in ${service.command}'s container:\n${top}`);
  await docker(['rm', '-f', name]);
  containers.delete(name);
  return {
    fromStartMs: readyAt - startedAt,
    fromRunMs: readyAt - runAt,
    cpuToReadyMs,
    rssBytes: Number(node[2]) * 1024,
    containerBytes: parseMemUsage(stats),
    args: node[3]!.trim(),
  };
}

/** CPU the container's processes have used so far, from its cgroup (v1: cpuacct.usage in ns; v2: cpu.stat in µs). */
async function containerCpuMs(name: string): Promise<number> {
  const script = [
    'if [ -r /sys/fs/cgroup/cpuacct/cpuacct.usage ]; then echo "ns $(cat /sys/fs/cgroup/cpuacct/cpuacct.usage)"',
    'elif [ -r /sys/fs/cgroup/cpu.stat ]; then echo "us $(sed -n "s/^usage_usec //p" /sys/fs/cgroup/cpu.stat)"',
    'else echo none; fi',
  ].join('\n');
  const [unit, value] = (await docker(['exec', name, 'sh', '-c', script])).trim().split(' ');
  return unit === 'ns' ? Number(value) / 1e6 : unit === 'us' ? Number(value) / 1e3 : Number.NaN;
}

/** "43.41MiB / 23.54GiB" -> bytes of the first figure. */
function parseMemUsage(text: string): number {
  const match = /^\s*([\d.]+)\s*([KMGT]?i?B)/.exec(text);
  if (!match) return Number.NaN;
  const scale: Record<string, number> = { B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };
  return Number(match[1]) * (scale[match[2]!] ?? Number.NaN);
}

/** One scheduler run (a CronJob tick) in its own container; the shell's `times` gives its children's CPU. */
async function schedulerTick(context: ScenarioContext, containers: Set<string>, variant: Variant, round: number): Promise<TickSample> {
  const name = containerName(context, variant, `scheduler-${round}`);
  containers.add(name);
  const script = [
    `${variant.argv('scheduler').join(' ')} >/tmp/scheduler.log 2>&1; status=$?`,
    'times',
    'cat /sys/fs/cgroup/memory/memory.max_usage_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.peak 2>/dev/null || echo none',
    'if [ $status -ne 0 ]; then tail -n 15 /tmp/scheduler.log >&2; fi',
    'exit $status',
  ].join('\n');
  let stdout: string;
  try {
    stdout = await docker(['run', '--rm', '--name', name, '--network', 'host', '--env-file', variant.envFile, '--entrypoint', 'sh', variant.image, '-c', script]);
  } catch (error) {
    const failure = error as { stderr?: string; message: string };
    throw new Error(`${variant.label} image: playlog scheduler failed: ${tail(failure.stderr ?? failure.message)}`);
  } finally {
    containers.delete(name);
  }
  // dash: "0m0.010000s 0m0.000000s" for the shell, then the same for its children, then the cgroup's peak.
  const lines = stdout.trim().split('\n');
  const children = [...(lines[1] ?? '').matchAll(/(\d+)m([\d.]+)s/g)].map((match) => (Number(match[1]) * 60 + Number(match[2])) * 1000);
  if (children.length !== 2) throw new Error(`${variant.label} image: could not read the scheduler's CPU from \`times\`: ${stdout}`);
  return { userMs: children[0]!, systemMs: children[1]!, peakBytes: Number(lines[2]) };
}

async function inspectImage(image: string): Promise<{ sizeBytes: number; nodeModulesMiB: number; toolchain: string[]; node: string }> {
  const sizeBytes = Number((await docker(['image', 'inspect', '-f', '{{.Size}}', image])).trim());
  const found = TOOLCHAIN.map((name) => `-path '*/node_modules/${name}'`).join(' -o ');
  const script = `node --version; du -sm /app/node_modules | cut -f1; find /app/node_modules \\( ${found} \\) -prune -print`;
  const lines = (await docker(['run', '--rm', '--entrypoint', 'sh', image, '-c', script])).trim().split('\n');
  const toolchain = [...new Set(lines.slice(2).map((line) => line.replace(/^.*\/node_modules\//, '')))].sort();
  return { sizeBytes, nodeModulesMiB: Number(lines[1]), toolchain, node: `Node.js ${lines[0]}` };
}

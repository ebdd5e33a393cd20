import { dirname, join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../services/cli/commands.js';
import { MEMORY_BUDGETS, MIN_HEAP_MIB, type MemoryBudget, memoryBudgetOf } from '../../services/shared/runtime/memory-budgets.js';
import {
  type Container,
  type K8sObject,
  type ServiceEnv,
  LAUNCHER,
  ROOT,
  composeServices,
  dockerfileStage,
  dockerfileStages,
  exists,
  findHelm,
  interpolate,
  keywordList,
  keywordString,
  launcherVariables,
  packageScripts,
  playlogCommands,
  podSpecOf,
  quotedStrings,
  read,
  renderChart,
  serviceEnv,
  tiltCalls,
} from './deploy-files.js';

/**
 * The image, docker-compose.yml, the Helm chart and the Tiltfile must run commands of the one program
 * (`playlog <command>`, services/cli/commands.ts) and set only variables the code reads, and give each
 * service every variable it cannot start without. Chart checks need helm: scripts/chart-check.sh installs
 * it (and sets REQUIRE_HELM=1); elsewhere they are skipped with a note when no helm is found.
 */

const commands = playlogCommands();
const launcherVars = launcherVariables();
const envCache = new Map<string, Promise<ServiceEnv>>();
function envOf(command: string): Promise<ServiceEnv> {
  const entry = commands.get(command);
  if (!entry) throw new Error(`"${command}" is not a command of playlog (${[...commands.keys()].join(', ')})`);
  if (!envCache.has(command)) envCache.set(command, serviceEnv(entry));
  return envCache.get(command)!;
}

/**
 * Checks one process's environment: `own` are names set on it directly (each must be read by it),
 * `shared` come from a ConfigMap several processes load (checked apart); the required ones must be among either.
 */
async function envProblems(where: string, command: string, own: Iterable<string>, shared: Iterable<string> = []): Promise<string[]> {
  const { reads, required } = await envOf(command);
  const given = new Set([...own, ...shared]);
  const problems: string[] = [];
  for (const name of own) {
    if (!reads.has(name) && !launcherVars.has(name)) problems.push(`${where} sets ${name}, which \`${command}\` does not read`);
  }
  for (const name of required) {
    if (!given.has(name) && !given.has(`${name}_FILE`)) problems.push(`${where} does not set ${name}, which \`${command}\` requires`);
  }
  return problems;
}

/** The heap a budgeted command gets in an environment: its heap variable's, when set, else its budget's. */
function heapOf(budget: MemoryBudget, environment: Record<string, string>): number {
  const asked = budget.heapVariable ? interpolate(environment[budget.heapVariable] ?? '') : '';
  return asked ? Number(asked) : budget.heapMiB;
}

describe('the one program', () => {
  it('reads its commands from the registry here as the dispatcher does, each from a file that exists', () => {
    expect([...commands.keys()]).toEqual(COMMANDS.map((command) => command.name));
    for (const [command, file] of commands) expect(exists(file), `${command}: ${file} exists`).toBe(true);
    expect(exists('services/cli/main.ts')).toBe(true);
  });

  it('is what the npm scripts run: `npm run playlog`, and shortcuts to its commands, one per service at least', () => {
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(scripts.playlog).toBe(`sh ${LAUNCHER}`);
    const shortcuts = [...packageScripts().values()];
    for (const command of shortcuts) expect(commands.has(command), `npm script runs playlog ${command}`).toBe(true);
    for (const { name, kind } of COMMANDS) if (kind === 'service') expect(shortcuts, `a shortcut to ${name}`).toContain(name);
    // No script starts a service's file on its own any more: the node flags would be missed.
    const direct = Object.entries(scripts).filter(([, line]) => /services\/[^ ]*main\.ts/.test(line));
    expect(direct).toEqual([]);
  });
});

describe('the memory budgets', () => {
  it('bound each heap below its limit, for commands of playlog whose configuration declares the heap variable with the budget as default', async () => {
    for (const [command, budget] of Object.entries<MemoryBudget>(MEMORY_BUDGETS)) {
      expect(commands.has(command), command).toBe(true);
      // Bounded, and a quarter of the container's memory left outside V8's old space.
      expect(budget.heapMiB, command).toBeGreaterThanOrEqual(MIN_HEAP_MIB);
      expect(budget.heapMiB, command).toBeLessThanOrEqual((budget.limitMiB * 3) / 4);
      if (budget.heapVariable) expect((await envOf(command)).schemas.get(budget.heapVariable)?.parse(undefined), budget.heapVariable).toBe(budget.heapMiB);
    }
  });
});

describe('the image', () => {
  it('runs the services compiled: `npm run build` compiles every command into what the runtime stage copies, and the launcher runs it there', () => {
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(scripts.build).toBe('tsc -p tsconfig.build.json');
    expect(dockerfileStage('build')).toMatch(/^RUN npm run build$/m);
    const configFile = ts.readConfigFile(join(ROOT, 'tsconfig.build.json'), (path) => ts.sys.readFile(path));
    const build = ts.parseJsonConfigFileContent(configFile.config, ts.sys, ROOT);
    expect(build.options.noEmit, 'the build writes JavaScript').toBeFalsy();
    expect(build.options.noEmitOnError, 'nothing is written when a file does not compile').toBe(true);
    expect(build.options.rootDir).toBe(ROOT);
    const outDir = build.options.outDir!.slice(ROOT.length + 1);
    for (const file of ['services/cli/main.ts', ...commands.values()]) expect(build.fileNames, `${file} is compiled`).toContain(join(ROOT, file));
    // dist/services/cli/main.js lands where services/cli/main.ts is in a checkout (docker-entrypoint.test.ts runs the launcher there).
    expect(dockerfileStage('app')).toMatch(new RegExp(`^COPY --from=build /app/${outDir}/services \\./services$`, 'm'));
    const dockerignore = read('.dockerignore');
    for (const shipped of ['!services/', '!tsconfig.json', '!tsconfig.build.json', `!${LAUNCHER}`]) expect(dockerignore).toContain(shipped);
    for (const file of commands.values()) expect(file, 'a command is no test or fixture (.dockerignore leaves those out)').not.toMatch(/\.test\.ts$|__fixtures__/);
  });

  it('installs the launcher as `playlog` under tini, in the runtime and the dev image, and defaults to a command it knows', () => {
    for (const stage of ['app', 'dev']) {
      const text = dockerfileStage(stage);
      expect(text, stage).toMatch(new RegExp(`^COPY ${LAUNCHER} /usr/local/bin/playlog$`, 'm'));
      expect(text, stage).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "-g", "--", "\/usr\/local\/bin\/playlog"\]$/m);
      const cmd = /^CMD \["([a-z-]+)"\]$/m.exec(text)?.[1];
      expect(commands.has(cmd ?? ''), `${stage}: CMD ${cmd}`).toBe(true);
      expect(text, stage).toMatch(/^USER 1000:1000$/m);
    }
  });

  it('runs sources through tsx only in the dev image (Tilt), which has every dependency', () => {
    expect(dockerfileStage('dev')).toMatch(/^FROM build AS dev$/m);
    expect(dockerfileStage('build')).toMatch(/^RUN npm ci --no-audit --no-fund$/m);
    expect(dockerfileStage('deps')).toMatch(/^RUN npm ci --omit=dev /m);
    expect(dockerfileStage('app')).toMatch(/^COPY --from=deps \/app\/node_modules \.\/node_modules$/m);
  });

  it('ends with the production stage, so a plain `docker build` makes the runtime image', () => {
    expect(dockerfileStages().at(-1)).toBe('production');
    expect(dockerfileStage('production')).toMatch(/^FROM app AS production/m);
  });
});

describe('docker-compose.yml', () => {
  const services = composeServices();
  const playlogServices = Object.entries(services).filter(([, service]) => service.build);

  it('keeps postgres and redis, which scripts/services.sh starts with docker compose', () => {
    expect(read('scripts/services.sh')).toContain('docker compose up -d --wait postgres redis');
    expect(services.postgres?.image).toMatch(/^postgres:15/);
    expect(services.redis?.image).toMatch(/^redis:7/);
    expect(services.redis?.command).toEqual(expect.arrayContaining(['--maxmemory-policy', 'noeviction', '--appendonly', 'yes']));
  });

  it('runs only commands of the one program, built from the production stage', () => {
    expect(playlogServices.map(([name]) => name).sort()).toEqual(['api', 'keys', 'lake-export', 'migrate', 'scheduler', 'spotify-emulator', 'worker']);
    for (const [name, service] of playlogServices) {
      expect(commands.has(service.command?.[0] ?? ''), `${name} runs ${service.command?.join(' ')}`).toBe(true);
      expect(service.build?.target, `${name} build target`).toBe('production');
      expect(dockerfileStages()).toContain(service.build?.target);
    }
  });

  it('gives each process exactly variables it reads, including every one it requires', async () => {
    const problems: string[] = [];
    for (const [name, service] of playlogServices) {
      problems.push(...(await envProblems(`compose service ${name}`, service.command![0]!, Object.keys(service.environment ?? {}))));
    }
    expect(problems).toEqual([]);
  });

  it('leaves the code’s defaults to the code: a variable it passes on (`NAME: ${NAME:-default}`) never repeats the default the service applies', async () => {
    const copies: string[] = [];
    for (const [name, service] of playlogServices) {
      const { schemas } = await envOf(service.command![0]!);
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        const fallback = new RegExp(`^\\$\\{${variable}:-([^$}]+)\\}$`).exec(value)?.[1];
        const codes = schemas.get(variable)?.safeParse(undefined);
        if (fallback === undefined || !codes?.success || codes.data === undefined) continue;
        if (JSON.stringify(schemas.get(variable)!.parse(fallback)) === JSON.stringify(codes.data)) copies.push(`${name}: ${variable}: ${value} repeats the code's default: write \${${variable}:-}`);
      }
    }
    expect(copies).toEqual([]);
  });

  it('publishes (on 127.0.0.1 only) and probes each service at a port it listens on', async () => {
    const problems: string[] = [];
    for (const [name, service] of playlogServices) {
      const { schemas } = await envOf(service.command![0]!);
      // Where it listens: each *_PORT variable as compose sets it, or as the code defaults it.
      const listening = [...schemas]
        .filter(([variable]) => variable.endsWith('_PORT'))
        .map(([variable, schema]) => String(schema.safeParse(interpolate(service.environment?.[variable] ?? '') || undefined).data));
      const published = (service.ports ?? []).map((mapping) => interpolate(mapping));
      for (const mapping of published) if (!mapping.startsWith('127.0.0.1:')) problems.push(`${name} publishes ${mapping} beyond 127.0.0.1`);
      const probed = [...(service.healthcheck?.test ?? []).join(' ').matchAll(/\/\/127\.0\.0\.1:(\d+)\//g)].map((m) => m[1]!);
      for (const port of [...published.map((mapping) => mapping.split(':').at(-1)!), ...probed]) {
        if (!listening.includes(port)) problems.push(`${name} is reached at port ${port}, but listens on ${listening.join(', ') || 'none'}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives each service more memory than the heap its command gets (a quarter of the limit stays outside V8’s old space)', () => {
    for (const [name, service] of playlogServices) {
      const budget = memoryBudgetOf(service.command![0]!);
      if (!budget) continue;
      const limit = Number(/^(\d+)m$/.exec(service.mem_limit ?? '')?.[1]);
      expect(limit, `${name}: mem_limit`).toBeGreaterThanOrEqual((heapOf(budget, service.environment ?? {}) * 4) / 3);
    }
  });

  it('documents in .env.example every variable it substitutes that no service reads', async () => {
    const substituted = new Set([...read('docker-compose.yml').matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!));
    const readByCode = new Set<string>();
    for (const command of commands.keys()) for (const name of (await envOf(command)).reads) readByCode.add(name);
    const example = read('.env.example');
    const undocumented = [...substituted].filter((name) => !readByCode.has(name) && !new RegExp(`^#?\\s*${name}=`, 'm').test(example));
    expect(undocumented).toEqual([]);
  });

  it('generates the token key once, into a volume the API and workers read it from, unless the operator sets one', () => {
    const keys = services.keys!;
    const keyFile = services.api?.environment?.TOKEN_ENCRYPTION_KEYS_FILE ?? '';
    expect(keyFile).toMatch(/^\//);
    expect(keys.command).toEqual(['generate-key', '--file', keyFile]);
    expect(keys.restart).toBe('no');
    expect(keys.volumes).toEqual([`keys:${dirname(keyFile)}`]);
    expect(read('docker-compose.yml')).toMatch(/^volumes:\n(?: {2}\S+:\n)*? {2}keys:$/m);
    for (const name of ['api', 'worker']) {
      const service = services[name]!;
      expect(service.environment?.TOKEN_ENCRYPTION_KEYS_FILE, name).toBe(keyFile);
      expect(service.volumes, name).toContain(`keys:${dirname(keyFile)}:ro`);
      expect(service.depends_on?.keys, name).toEqual({ condition: 'service_completed_successfully' });
      // Unset by default, so the generated file is used; an operator's own keys win (load-config: <NAME> before <NAME>_FILE).
      expect(interpolate(service.environment?.TOKEN_ENCRYPTION_KEYS ?? 'missing'), name).toBe('');
      expect(interpolate(service.environment?.TOKEN_ENCRYPTION_KEYS ?? '', { PLAYLOG_TOKEN_ENCRYPTION_KEYS: 'mine:key' }), name).toBe('mine:key');
    }
  });

  it('runs the demo emulator as a service of its own: the API and workers reach it by name, browsers at its published port', () => {
    const emulator = services['spotify-emulator']!;
    expect(emulator.profiles).toEqual(['demo']);
    expect(emulator.network_mode).toBeUndefined();
    expect(emulator.environment?.EMULATOR_HOST).toBe('0.0.0.0');
    const byName = `http://spotify-emulator:${emulator.environment?.EMULATOR_PORT}`;
    // The `next` links it returns are followed by the workers.
    expect(emulator.environment?.EMULATOR_PUBLIC_URL).toBe(byName);
    for (const name of ['api', 'worker']) {
      expect(interpolate(services[name]!.environment?.SPOTIFY_ACCOUNTS_URL ?? ''), name).toBe(`${byName}/accounts`);
      expect(interpolate(services[name]!.environment?.SPOTIFY_API_URL ?? ''), name).toBe(`${byName}/v1`);
    }
    const api = services.api!;
    // The login page: the browser goes where the emulator's port is published, whichever host port that is.
    for (const hostPort of [undefined, '4242']) {
      const variables: Record<string, string> = hostPort ? { EMULATOR_HOST_PORT: hostPort } : {};
      const [published, ...more] = (emulator.ports ?? []).map((mapping) => interpolate(mapping, variables).split(':')[1]);
      expect(more).toEqual([]);
      if (hostPort) expect(published).toBe(hostPort);
      expect(interpolate(api.environment?.SPOTIFY_ACCOUNTS_BROWSER_URL ?? '', variables)).toBe(`http://127.0.0.1:${published}/accounts`);
    }
    // With the real Spotify, browsers and the API use the same accounts service.
    const real = { PLAYLOG_SPOTIFY_ACCOUNTS_URL: 'https://accounts.spotify.com' };
    expect(interpolate(api.environment?.SPOTIFY_ACCOUNTS_BROWSER_URL ?? '', real)).toBe('https://accounts.spotify.com');
    expect(interpolate(api.environment?.SPOTIFY_ACCOUNTS_URL ?? '', real)).toBe('https://accounts.spotify.com');
  });
});

const helm = findHelm();
const requireHelm = process.env.REQUIRE_HELM === '1';
if (!helm && !requireHelm) {
  console.warn('test/deploy: no helm found (run scripts/chart-check.sh to install it): chart and Tiltfile checks skipped');
}
// scripts/chart-check.sh (in CI) sets REQUIRE_HELM=1, so there these checks always run.
const describeChart = describe.runIf(Boolean(helm) || requireHelm);

const VALUES_FILES = ['charts/playlog/ci/minimal-values.yaml', 'charts/playlog/ci/production-values.yaml', 'charts/playlog/values-dev.yaml'];

function containersOf(objects: K8sObject[]): Array<{ where: string; container: Container }> {
  return objects.flatMap((obj) => {
    const pod = podSpecOf(obj);
    return pod ? [...(pod.initContainers ?? []), ...pod.containers].map((container) => ({ where: `${obj.kind}/${obj.metadata.name} container ${container.name}`, container })) : [];
  });
}

describeChart('the Helm chart', () => {
  it.each(VALUES_FILES)('runs only commands the image knows, with variables the code reads (%s)', async (valuesFile) => {
    if (!helm) throw new Error('REQUIRE_HELM=1 but no helm was found');
    const objects = renderChart(helm, 'charts/playlog', 'playlog', [valuesFile]);
    const configMaps = new Map(objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, Object.keys(o.data ?? {})]));
    const secrets = new Set(objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name));
    const existingSecret = /existingSecret:\s*(\S+)/.exec(read(valuesFile))?.[1];
    const problems: string[] = [];
    const containers = containersOf(objects);
    expect(containers.length).toBeGreaterThan(0);
    for (const { where, container } of containers) {
      expect(container.command, `${where} must not override the entrypoint`).toBeUndefined();
      const command = container.args?.[0] ?? '';
      if (!commands.has(command)) {
        problems.push(`${where} runs "${command}", not a command of playlog`);
        continue;
      }
      const own = (container.env ?? []).map((e) => e.name);
      const shared: string[] = [];
      for (const from of container.envFrom ?? []) {
        if (from.secretRef) problems.push(`${where} loads a whole Secret (envFrom): name each variable instead`);
        if (from.configMapRef) {
          const keys = configMaps.get(from.configMapRef.name);
          if (!keys) problems.push(`${where} reads ConfigMap ${from.configMapRef.name}, which the chart does not render`);
          shared.push(...(keys ?? []));
        }
      }
      for (const e of container.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref && !secrets.has(ref.name) && ref.name !== existingSecret) problems.push(`${where} reads Secret ${ref.name}, which is neither rendered nor the existingSecret`);
      }
      problems.push(...(await envProblems(where, command, own, shared)));
      // Memory above the heap its command gets (a quarter of the limit stays outside V8's old space).
      const budget = memoryBudgetOf(command);
      const limit = /^(\d+)(Mi|Gi)$/.exec(container.resources?.limits?.memory ?? '');
      const limitMiB = limit ? Number(limit[1]) * (limit[2] === 'Gi' ? 1024 : 1) : 0;
      const environment = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? '']));
      if (budget && limitMiB < (heapOf(budget, environment) * 4) / 3) problems.push(`${where}: a memory limit of ${container.resources?.limits?.memory} leaves too little above its heap`);
    }
    // Every ConfigMap key must be read by at least one of the processes that load it.
    const readers = new Map<string, Set<string>>();
    for (const { container } of containers) {
      for (const from of container.envFrom ?? []) {
        if (from.configMapRef) readers.set(from.configMapRef.name, (readers.get(from.configMapRef.name) ?? new Set()).add(container.args?.[0] ?? ''));
      }
    }
    for (const [name, keys] of configMaps) {
      // A ConfigMap no container loads as its environment is a file for another program (the Grafana dashboard).
      if (!readers.has(name)) continue;
      for (const key of keys) {
        const readBy = await Promise.all([...(readers.get(name) ?? [])].map(async (command) => (await envOf(command)).reads.has(key)));
        if (!readBy.includes(true)) problems.push(`ConfigMap ${name} holds ${key}, which none of its readers reads`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describeChart('the Tiltfile', () => {
  const calls = tiltCalls();
  const dockerBuild = calls.find((call) => call.fn === 'docker_build')!;

  it('builds the image from a Dockerfile stage and syncs paths that exist', () => {
    expect(dockerBuild).toBeDefined();
    expect(dockerfileStages()).toContain(keywordString(dockerBuild.body, 'target'));
    const syncs = [...dockerBuild.body.matchAll(/sync\(\s*'([^']+)'\s*,\s*'([^']+)'\s*\)/g)];
    expect(syncs.length).toBeGreaterThan(0);
    for (const [, local, remote] of syncs) {
      expect(exists(local!), `${local} exists`).toBe(true);
      expect(remote).toMatch(/^\/app\//);
    }
    for (const file of quotedStrings(/fall_back_on\(\[([^\]]*)\]\)/.exec(dockerBuild.body)?.[1] ?? '')) expect(exists(file), `${file} exists`).toBe(true);
    // The dev stage runs the sources through tsx, a development dependency: every dependency is reinstalled.
    expect(dockerBuild.body).toMatch(/run\(\s*'npm ci (?![^']*--omit=dev)[^']*'\s*,\s*trigger=\['package\.json', 'package-lock\.json'\]/);
    const only = keywordList(dockerBuild.body, 'only');
    expect(only).toContain(LAUNCHER);
    for (const path of only) expect(exists(path), `${path} exists`).toBe(true);
  });

  it('names only workloads, objects and ports that the charts render with its values', () => {
    if (!helm) throw new Error('REQUIRE_HELM=1 but no helm was found');
    const objects: K8sObject[] = [];
    for (const call of calls.filter((c) => c.fn === 'k8s_yaml')) {
      const [chart] = quotedStrings(/helm\(\s*('[^']+')/.exec(call.body)?.[1] ?? '');
      const release = keywordString(call.body, 'name');
      const values = keywordList(call.body, 'values');
      expect(chart && exists(`${chart}/Chart.yaml`), `chart ${chart}`).toBe(true);
      for (const file of values) expect(exists(file), `${file} exists`).toBe(true);
      objects.push(...renderChart(helm, chart!, release ?? 'chart', values));
    }
    const workloads = new Map(objects.filter((o) => podSpecOf(o)).map((o) => [o.metadata.name, o]));
    const resources = calls.filter((c) => c.fn === 'k8s_resource');
    const defined = new Set<string>();
    const problems: string[] = [];
    for (const resource of resources) {
      const workload = /^\s*'([^']+)'/.exec(resource.body)?.[1];
      const name = keywordString(resource.body, 'new_name') ?? workload!;
      defined.add(name);
      if (workload && !workloads.has(workload)) problems.push(`k8s_resource('${workload}') names no rendered workload (${[...workloads.keys()].join(', ')})`);
      for (const selector of keywordList(resource.body, 'objects')) {
        const [objName, kind] = selector.split(':');
        if (!objects.some((o) => o.metadata.name === objName && o.kind.toLowerCase() === kind)) problems.push(`k8s_resource ${name}: object ${selector} is not rendered`);
      }
      const ports = [...resource.body.matchAll(/port_forward\(\s*\d+\s*,\s*(\d+)/g), ...resource.body.matchAll(/'\d+:(\d+)'/g)].map((m) => Number(m[1]));
      const containerPorts = (workload && podSpecOf(workloads.get(workload)!)?.containers.flatMap((c) => (c.ports ?? []).map((p) => p.containerPort))) || [];
      for (const port of ports) if (!containerPorts.includes(port)) problems.push(`k8s_resource ${name}: port ${port} is no container port of the workload`);
    }
    for (const resource of resources) {
      for (const dep of keywordList(resource.body, 'resource_deps')) if (!defined.has(dep)) problems.push(`resource_deps names ${dep}, which no k8s_resource defines`);
    }
    // Every Playlog workload is placed under a label, so the Tilt UI groups api / workers / infra.
    for (const name of workloads.keys()) if (!resources.some((r) => r.body.trimStart().startsWith(`'${name}'`))) problems.push(`workload ${name} has no k8s_resource (labels)`);
    const labels = new Set(resources.flatMap((r) => keywordList(r.body, 'labels')));
    expect([...labels].sort()).toEqual(['api', 'infra', 'workers']);
    expect(problems).toEqual([]);
  });
});

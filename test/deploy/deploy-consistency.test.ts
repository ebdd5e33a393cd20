import { describe, expect, it } from 'vitest';
import {
  type Container,
  type K8sObject,
  type ServiceEnv,
  composeServices,
  dockerfileStages,
  entrypointCommands,
  entrypointVariables,
  exists,
  findHelm,
  keywordList,
  keywordString,
  packageScripts,
  podSpecOf,
  quotedStrings,
  read,
  renderChart,
  serviceEnv,
  tiltCalls,
} from './deploy-files.js';

/**
 * The image, docker-compose.yml, the Helm chart and the Tiltfile must run commands the image has
 * and set only variables the code reads, and give each service every variable it cannot start
 * without. Chart checks need helm: scripts/chart-check.sh installs it (and sets REQUIRE_HELM=1);
 * elsewhere they are skipped with a note when no helm is found.
 */

/** Each command of the image and the package.json script it must run the same file as. */
const SERVICE_SCRIPTS: Record<string, string> = {
  api: 'start:api',
  worker: 'start:worker',
  scheduler: 'start:scheduler',
  emulator: 'start:emulator',
  migrate: 'migrate',
  'lake-export': 'lake:export',
  dlq: 'dlq',
  'rotate-key': 'rotate-key',
  import: 'import',
};

const commands = entrypointCommands();
const entrypointVars = entrypointVariables();
const envCache = new Map<string, Promise<ServiceEnv>>();
function envOf(command: string): Promise<ServiceEnv> {
  const entry = commands.get(command);
  if (!entry) throw new Error(`"${command}" is not a command of the image's entrypoint (${[...commands.keys()].join(', ')})`);
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
    if (!reads.has(name) && !entrypointVars.has(name)) problems.push(`${where} sets ${name}, which \`${command}\` does not read`);
  }
  for (const name of required) {
    if (!given.has(name)) problems.push(`${where} does not set ${name}, which \`${command}\` requires`);
  }
  return problems;
}

describe('the image', () => {
  it('runs each service from the same file as its package.json script, and every file exists', () => {
    const scripts = packageScripts();
    expect([...commands.keys()].sort()).toEqual(Object.keys(SERVICE_SCRIPTS).sort());
    for (const [command, script] of Object.entries(SERVICE_SCRIPTS)) {
      expect(scripts.get(script), `package.json script ${script}`).toBe(commands.get(command));
      expect(exists(commands.get(command)!), `${commands.get(command)} exists`).toBe(true);
    }
  });

  it('carries every file its commands run: nothing the .dockerignore leaves out', () => {
    const dockerignore = read('.dockerignore');
    const dockerfile = read('Dockerfile');
    for (const file of commands.values()) {
      const shipped = file.startsWith('services/') || (dockerignore.includes(`!${file}`) && dockerfile.includes(`COPY --from=build /app/${file} `));
      expect(shipped, `${file} is in the image`).toBe(true);
    }
  });

  it('installs the entrypoint as `playlog` under tini and defaults to a command it knows', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(/^COPY scripts\/docker-entrypoint\.sh \/usr\/local\/bin\/playlog$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "-g", "--", "\/usr\/local\/bin\/playlog"\]$/m);
    const cmd = /^CMD \["([a-z]+)"\]$/m.exec(dockerfile)?.[1];
    expect(commands.has(cmd ?? '')).toBe(true);
    expect(dockerfile).toMatch(/^USER 1000:1000$/m);
  });

  it('ends with the production stage, so a plain `docker build` makes the runtime image', () => {
    expect(dockerfileStages().at(-1)).toBe('production');
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

  it('runs only commands the image knows, built from the production stage', () => {
    expect(playlogServices.map(([name]) => name).sort()).toEqual(['api', 'lake-export', 'migrate', 'scheduler', 'spotify-emulator', 'worker']);
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

  it('documents in .env.example every variable it substitutes that no service reads', async () => {
    const substituted = new Set([...read('docker-compose.yml').matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!));
    const readByCode = new Set<string>();
    for (const command of commands.keys()) for (const name of (await envOf(command)).reads) readByCode.add(name);
    const example = read('.env.example');
    const undocumented = [...substituted].filter((name) => !readByCode.has(name) && !new RegExp(`^#?\\s*${name}=`, 'm').test(example));
    expect(undocumented).toEqual([]);
  });

  it('publishes the API on the port it listens on, and the emulator beside it', () => {
    const api = services.api!;
    expect(api.environment?.API_PORT).toBe('4000');
    expect(api.ports).toEqual(expect.arrayContaining([expect.stringMatching(/:4000$/), expect.stringMatching(/:4100$/)]));
    const emulator = services['spotify-emulator']!;
    expect(emulator.profiles).toEqual(['demo']);
    expect(emulator.network_mode).toBe('service:api');
    expect(emulator.environment?.EMULATOR_PORT).toBe('4100');
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
        problems.push(`${where} runs "${command}", not a command of the image`);
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
    expect(dockerBuild.body).toMatch(/run\(\s*'npm ci --omit=dev[^']*'\s*,\s*trigger=\['package\.json', 'package-lock\.json'\]/);
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

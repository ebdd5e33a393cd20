import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Debian's prometheus package (installed by scripts/monitoring-tools.sh, which `npm test` runs). */
export const PROMETHEUS = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const PROMTOOL = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';
export const RULES_FILE = resolve('charts/playlog/files/prometheus/playlog-rules.yaml');
export const DASHBOARD_FILE = resolve('charts/playlog/files/grafana/playlog-dashboard.json');

export const hasPrometheus = (): boolean => spawnSync(PROMETHEUS, ['--version']).status === 0 && spawnSync(PROMTOOL, ['--version']).status === 0;

/** In CI the tools must be there (scripts/monitoring-tools.sh installs them); elsewhere their tests are skipped. */
export function requirePrometheus(): boolean {
  if (hasPrometheus()) return true;
  if (process.env.CI) throw new Error(`${PROMETHEUS} and ${PROMTOOL} are missing: run bash scripts/monitoring-tools.sh`);
  return false;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

export interface ScrapeTarget {
  /** host:port of a /metrics endpoint */
  address: string;
  component: 'api' | 'worker';
}

export interface RunningPrometheus {
  url: string;
  /** An instant query; throws with Prometheus' own error when the expression does not evaluate. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  /** One number: the single sample of `expr`, or undefined when it has none. */
  value(expr: string): Promise<number | undefined>;
  get<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Debian's Prometheus on loopback, scraping the given targets every second with the labels the
 * chart's PodMonitor gives them (playlog_component), evaluating Playlog's rules every second.
 * Stopped by the test that started it.
 */
export async function startPrometheus(targets: ScrapeTarget[]): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'playlog-prometheus-'));
  const port = await freePort();
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s', scrape_timeout: '1s' },
    rule_files: [RULES_FILE],
    scrape_configs: [
      {
        job_name: 'playlog',
        static_configs: targets.map((target) => ({ targets: [target.address], labels: { playlog_component: target.component } })),
      },
    ],
  };
  await writeFile(join(dir, 'prometheus.yml'), JSON.stringify(config));
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const stderr: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = `http://127.0.0.1:${port}`;

  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${url}${path}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error ?? response.status}`);
    return body.data;
  };
  const query = async (expr: string) => {
    const data = await get<{ resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> | [number, string] }>(
      `/api/v1/query?query=${encodeURIComponent(expr)}`,
    );
    // A scalar (time() - …) comes back as one value without labels.
    return data.resultType === 'scalar' ? [{ metric: {}, value: data.result as [number, string] }] : (data.result as Array<{ metric: Record<string, string>; value: [number, string] }>);
  };
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then((response) => response.ok, () => false);
    if (ready) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`Prometheus did not start: ${stderr.join('').slice(-2000)}`);
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  return {
    url,
    get,
    query,
    async value(expr) {
      const result = await query(expr);
      if (result.length > 1) throw new Error(`${expr} has ${result.length} samples, not one`);
      return result[0] ? Number(result[0].value[1]) : undefined;
    },
    stop,
  };
}

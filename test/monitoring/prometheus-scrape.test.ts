import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { emulatorSecrets, startPipeline, type Pipeline } from '../pipeline/pipeline-harness.js';
import { DASHBOARD_FILE, RULES_FILE, requirePrometheus, startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { spawnService, type ServiceProcess } from '../support/worker-process.js';

const available = requirePrometheus();
const USERS = 4;

let pipeline: Pipeline;
let prometheus: RunningPrometheus | undefined;
const started: ServiceProcess[] = [];
let apiUrl = '';

/** The URL a child process printed on its "<what> listening" or "worker ready" line. */
async function urlFrom(service: ServiceProcess, pattern: RegExp, field: string): Promise<string> {
  const line = JSON.parse(await service.waitForLine(pattern, 30_000)) as Record<string, string>;
  return new URL(line[field]!).host;
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  if (!available) return;
  pipeline = await startPipeline('prometheus', { users: USERS });
  for (const user of pipeline.emulator.users()) await pipeline.login(user.id);
  const env = { ...pipeline.serviceEnv(), API_HOST: '127.0.0.1', API_PORT: '0', API_METRICS_PORT: '0' };
  const worker = spawnService('worker', env);
  const api = spawnService('api', env);
  started.push(worker, api);
  const workerMetrics = await urlFrom(worker, /"msg":"worker ready"/, 'metrics');
  apiUrl = `http://${await urlFrom(api, /"msg":"API listening"/, 'url')}`;
  const apiMetrics = await urlFrom(api, /"msg":"metrics listening"/, 'url');

  // The CronJob's entrypoint, once: it enqueues every user's poll and records its run.
  const scheduler = spawnService('scheduler', { ...env, SCHEDULER_SPREAD_SECONDS: '0' });
  started.push(scheduler);
  await scheduler.waitForLine(/scheduler run:/, 30_000);
  await pipeline.waitUntilIdle(60_000);

  // Some API traffic: a named query refused without a session, an anonymous one, a probe.
  const graphql = (body: unknown) => fetch(`${apiUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await graphql({ query: 'query WhoAmI { me { id } }', operationName: 'WhoAmI' });
  await graphql({ query: '{ __typename }' });
  await fetch(`${apiUrl}/healthz`);

  prometheus = await startPrometheus([
    { address: workerMetrics, component: 'worker' },
    { address: apiMetrics, component: 'api' },
  ]);
}, 180_000);

afterAll(async () => {
  await prometheus?.stop();
  await Promise.all(started.map((service) => service.stop('SIGTERM')));
  await pipeline?.close();
});

describe.skipIf(!available)('Prometheus scraping a running API and worker', () => {
  it('finds both targets up, with Node’s process metrics', async () => {
    const up = await waitFor(() => prometheus!.query('up'), (result) => result.length === 2 && result.every((one) => one.value[1] === '1'), 'both targets up');
    expect(up.map((one) => one.metric.playlog_component).sort()).toEqual(['api', 'worker']);
    expect(await prometheus!.value('count(process_resident_memory_bytes)')).toBe(2);
    expect(await prometheus!.value('count(nodejs_eventloop_lag_seconds)')).toBe(2);
  });

  it('counts exactly the plays the polls stored, which are what the emulator’s ground truth holds', async () => {
    let stored = 0;
    for (const [spotifyId, userId] of pipeline.users) {
      const plays = await pipeline.storedPlays(userId);
      expect(plays, `plays of ${spotifyId}`).toEqual(pipeline.retrievable(spotifyId));
      stored += plays.length;
    }
    expect(stored).toBeGreaterThan(0);
    await waitFor(() => prometheus!.value('sum(playlog_plays_stored_total{source="poll"})'), (value) => value === stored, `plays stored = ${stored}`);
    expect(await prometheus!.value('sum(playlog_plays_stored_total{source="import"})')).toBe(0);
  });

  it('shows the polls, their Spotify requests, the queues, the users and the scheduler’s run', async () => {
    const value = (expr: string) => prometheus!.value(expr);
    await waitFor(() => value('playlog_jobs_total{queue="poll",outcome="completed"}'), (count) => count === USERS, 'completed polls');
    expect(await value('sum(playlog_jobs_total{outcome=~"failed|retrying"})')).toBe(0);
    expect(await value('playlog_job_duration_seconds_count{queue="poll",outcome="completed"}')).toBe(USERS);
    expect(await value('sum(playlog_spotify_request_duration_seconds_count{endpoint="GET /me/player/recently-played",status="200"})')).toBeGreaterThanOrEqual(USERS);
    expect(await value('playlog_queue_jobs{queue="poll",state="failed"}')).toBe(0);
    expect(await value('playlog_queue_jobs{queue="poll",state="waiting"}')).toBe(0);
    expect(await value('playlog_queue_jobs{queue="import",state="failed"}')).toBe(0);
    expect(await value('playlog_queue_oldest_waiting_age_seconds{queue="poll"}')).toBe(0);
    expect(await value('playlog_users{status="active"}')).toBe(USERS);
    expect(await value('playlog_users{status="reauth_required"}')).toBe(0);
    expect(await value('playlog_users_reauth_due')).toBe(0);
    // Every user was polled moments ago.
    expect(await value('playlog_polling_lag_seconds')).toBeLessThan(120);
    expect(await value('playlog_scheduler_last_run_success')).toBe(1);
    expect(await value('playlog_scheduler_last_run_users{kind="enqueued"}')).toBe(USERS);
    expect(await value('time() - playlog_scheduler_last_success_timestamp_seconds')).toBeLessThan(300);
    expect(await value('playlog_scheduler_interval_seconds')).toBeGreaterThan(0);
    expect(await value('playlog_spotify_pause_remaining_seconds')).toBe(0);
  });

  it('shows the API’s requests by route, its GraphQL operations by name and their errors by code', async () => {
    const value = (expr: string) => prometheus!.value(expr);
    await waitFor(() => value('sum(playlog_http_request_duration_seconds_count{route="/graphql",method="POST"})'), (count) => count === 2, 'two GraphQL requests');
    // Refused without a session: a name gets a label of its own only once it has succeeded for a signed-in listener.
    expect(await value('playlog_graphql_operation_duration_seconds_count{operation_type="query",operation_name="other"}')).toBe(1);
    expect(await value('playlog_graphql_operation_duration_seconds_count{operation_type="query",operation_name="anonymous"}')).toBe(1);
    expect(await value('playlog_graphql_errors_total{code="UNAUTHENTICATED"}')).toBe(1);
    expect(await value('playlog_http_request_duration_seconds_count{route="/healthz",method="GET",status="200"}')).toBeGreaterThanOrEqual(1);
  });

  it('never labels a series with a user, a Spotify account or a raw path', async () => {
    const series = await prometheus!.get<Array<Record<string, string>>>(`/api/v1/series?match[]=${encodeURIComponent('{__name__=~"playlog_.+"}')}`);
    expect(series.length).toBeGreaterThan(50);
    const secrets = emulatorSecrets(pipeline.emulator);
    const identities = [...pipeline.users.keys(), ...pipeline.users.values(), ...secrets];
    for (const labels of series) {
      for (const value of Object.values(labels)) {
        for (const identity of identities) expect(value, `${labels.__name__}`).not.toContain(identity);
      }
    }
    const routes = new Set(series.filter((labels) => labels.route !== undefined).map((labels) => labels.route));
    expect([...routes].sort()).toEqual(['/graphql', '/healthz']);
  });

  it('evaluates every expression of the dashboard and of the rules without error', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as { panels: Array<{ title: string; targets?: Array<{ expr: string }> }> };
    const expressions = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: `panel "${panel.title}"`, expr: target.expr })));
    const rules = parse(readFileSync(RULES_FILE, 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
    expressions.push(...rules.groups.flatMap((group) => group.rules.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr }))));
    expect(expressions.length).toBeGreaterThan(25);
    // rate() needs two scrapes of a series inside its window.
    await waitFor(() => prometheus!.query('sum(rate(playlog_jobs_total[5m]))'), (result) => result.length > 0, 'two scrapes of the worker');
    await waitFor(() => prometheus!.query('sum(rate(playlog_http_request_duration_seconds_count[5m]))'), (result) => result.length > 0, 'two scrapes of the API');
    let withData = 0;
    for (const { where, expr } of expressions) {
      const result = await prometheus!.query(expr).catch((error: Error) => {
        throw new Error(`${where}: ${expr} does not evaluate: ${error.message}`);
      });
      if (result.length > 0) withData++;
    }
    // Most panels show something after one poll cycle (the 429 and quota ones rightly do not).
    expect(withData).toBeGreaterThan(expressions.length / 2);

    // Prometheus evaluated every rule itself, none with an error, and nothing fires on a healthy pipeline.
    const loaded = await waitFor(
      () => prometheus!.get<{ groups: Array<{ rules: Array<{ name: string; health: string; state: string; lastError?: string }> }> }>('/api/v1/rules'),
      (data) => data.groups.flatMap((group) => group.rules).every((rule) => rule.health === 'ok'),
      'every rule evaluated',
    );
    const evaluated = loaded.groups.flatMap((group) => group.rules);
    expect(evaluated).toHaveLength(7);
    expect(evaluated.filter((rule) => rule.state !== 'inactive').map((rule) => rule.name)).toEqual([]);
  });
});

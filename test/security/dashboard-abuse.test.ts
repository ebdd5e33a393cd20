import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../../test/api/api-harness.js';

/**
 * The job dashboard can retry, remove and add jobs. Password guessing is limited per client, and a
 * page of another site cannot use the credentials a browser has cached for it.
 */
let h: ApiHarness;
const PASSWORD = 'a dashboard password for tests';
const ATTEMPTS = 5;
const BASE = '/admin/queues';
const basic = (password: string) => `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;

beforeAll(async () => {
  // TRUST_PROXY: the test plays several clients through X-Forwarded-For, as an ingress would pass them.
  h = await startApiHarness({ label: 'dashboard_abuse', env: { ADMIN_PASSWORD: PASSWORD, DASHBOARD_LOGIN_ATTEMPTS: String(ATTEMPTS), DASHBOARD_LOGIN_WINDOW_SECONDS: '600', TRUST_PROXY: 'loopback' } });
});
afterAll(async () => {
  await h?.stop();
});

const asClient = (ip: string, password: string, init: RequestInit = {}) =>
  fetch(`${h.api.url}${BASE}/api/queues`, { ...init, headers: { 'x-forwarded-for': ip, authorization: basic(password), ...(init.headers as Record<string, string>) } });

describe('failed dashboard logins', () => {
  it(`are answered 401 up to DASHBOARD_LOGIN_ATTEMPTS, then 429 with Retry-After for every login of that client, the right one too`, async () => {
    const statuses: number[] = [];
    for (let i = 0; i < ATTEMPTS + 3; i++) statuses.push((await asClient('203.0.113.10', `guess ${i}`)).status);
    expect(statuses).toEqual([...Array<number>(ATTEMPTS).fill(401), 429, 429, 429]);
    const right = await asClient('203.0.113.10', PASSWORD);
    expect(right.status).toBe(429);
    const retryAfter = Number(right.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(2 * 600);
    expect(await right.text()).toMatch(/Too many failed logins/);
  });

  it('lock out only the client that failed, and parallel guesses get no more tries', async () => {
    expect((await asClient('203.0.113.11', PASSWORD)).status).toBe(200);
    const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => asClient('203.0.113.12', `burst ${i}`).then((response) => response.status)));
    expect(burst.filter((status) => status === 401)).toHaveLength(ATTEMPTS);
    expect(burst.filter((status) => status === 429)).toHaveLength(40 - ATTEMPTS);
  });

  it('never count the operator’s own requests', async () => {
    const statuses = await Promise.all(Array.from({ length: 30 }, () => asClient('203.0.113.13', PASSWORD).then((response) => response.status)));
    expect(new Set(statuses)).toEqual(new Set([200]));
    // A browser's first request carries no credentials: it is challenged, and not counted.
    for (let i = 0; i < ATTEMPTS + 1; i++) {
      const challenge = await fetch(`${h.api.url}${BASE}`, { headers: { 'x-forwarded-for': '203.0.113.14' } });
      expect(challenge.status).toBe(401);
    }
    expect((await asClient('203.0.113.14', PASSWORD)).status).toBe(200);
  });
});

describe('changes asked for by another site', () => {
  const addJob = (headers: Record<string, string>) =>
    fetch(`${h.api.url}${BASE}/api/queues/poll/add`, {
      method: 'POST',
      // What a cross-site form or fetch can send without a preflight, with the browser's cached credentials.
      headers: { 'content-type': 'text/plain', 'x-forwarded-for': '203.0.113.20', authorization: basic(PASSWORD), ...headers },
      body: '{"name":"poll-user","data":{}}',
    });

  it('are refused with 403, and add no job', async () => {
    const crossSite: Array<Record<string, string>> = [{ origin: 'https://evil.example' }, { origin: 'null' }, { origin: `${h.api.url}.evil.example` }, { 'sec-fetch-site': 'cross-site' }];
    for (const headers of crossSite) {
      const response = await addJob(headers);
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(await response.text()).toMatch(/refuses changes requested by another site/);
    }
    const retry = await fetch(`${h.api.url}${BASE}/api/queues/poll/retry/failed`, { method: 'PUT', headers: { origin: 'https://evil.example', authorization: basic(PASSWORD) } });
    expect(retry.status).toBe(403);
    expect(await h.queue.getJobCounts()).toMatchObject({ waiting: 0, delayed: 0, prioritized: 0 });
  });

  it('are served from the dashboard’s own page, and from clients that are not browsers', async () => {
    const sameOrigin = await fetch(`${h.api.url}${BASE}/api/queues/poll/add`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: h.api.url, 'sec-fetch-site': 'same-origin', authorization: basic(PASSWORD) },
      body: JSON.stringify({ name: 'poll-user', data: { userId: '00000000-0000-4000-8000-000000000001', reason: 'manual' } }),
    });
    expect(sameOrigin.status).toBe(200);
    const script = await fetch(`${h.api.url}${BASE}/api/queues/poll/add`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic(PASSWORD) },
      body: JSON.stringify({ name: 'poll-user', data: { userId: '00000000-0000-4000-8000-000000000002', reason: 'manual' } }),
    });
    expect(script.status).toBe(200);
    const jobs = await h.queue.getJobs(['waiting', 'prioritized', 'delayed']);
    expect(jobs.map((job) => job.data.userId).sort()).toEqual(['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002']);
    await h.queue.obliterate({ force: true });
  });
});

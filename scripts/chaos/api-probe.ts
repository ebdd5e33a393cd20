import type { DemoSession } from '../support/synthetic-login.js';
import { sleep } from './http.js';

export interface ApiReport {
  total: number;
  ok: number;
  unavailable: number;
  stackTraces: number;
  finalFailures: string[];
}

/** Reads listeners' histories through the API all along; after the faults, every session must be served. */
export function probeApi(apiUrl: string, sessions: DemoSession[]): { stop(): Promise<ApiReport> } {
  const report: ApiReport = { total: 0, ok: 0, unavailable: 0, stackTraces: 0, finalFailures: [] };
  const query = '{ listeningHistory(first: 3) { edges { node { playedAt track { name } } } pageInfo { hasNextPage } } }';
  const ask = async (session: DemoSession): Promise<{ status: number; body: string }> => {
    try {
      const response = await fetch(`${apiUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
        body: JSON.stringify({ query }),
        signal: AbortSignal.timeout(10_000),
      });
      return { status: response.status, body: await response.text() };
    } catch (error) {
      return { status: 0, body: (error as Error).message };
    }
  };
  let running = true;
  const loop = (async () => {
    while (running) {
      const { status, body } = await ask(sessions[Math.floor(Math.random() * sessions.length)]!);
      report.total++;
      if (status === 200 && !body.includes('"errors"')) report.ok++;
      else if (status === 0 || status >= 500 || body.includes('"errors"')) report.unavailable++;
      if (/\bat [\w.<>]+ \(|node_modules|stacktrace/.test(body)) report.stackTraces++;
      await sleep(250);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      for (const session of sessions.slice(0, 25)) {
        const { status, body } = await ask(session);
        if (status !== 200 || body.includes('"errors"')) report.finalFailures.push(`${status}: ${body.slice(0, 200)}`);
      }
      return report;
    },
  };
}

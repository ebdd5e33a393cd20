import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import { makePlay } from '../support/plays.js';
import { startApiHarness, type ApiHarness } from './api-harness.js';

/**
 * The README's curl walk-through, run as printed: each numbered step is the README's own text, with only
 * API and EMULATOR pointed at this test's servers and each `X='paste … here'` line given the value an
 * earlier step printed (what a reader pastes).
 */
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('**With curl**'));
const [walkThrough, emulatorLogin] = [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((match) => match[1]!);
const steps = walkThrough!.split(/^(?=# \d+\. )/m);

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ label: 'readme_curl' });
});
afterAll(async () => {
  await h?.stop();
});

function bash(script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', ['-c', `set -euo pipefail\n${script}`], { timeout: 30_000 }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)));
  });
}

/** A step as printed, with the reader's pasted values and this test's URLs. */
function asPasted(step: string, values: Record<string, string>): string {
  const pasted = step.replace(/^(\w+)='paste [^']*'$/gm, (line, name: string) => (values[name] === undefined ? line : `${name}='${values[name]}'`));
  const earlier = Object.entries(values)
    .filter(([name]) => !new RegExp(`^${name}=`, 'm').test(step))
    .map(([name, value]) => `${name}='${value}'`)
    .join('\n');
  return `${earlier}\n${pasted.replace(/^API=.*$/m, `API=${h.api.url}`)}`;
}

describe('the README’s curl walk-through', () => {
  it('has the numbered steps this test runs', () => {
    expect(steps.map((step) => /^# (\d+)\./.exec(step)?.[1] ?? 'setup')).toEqual(['setup', '1', '2', '3', '4', '5', '6']);
    expect(emulatorLogin).toContain('<authorizationUrl>');
  });

  it('logs in through the emulator, reads plays, pages on, fetches a play by id and shows statistics, as printed', async () => {
    const values: Record<string, string> = { API: h.api.url };
    const started = JSON.parse(await bash(asPasted(steps[1]!, values))) as { data: { startSpotifyLogin: { authorizationUrl: string } } };
    const authorizationUrl = started.data.startSpotifyLogin.authorizationUrl;

    const emulatorBase = h.emulator.accountsUrl.replace(/\/+$/, '');
    const redirect = await bash(emulatorLogin!.replace(/^EMULATOR=.*$/m, `EMULATOR=${new URL(emulatorBase).origin}`).replace('<authorizationUrl>', authorizationUrl));
    const callback = new URL(redirect.trim());
    values.CODE = callback.searchParams.get('code')!;
    values.STATE = callback.searchParams.get('state')!;

    const completed = JSON.parse(await bash(asPasted(steps[2]!, values))) as {
      data: { completeSpotifyLogin: { session: { token: string; user: { displayName: string } } | null; errors: unknown[] } };
    };
    expect(completed.data.completeSpotifyLogin.errors).toEqual([]);
    values.TOKEN = completed.data.completeSpotifyLogin.session!.token;
    const spotifyUser = h.emulator.users()[0]!;
    expect(completed.data.completeSpotifyLogin.session!.user.displayName).toBe(spotifyUser.displayName);

    const { rows } = await h.db.sql.query('select id from users where spotify_user_id = $1', [spotifyUser.id]);
    await h.db.sql.query('delete from listening_events where user_id = $1', [rows[0].id]);
    await ingestPlays(h.db.orm.em.fork(), { userId: rows[0].id, plays: [1, 2, 3, 4, 5].map((n) => makePlay(n, `2026-10-0${n}T12:00:00Z`)), source: 'poll' });

    type Page = { data: { listeningHistory: { totalCount?: number; edges: Array<{ node: { id?: string; playedAt: string; track: { name: string } } }>; pageInfo: { hasNextPage: boolean; endCursor: string } } } };
    const first = (JSON.parse(await bash(asPasted(steps[3]!, values))) as Page).data.listeningHistory;
    expect(first.totalCount).toBe(5);
    expect(first.edges.map((edge) => edge.node.track.name)).toEqual(['Song 5', 'Song 4', 'Song 3']);
    expect(first.pageInfo.hasNextPage).toBe(true);
    values.AFTER = first.pageInfo.endCursor;

    const next = (JSON.parse(await bash(asPasted(steps[4]!, values))) as Page).data.listeningHistory;
    expect(next.edges.map((edge) => edge.node.track.name)).toEqual(['Song 2', 'Song 1']);
    expect(next.pageInfo.hasNextPage).toBe(false);
    values.PLAY = first.edges[1]!.node.id!;

    const again = JSON.parse(await bash(asPasted(steps[5]!, values))) as { data: { node: { playedAt: string; track: { name: string } } } };
    expect(again.data.node).toEqual({ playedAt: '2026-10-04T12:00:00.000Z', track: { name: 'Song 4' } });

    const stats = JSON.parse(await bash(asPasted(steps[6]!, values))) as {
      data: { listeningSummary: { plays: number; activeDays: number }; topArtists: { edges: Array<{ node: { rank: number; plays: number; artist: { name: string } } }> } };
    };
    expect(stats.data.listeningSummary).toEqual({ plays: 5, activeDays: 5 });
    // Every track credits "The Testers"; the guests tie, and go by id.
    expect(stats.data.topArtists.edges.map(({ node }) => [node.rank, node.artist.name, node.plays])).toEqual([
      [1, 'The Testers', 5],
      [2, 'Guest 2', 1],
      [3, 'Guest 3', 1],
    ]);
  });
});

/**
 * The demo's listeners arrive with years of history: each one's "Extended streaming history" is
 * fetched from the emulator and uploaded to the API's POST /imports with the listener's own session, as a
 * listener would upload Spotify's, then imported by the worker. Only on a listener's first run: one who
 * already has an import that did not fail is left alone, so a second run imports nothing.
 */
import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { get, request, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DemoSession } from '../support/synthetic-login.js';

const DAY_MS = 86_400_000;

interface ImportState {
  status: 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
  error: string | null;
  counts: { rowsRead: number; stored: number; duplicates: number };
}

async function graphql<T>(apiUrl: string, session: DemoSession, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${apiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: Array<{ message: string }> };
  if (!body.data || body.errors?.length) throw new Error(`GraphQL error: ${body.errors?.map((e) => e.message).join('; ') ?? response.status}`);
  return body.data;
}

/** Whether the listener already has history imported or on its way (an import that neither failed nor was cancelled). */
async function hasImported(apiUrl: string, session: DemoSession): Promise<boolean> {
  const { imports } = await graphql<{ imports: { edges: Array<{ node: { status: ImportState['status'] } }> } }>(
    apiUrl,
    session,
    '{ imports(first: 20) { edges { node { status } } } }',
  );
  return imports.edges.some(({ node }) => node.status !== 'FAILED' && node.status !== 'CANCELLED');
}

/** Streams the emulator's streaming history of [from, now) to a file, counting its rows (the emulator writes one per line, between `[` and `]` lines). */
async function downloadStreamingHistory(emulatorUrl: string, session: DemoSession, from: Date, file: string): Promise<number> {
  const url = `${emulatorUrl}/admin/users/${encodeURIComponent(session.spotifyUserId)}/streaming-history?from=${from.toISOString()}`;
  // node:http rather than fetch: fetch's body stream turned a 200 MB streaming history into minutes of work.
  const response = await new Promise<IncomingMessage>((resolve, reject) => get(url, resolve).on('error', reject));
  if (response.statusCode !== 200) {
    response.resume();
    throw new Error(`the emulator's streaming history of ${session.displayName} answered HTTP ${response.statusCode}`);
  }
  let newlines = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) newlines++;
      done(null, chunk);
    },
  });
  await pipeline(response, counter, createWriteStream(file, { mode: 0o600 }));
  return Math.max(0, newlines - 2);
}

/** Uploads a streaming-history file as the listener (POST /imports, streamed from disk); answers the import's global id. */
async function upload(apiUrl: string, session: DemoSession, file: string, fileName: string): Promise<string> {
  const url = `${apiUrl}/imports?filename=${encodeURIComponent(fileName)}`;
  const headers = { authorization: `Bearer ${session.token}`, 'content-type': 'application/json', 'content-length': String(statSync(file).size) };
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const sent = request(url, { method: 'POST', headers }, resolve).on('error', reject);
    pipeline(createReadStream(file), sent).catch(reject);
  });
  let text = '';
  for await (const chunk of response) text += String(chunk);
  const body = JSON.parse(text || '{}') as { id?: string; error?: string; message?: string };
  if (response.statusCode !== 202 || !body.id) throw new Error(`POST /imports for ${session.displayName} answered HTTP ${response.statusCode}: ${body.message ?? body.error ?? text}`);
  return body.id;
}

async function importState(apiUrl: string, session: DemoSession, id: string): Promise<ImportState> {
  const { node } = await graphql<{ node: ImportState | null }>(
    apiUrl,
    session,
    'query ($id: ID!) { node(id: $id) { ... on Import { status error counts { rowsRead stored duplicates } } } }',
    { id },
  );
  if (!node) throw new Error(`import ${id} of ${session.displayName} is gone`);
  return node;
}

export interface HistoryImportResult {
  /** Listeners whose history was imported now. */
  imported: number;
  /** Listeners skipped: they had theirs already. */
  skipped: number;
  /** Rows of the streaming histories imported now. */
  rows: number;
}

/**
 * Imports `days` of history for each listener who has none yet: streaming histories fetched one at a
 * time (each file deleted once uploaded: the API keeps its own copy until imported, then deletes it),
 * then waits until every import has completed, reporting rows read against rows downloaded.
 */
export async function importDemoHistory(
  options: { apiUrl: string; emulatorUrl: string; sessions: DemoSession[]; days: number; workDir: string },
  report: (detail: string) => void,
): Promise<HistoryImportResult> {
  const { apiUrl, emulatorUrl, sessions, days, workDir } = options;
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  const from = new Date(Math.floor((Date.now() - days * DAY_MS) / 1000) * 1000);
  const pending: Array<{ session: DemoSession; id: string; rows: number }> = [];
  let skipped = 0;
  for (const [index, session] of sessions.entries()) {
    if (await hasImported(apiUrl, session)) {
      skipped++;
      continue;
    }
    report(`downloading ${session.displayName}'s streaming history from the emulator (${index + 1} of ${sessions.length})`);
    const file = join(workDir, `${session.spotifyUserId}.json`);
    try {
      const rows = await downloadStreamingHistory(emulatorUrl, session, from, file);
      report(`uploading ${session.displayName}'s streaming history (${rows.toLocaleString('en-US')} plays) to POST /imports`);
      pending.push({ session, id: await upload(apiUrl, session, file, `Streaming_History_Audio_demo_${session.spotifyUserId}.json`), rows });
    } finally {
      rmSync(file, { force: true });
    }
  }
  const total = pending.reduce((sum, item) => sum + item.rows, 0);
  for (;;) {
    const states = await Promise.all(pending.map((item) => importState(apiUrl, item.session, item.id)));
    const failed = states.findIndex((state) => state.status === 'FAILED' || state.status === 'CANCELLED');
    if (failed >= 0) throw new Error(`the import of ${pending[failed]!.session.displayName}'s history ${states[failed]!.status.toLowerCase()}: ${states[failed]!.error ?? ''}`);
    const read = states.reduce((sum, state) => sum + state.counts.rowsRead, 0);
    const done = states.filter((state) => state.status === 'COMPLETED').length;
    if (done === pending.length) return { imported: pending.length, skipped, rows: total };
    report(`${read.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} plays imported (${done} of ${pending.length} listeners done)`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

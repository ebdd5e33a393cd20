import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type LoggedIn } from '../api/api-harness.js';
import { createToken, lb, listen } from './listenbrainz-harness.js';

/**
 * Every rule of ListenBrainz's validation (api_tools.py of metabrainz/listenbrainz-server), each with the
 * field it names: a payload with one bad listen is refused whole (400) and nothing of it is stored.
 */
let h: ApiHarness;
let user: LoggedIn;
let token: string;
const now = Math.floor(Date.now() / 1000);
const good = listen(now - 3_600, { artist: 'Caribou', title: 'Odessa' });
const withInfo = (info: Record<string, unknown>) => ({ listened_at: now - 60, track_metadata: { artist_name: 'A', track_name: 'T', additional_info: info } });
const single = (payload: unknown) => ({ listen_type: 'single', payload: [payload] });
const MBID = '8f3471b5-7e6a-48da-86a9-c1c07a0f47ae';

beforeAll(async () => {
  h = await startApiHarness({ label: 'lb_validation', env: { LISTENBRAINZ_RATE_LIMIT: '0' } });
  user = await h.login(h.emulator.users()[0]!.id);
  token = (await createToken(h, user)).token;
});
afterAll(async () => {
  await h?.stop();
});

const REFUSED: Array<{ rule: string; body: unknown; message: RegExp; field: string | null }> = [
  { rule: 'not JSON', body: '{"listen_type": "single", "payload": [', message: /^Cannot parse JSON document/, field: null },
  { rule: 'top level not an object', body: [good], message: /Top level of JSON document should be a json object/, field: null },
  { rule: 'no payload', body: { listen_type: 'single' }, message: /^Invalid JSON document submitted\.$/, field: 'payload' },
  { rule: 'payload not a list', body: { listen_type: 'single', payload: good }, message: /should be a list of listens/, field: 'payload' },
  { rule: 'empty payload', body: { listen_type: 'import', payload: [] }, message: /does not contain any listens/, field: 'payload' },
  { rule: 'more than 1000 listens', body: { listen_type: 'import', payload: Array.from({ length: 1001 }, () => good) }, message: /more than 1000 listens/, field: 'payload' },
  { rule: 'listen_type missing', body: { payload: [good] }, message: /valid listen_type/, field: 'listen_type' },
  { rule: 'listen_type unknown', body: { listen_type: 'scrobble', payload: [good] }, message: /valid listen_type/, field: 'listen_type' },
  { rule: 'two listens in a single', body: { listen_type: 'single', payload: [good, good] }, message: /only one/, field: 'payload' },
  { rule: 'two listens in a playing_now', body: { listen_type: 'playing_now', payload: [{ track_metadata: good.track_metadata }, { track_metadata: good.track_metadata }] }, message: /only one/, field: 'payload' },
  { rule: 'listen is null', body: single(null), message: /Listen is empty/, field: 'payload[0]' },
  { rule: 'no listened_at', body: single({ track_metadata: good.track_metadata }), message: /must contain the key listened_at/, field: 'payload[0].listened_at' },
  { rule: 'listened_at not an int', body: single({ ...good, listened_at: 'yesterday' }), message: /int value for listened_at/, field: 'payload[0].listened_at' },
  { rule: 'listened_at in the future', body: single({ ...good, listened_at: Math.floor(Date.now() / 1000) + 3_700 }), message: /listened_at is too high/, field: 'payload[0].listened_at' },
  { rule: 'listened_at before 2002-10', body: single({ ...good, listened_at: 1_033_430_399 }), message: /listened_at is too low/, field: 'payload[0].listened_at' },
  { rule: 'no track_metadata', body: single({ listened_at: now - 60 }), message: /must contain the key track_metadata/, field: 'payload[0].track_metadata' },
  { rule: 'extra top-level key', body: single({ ...good, user: 'x' }), message: /may only contain listened_at and track_metadata/, field: 'payload[0]' },
  { rule: 'listened_at in playing_now', body: { listen_type: 'playing_now', payload: [good] }, message: /must not contain listened_at/, field: 'payload[0].listened_at' },
  { rule: 'track_metadata null', body: single({ listened_at: now - 60, track_metadata: null }), message: /track_metadata with null value/, field: 'payload[0].track_metadata' },
  { rule: 'no track_name', body: single({ listened_at: now - 60, track_metadata: { artist_name: 'A' } }), message: /required field track_metadata\.track_name/, field: 'payload[0].track_metadata.track_name' },
  { rule: 'blank track_name', body: single({ listened_at: now - 60, track_metadata: { artist_name: 'A', track_name: '   ' } }), message: /track_metadata\.track_name is empty/, field: 'payload[0].track_metadata.track_name' },
  { rule: 'no artist_name', body: single({ listened_at: now - 60, track_metadata: { track_name: 'T' } }), message: /required field track_metadata\.artist_name/, field: 'payload[0].track_metadata.artist_name' },
  { rule: 'artist_name a list', body: single({ listened_at: now - 60, track_metadata: { track_name: 'T', artist_name: ['A', 'B'] } }), message: /artist_name must be a single string/, field: 'payload[0].track_metadata.artist_name' },
  { rule: 'release_name a number', body: single({ listened_at: now - 60, track_metadata: { track_name: 'T', artist_name: 'A', release_name: 3 } }), message: /release_name must be a single string/, field: 'payload[0].track_metadata.release_name' },
  { rule: 'too many tags', body: single(withInfo({ tags: Array.from({ length: 51 }, (_, i) => `t${i}`) })), message: /more than 50 items/, field: 'payload[0].track_metadata.additional_info.tags' },
  { rule: 'a tag too long', body: single(withInfo({ tags: ['x'.repeat(65)] })), message: /longer than 64 characters/, field: 'payload[0].track_metadata.additional_info.tags' },
  { rule: 'duration and duration_ms', body: single(withInfo({ duration: 200, duration_ms: 200_000 })), message: /both duration and duration_ms/, field: 'payload[0].track_metadata.additional_info' },
  { rule: 'duration not positive', body: single(withInfo({ duration_ms: 0 })), message: /duration_ms is invalid/, field: 'payload[0].track_metadata.additional_info.duration_ms' },
  { rule: 'duration not a number', body: single(withInfo({ duration: 'long' })), message: /duration is invalid/, field: 'payload[0].track_metadata.additional_info.duration' },
  { rule: 'duration over 24 days', body: single(withInfo({ duration: 24 * 86_400 + 1 })), message: /duration is too large/, field: 'payload[0].track_metadata.additional_info.duration' },
  { rule: 'recording_mbid not a UUID', body: single(withInfo({ recording_mbid: 'abc' })), message: /recording_mbid MBID format invalid/, field: 'payload[0].track_metadata.additional_info.recording_mbid' },
  { rule: 'artist_mbids not UUIDs', body: single(withInfo({ artist_mbids: [MBID, 'nope'] })), message: /artist_mbids MBID format invalid/, field: 'payload[0].track_metadata.additional_info.artist_mbids' },
  { rule: 'a NUL in a name', body: single({ listened_at: now - 60, track_metadata: { artist_name: 'A\u0000B', track_name: 'T' } }), message: /unicode null/, field: 'payload[0].track_metadata.artist_name' },
  { rule: 'a NUL deep in additional_info', body: single(withInfo({ tags: ['ok', 'b\u0000d'] })), message: /unicode null/, field: 'payload[0].track_metadata.additional_info.tags[1]' },
  { rule: 'a listen too large', body: single(withInfo({ comment: 'x'.repeat(10_300) })), message: /Each listens may not be larger than 10240 bytes/, field: 'payload' },
];

const countNow = async () => ((await lb(h, `/1/user/${user.spotifyUserId}/listen-count`, { token })).body.payload as { count: number }).count;

describe('submit-listens refuses what ListenBrainz refuses', () => {
  for (const { rule, body, message, field } of REFUSED) {
    it(`${rule}: 400 naming ${field ?? 'the document'}`, async () => {
      const response = await lb(h, '/1/submit-listens', { token, body });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe(400);
      expect(response.body.error).toMatch(message);
      expect(response.body.field ?? null).toBe(field);
    });
  }

  it('stores nothing of an import whose last listen is bad', async () => {
    const before = await countNow();
    const payload = [listen(now - 7_200, { artist: 'A', title: 'One' }), listen(now - 7_000, { artist: 'A', title: 'Two' }), { listened_at: now - 6_800, track_metadata: { artist_name: 'A' } }];
    const response = await lb(h, '/1/submit-listens', { token, body: { listen_type: 'import', payload } });
    expect(response.status).toBe(400);
    expect(response.body.field).toBe('payload[2].track_metadata.track_name');
    expect(await countNow()).toBe(before);
  });

  it('refuses a body over the payload limit before reading it', async () => {
    const response = await lb(h, '/1/submit-listens', { token, body: `{"listen_type":"import","payload":[${'"x",'.repeat(2_600_000)}"x"]}` });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatch(/Payload too large/);
  });
});

describe('submit-listens accepts what ListenBrainz accepts', () => {
  it('takes listened_at as a numeric string, durations as strings or seconds, empty MBIDs dropped, names trimmed', async () => {
    const before = await countNow();
    const body = single({
      listened_at: String(now - 9_000),
      track_metadata: { artist_name: '  Four Tet ', track_name: 'Baby ', release_name: '  ', additional_info: { duration: '201.7', recording_mbid: '', artist_mbids: [MBID, ''], tags: [] } },
    });
    expect(await lb(h, '/1/submit-listens', { token, body })).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await countNow()).toBe(before + 1);
    const read = (await lb(h, `/1/user/${user.spotifyUserId}/listens?count=1&max_ts=${now - 8_999}`, { token })).body.payload as { listens: Array<{ listened_at: number; track_metadata: Record<string, unknown> }> };
    expect(read.listens[0]).toMatchObject({ listened_at: now - 9_000, track_metadata: { artist_name: 'Four Tet', track_name: 'Baby', additional_info: { duration_ms: 201_000 } } });
    expect(read.listens[0]!.track_metadata).not.toHaveProperty('release_name');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../services/api/relay/global-id.js';
import { errorCodes, startApiHarness, type ApiHarness, type LoggedIn } from './api-harness.js';

let h: ApiHarness;
let user: LoggedIn;
beforeAll(async () => {
  h = await startApiHarness({ label: 'api_payloads' });
  user = await h.login(h.emulator.users()[0]!.id);
});
afterAll(async () => {
  await h?.stop();
});

const CANCEL = 'mutation ($input: CancelImportInput!) { cancelImport(input: $input) { clientMutationId import { id status } errors { __typename code message } } }';
type Cancelled = { cancelImport: { clientMutationId: string | null; import: { id: string; status: string } | null; errors: Array<{ __typename: string; code: string; message: string }> } };

async function importWithStatus(status: string): Promise<string> {
  const { rows } = await h.db.sql.query(`insert into imports (user_id, file_name, file_path, file_bytes, status) values ($1, 'e.zip', null, 1, $2) returning id`, [user.userId, status]);
  return toGlobalId({ type: 'Import', importId: rows[0].id });
}

describe('mutation payloads', () => {
  it('hand back the clientMutationId of their input', async () => {
    const { startSpotifyLogin } = await h.client().request<{ startSpotifyLogin: { clientMutationId: string } }>('mutation { startSpotifyLogin(input: { clientMutationId: "s-1" }) { clientMutationId } }');
    expect(startSpotifyLogin.clientMutationId).toBe('s-1');
    const { requestSync } = await h.client(user.token).request<{ requestSync: { clientMutationId: string; poll: string } }>(
      'mutation { requestSync(input: { clientMutationId: "r-1" }) { clientMutationId poll } }',
    );
    expect(requestSync).toEqual({ clientMutationId: 'r-1', poll: 'STARTED' });
    const id = await importWithStatus('queued');
    expect((await h.client(user.token).request<Cancelled>(CANCEL, { input: { id, clientMutationId: 'c-1' } })).cancelImport.clientMutationId).toBe('c-1');
  });

  it('answer a failure the user can act on as a typed error beside what is now true', async () => {
    const completed = await importWithStatus('completed');
    const answer = await h.client(user.token).request<Cancelled>(CANCEL, { input: { id: completed } });
    expect(answer.cancelImport).toEqual({
      clientMutationId: null,
      import: { id: completed, status: 'COMPLETED' },
      errors: [{ __typename: 'CancelImportError', code: 'IMPORT_ALREADY_COMPLETED', message: expect.stringContaining('completed') }],
    });

    const login = await h.client().request<{ completeSpotifyLogin: { session: unknown; errors: Array<{ __typename: string; code: string; message: string }> } }>(
      'mutation { completeSpotifyLogin(input: { state: "never-started", code: "AQx" }) { session { token } errors { __typename code message } } }',
    );
    expect(login.completeSpotifyLogin).toEqual({ session: null, errors: [{ __typename: 'LoginError', code: 'LOGIN_STATE_INVALID', message: expect.stringMatching(/login/i) }] });
  });

  it('keep programming mistakes top-level errors with stable codes', async () => {
    const play = toGlobalId({ type: 'Play', userId: '00000000-0000-4000-8000-000000000000', playedAt: '2026-01-01T00:00:00.000000Z', trackId: 't' });
    await expect(h.client(user.token).request(CANCEL, { input: { id: play } })).rejects.toThrow(/id is the id of a Play, not of an Import/);
    expect(await errorCodes(h.client(user.token).request(CANCEL, { input: { id: 'garbled' } }))).toEqual(['BAD_USER_INPUT']);
    expect(await errorCodes(h.client().request(CANCEL, { input: { id: await importWithStatus('queued') } }))).toEqual(['UNAUTHENTICATED']);
    expect(await errorCodes(h.client().request('mutation { completeSpotifyLogin(input: { state: "s" }) { errors { code } } }'))).toEqual(['BAD_USER_INPUT']);
  });
});

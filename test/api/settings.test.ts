import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, startApiHarness, type ApiHarness, type LoggedIn } from './api-harness.js';

let h: ApiHarness;
let user: LoggedIn;
beforeAll(async () => {
  h = await startApiHarness({ label: 'api_settings' });
  user = await h.login(h.emulator.users()[0]!.id);
});
afterAll(async () => {
  await h?.stop();
});

const UPDATE = 'mutation ($input: UpdateSettingsInput!) { updateSettings(input: $input) { clientMutationId user { id timeZone } } }';
type Updated = { updateSettings: { clientMutationId: string | null; user: { id: string; timeZone: string } } };
const timeZoneOf = async (who: LoggedIn) => (await h.client(who.token).request<{ me: { timeZone: string } }>('{ me { timeZone } }')).me.timeZone;

describe('me.timeZone and updateSettings', () => {
  it('is UTC until the user chooses, then the zone they chose, theirs alone', async () => {
    expect(await timeZoneOf(user)).toBe('UTC');
    for (const zone of ['Asia/Kathmandu', 'Australia/Eucla', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5', 'UTC']) {
      const answer = await h.client(user.token).request<Updated>(UPDATE, { input: { timeZone: zone, clientMutationId: zone } });
      expect(answer.updateSettings).toEqual({ clientMutationId: zone, user: { id: user.globalUserId, timeZone: zone } });
      expect(await timeZoneOf(user)).toBe(zone);
    }
    await h.client(user.token).request<Updated>(UPDATE, { input: { timeZone: 'Asia/Kolkata' } });
    const other = await h.login(h.emulator.users()[1]!.id);
    expect(await timeZoneOf(other)).toBe('UTC');
    expect(await timeZoneOf(user)).toBe('Asia/Kolkata');
  });

  it('refuses what is not an IANA zone name with BAD_USER_INPUT quoting it, changing nothing', async () => {
    for (const zone of ['Mars/Olympus_Mons', '+05:30', 'GMT+5:30', 'utc', '', 'Europe/Paris; drop table users', 'x'.repeat(100)]) {
      await expect(h.client(user.token).request(UPDATE, { input: { timeZone: zone } }), zone).rejects.toThrow(/is not an IANA time zone name/);
      expect(await errorCodes(h.client(user.token).request(UPDATE, { input: { timeZone: zone } }))).toEqual(['BAD_USER_INPUT']);
    }
    await expect(h.client(user.token).request(UPDATE, { input: { timeZone: 'Mars/Olympus_Mons' } })).rejects.toThrow(/"Mars\/Olympus_Mons"/);
    expect(await timeZoneOf(user)).toBe('Asia/Kolkata');
    expect(await errorCodes(h.client().request(UPDATE, { input: { timeZone: 'UTC' } }))).toEqual(['UNAUTHENTICATED']);
  });
});

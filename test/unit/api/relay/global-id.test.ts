import { describe, expect, it } from 'vitest';
import { encodeHistoryCursor } from '../../../../services/api/history/history-cursor.js';
import { decodeGlobalId, decodeGlobalIdOf, parseGlobalId, toGlobalId, type NodeKey } from '../../../../services/api/relay/global-id.js';

const USER = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
const OTHER = '6f1c0a4e-9b2d-4c3e-8f7a-0123456789ab';
const KEYS: NodeKey[] = [
  { type: 'User', userId: USER },
  { type: 'Play', userId: USER, playedAt: '2026-03-29T01:30:00.123456Z', trackId: '4uLU6hMCjMI75M1A2tKUQC' },
  { type: 'Track', trackId: '4uLU6hMCjMI75M1A2tKUQC' },
  { type: 'Album', albumId: '6akEvsycLGftJxYudPjmqK' },
  { type: 'Artist', artistId: '0OdUWJ0sBjDrqHygGUXeCF' },
  { type: 'Import', importId: OTHER },
  { type: 'Export', exportId: OTHER },
];

/** What a client gets for a refused argument: BAD_USER_INPUT, naming it (a matcher toThrow compares the error with; its types know only Error). */
const badUserInput = (argument: string, message: string) => expect.objectContaining({ code: 'BAD_USER_INPUT', message, details: { argument } }) as Error;

describe('global ids', () => {
  it('resolve to the object they were made for, whatever its type', () => {
    for (const key of KEYS) expect(decodeGlobalId(toGlobalId(key), 'id')).toEqual(key);
  });

  it('are unique across types: the same key of another type is another id', () => {
    const ids = [toGlobalId({ type: 'Import', importId: OTHER }), toGlobalId({ type: 'Export', exportId: OTHER }), toGlobalId({ type: 'User', userId: OTHER })];
    expect(new Set(ids).size).toBe(3);
    const catalogue = [toGlobalId({ type: 'Track', trackId: 'x' }), toGlobalId({ type: 'Album', albumId: 'x' }), toGlobalId({ type: 'Artist', artistId: 'x' })];
    expect(new Set(catalogue).size).toBe(3);
  });

  it('refuse an id of another type by naming both types', () => {
    expect(() => decodeGlobalIdOf(toGlobalId({ type: 'Export', exportId: OTHER }), 'User', 'userId')).toThrow(badUserInput('userId', 'userId is the id of an Export, not of a User'));
    expect(() => decodeGlobalIdOf(toGlobalId({ type: 'User', userId: USER }), 'Album', 'albumId')).toThrow(badUserInput('albumId', 'albumId is the id of a User, not of an Album'));
    expect(decodeGlobalIdOf(toGlobalId({ type: 'Import', importId: OTHER }), 'Import', 'id')).toEqual({ type: 'Import', importId: OTHER });
  });

  it('refuse garbage, a cursor and a mangled key with BAD_USER_INPUT naming the argument', () => {
    const notIds = [
      'garbage',
      '',
      USER, // a bare uuid is not an id
      encodeHistoryCursor({ playedAt: '2026-01-02T03:04:05.000000Z', trackId: 't1' }),
      Buffer.from(JSON.stringify(['U', 'not-a-uuid'])).toString('base64url'),
      Buffer.from(JSON.stringify(['U', USER, 'extra'])).toString('base64url'),
      Buffer.from(JSON.stringify(['P', USER, '2026-02-30T00:00:00.000000Z', 't1'])).toString('base64url'),
      Buffer.from(JSON.stringify(['P', USER, '2026-01-02T03:04:05Z', 't1'])).toString('base64url'),
      Buffer.from(JSON.stringify(['Q', USER])).toString('base64url'),
    ];
    for (const id of notIds) {
      expect(parseGlobalId(id), id).toBeNull();
      expect(() => decodeGlobalId(id, 'node.id')).toThrow(badUserInput('node.id', 'node.id is not an id from this API: pass the id field of a Playlog object'));
    }
  });
});

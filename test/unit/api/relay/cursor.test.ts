import { describe, expect, it } from 'vitest';
import { decodeExportCursor, encodeExportCursor } from '../../../../services/api/exports/export-cursor.js';
import { decodeHistoryCursor, encodeHistoryCursor } from '../../../../services/api/history/history-cursor.js';
import { decodeImportCursor, encodeImportCursor } from '../../../../services/api/imports/import-cursor.js';
import { toGlobalId } from '../../../../services/api/relay/global-id.js';
import { decodeToken, encodeToken } from '../../../../services/api/relay/opaque-token.js';
import { decodeRankingCursor, encodeRankingCursor } from '../../../../services/api/stats/ranking-cursor.js';

const ID = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
const AT = '2026-10-25T01:30:00.000001Z';

/** What a client gets for a refused cursor: BAD_USER_INPUT, naming the argument (a matcher toThrow compares the error with; its types know only Error). */
const badUserInput = (argument: string, message: string | RegExp) =>
  expect.objectContaining({ code: 'BAD_USER_INPUT', message: typeof message === 'string' ? message : expect.stringMatching(message), details: { argument } }) as Error;

describe("the connections' cursors", () => {
  it('bring a page back to the position they were made at', () => {
    expect(decodeHistoryCursor(encodeHistoryCursor({ playedAt: AT, trackId: '4uLU6hMCjMI75M1A2tKUQC' }))).toEqual({ playedAt: AT, trackId: '4uLU6hMCjMI75M1A2tKUQC' });
    expect(decodeImportCursor(encodeImportCursor({ createdAt: AT, id: ID }), 'after')).toEqual({ createdAt: AT, id: ID });
    expect(decodeExportCursor(encodeExportCursor({ createdAt: AT, id: ID }), 'before')).toEqual({ createdAt: AT, id: ID });
  });

  it('of one connection are refused by another, which names the connection they belong to', () => {
    const imports = encodeImportCursor({ createdAt: AT, id: ID });
    expect(() => decodeExportCursor(imports, 'after')).toThrow(badUserInput('after', 'after is a cursor of imports, not of exports: pass a cursor exports returned'));
    expect(() => decodeHistoryCursor(encodeExportCursor({ createdAt: AT, id: ID }), 'before')).toThrow(
      badUserInput('before', 'before is a cursor of exports, not of listeningHistory: pass a cursor listeningHistory returned'),
    );
  });

  it('refuse garbage, an id and a tampered position, saying what to pass instead', () => {
    const notCursors = ['', 'garbage', 'eyJ9', toGlobalId({ type: 'Import', importId: ID }), encodeToken(['i1', AT]), encodeToken(['i1', AT, 'not-a-uuid']), encodeToken(['i1', '2026-02-29T00:00:00.000000Z', ID])];
    for (const cursor of notCursors) {
      expect(() => decodeImportCursor(cursor, 'before'), cursor).toThrow(
        badUserInput('before', 'before is not a cursor from this API: pass an edge’s cursor, or startCursor or endCursor, from a page of imports'),
      );
    }
  });
});

describe("a ranking's cursor", () => {
  const position = { plays: 1234, ms: 2 ** 40, id: '4uLU6hMCjMI75M1A2tKUQC' };

  it('brings the next page back to the item it was made at', () => {
    expect(decodeRankingCursor('track', 'plays', encodeRankingCursor('track', 'plays', position))).toEqual(position);
    expect(decodeRankingCursor('artist', 'time', encodeRankingCursor('artist', 'time', { ...position, plays: 0, ms: 0 }))).toEqual({ ...position, plays: 0, ms: 0 });
  });

  it('of another kind or order is refused, naming the ranking it came from', () => {
    const byPlays = encodeRankingCursor('album', 'plays', position);
    expect(() => decodeRankingCursor('album', 'time', byPlays)).toThrow(
      badUserInput('after', 'after is a cursor of topAlbums(orderBy: PLAYS), not of topAlbums(orderBy: TIME): pass a cursor topAlbums(orderBy: TIME) returned'),
    );
    expect(() => decodeRankingCursor('artist', 'plays', byPlays)).toThrow(badUserInput('after', /^after is a cursor of topAlbums\(orderBy: PLAYS\), not of topArtists\(orderBy: PLAYS\)/));
    expect(() => decodeRankingCursor('track', 'plays', byPlays)).toThrow(badUserInput('after', /^after is a cursor of topAlbums\(orderBy: PLAYS\), not of topTracks\(orderBy: PLAYS\)/));
  });

  it('refuses counts that are not whole numbers a page can be keyed by', () => {
    const [tag] = decodeToken(encodeRankingCursor('track', 'plays', position))!;
    const forged = (plays: string, ms: string) => encodeToken([tag!, plays, ms, 't1']);
    expect(decodeRankingCursor('track', 'plays', forged('12', '3400'))).toEqual({ plays: 12, ms: 3400, id: 't1' });
    for (const [plays, ms] of [['-1', '0'], ['1.5', '0'], ['01', '0'], ['1e3', '0'], ['0', '9007199254740993'], ['0', '99999999999999999']]) {
      expect(() => decodeRankingCursor('track', 'plays', forged(plays!, ms!)), `${plays} ${ms}`).toThrow(badUserInput('after', /^after is not a cursor from this API/));
    }
  });
});

import { badUserInput } from '../app-error.js';
import { decodeToken, encodeToken } from './opaque-token.js';

/**
 * A connection's cursors: a position in one connection, tagged with that connection, so a cursor of
 * another one (or an id) is refused by name rather than read as a position. A cursor is only a
 * position: it names no user; the user a page belongs to always comes from the session.
 */
export interface CursorKind<Position> {
  /** The tag inside its cursors. */
  tag: string;
  /** The connection, as error messages name it. */
  connection: string;
  toParts(position: Position): string[];
  /** The position these parts name; null when they are not one. */
  fromParts(parts: readonly string[]): Position | null;
}

/** Every connection's cursor tag, to say which connection a misplaced cursor belongs to. */
const CONNECTIONS_BY_TAG = new Map<string, string>();

export function defineCursor<Position>(kind: CursorKind<Position>): CursorKind<Position> {
  CONNECTIONS_BY_TAG.set(kind.tag, kind.connection);
  return kind;
}

export function encodeCursor<Position>(kind: CursorKind<Position>, position: Position): string {
  return encodeToken([kind.tag, ...kind.toParts(position)]);
}

/** Decodes a client's cursor strictly: anything but a cursor of this connection is BAD_USER_INPUT naming the argument. */
export function decodeCursor<Position>(kind: CursorKind<Position>, cursor: string, argument: 'after' | 'before'): Position {
  const parts = decodeToken(cursor);
  const other = parts && parts[0] !== kind.tag ? CONNECTIONS_BY_TAG.get(parts[0]!) : undefined;
  if (other) throw badUserInput(`${argument} is a cursor of ${other}, not of ${kind.connection}: pass a cursor ${kind.connection} returned`, argument);
  const position = parts && parts[0] === kind.tag ? kind.fromParts(parts.slice(1)) : null;
  if (!position) throw badUserInput(`${argument} is not a cursor from this API: pass an edge’s cursor, or startCursor or endCursor, from a page of ${kind.connection}`, argument);
  return position;
}

import { randomUUID } from 'node:crypto';
import { LockMode, raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ListeningEvent } from '../../plays/data/listening-event.entity.js';
import { User, type UserStatus } from './user.entity.js';
import { z } from 'zod';
import { defineStatement, runStatement } from '../../../shared/db/statements/statement.js';

export interface UserProfile {
  id: string;
  spotifyUserId: string;
  displayName: string | null;
  status: UserStatus;
  createdAt: Date;
  /** The oldest stored play, or null when none is stored yet. */
  historyStartsAt: Date | null;
  /** When a poll of this user last succeeded. */
  lastSuccessfulPollAt: Date | null;
  /** When the user last authorised Playlog on Spotify (refresh tokens die six months after it). */
  spotifyAuthorizedAt: Date | null;
  /** The IANA time zone of the user's statistics. */
  timeZone: string;
}

export interface UserRow {
  id: string;
  status: UserStatus;
}

/** The user with this Spotify id, locked for the rest of the caller's transaction; null when there is none. */
export async function findUserBySpotifyIdForUpdate(tx: EntityManager, spotifyUserId: string): Promise<UserRow | null> {
  const user = await tx.findOne(User, { spotifyUserId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  return user && { id: user.id, status: user.status };
}

/**
 * Creates the user or refreshes their name, and marks them active: a user who had to re-authorise
 * is polled again. A disabled user stays disabled (callers refuse their login before calling this).
 */
export async function upsertSpotifyUser(em: EntityManager, user: { spotifyUserId: string; displayName: string | null }): Promise<UserRow> {
  const now = new Date();
  // An upsert, so two first logins of one Spotify user at once make one row; a statement, so `updatedAt` is set here (onUpdate runs only in a flush).
  const rows = (await em
    .createQueryBuilder(User)
    .insert({ id: randomUUID(), spotifyUserId: user.spotifyUserId, displayName: user.displayName, status: 'active', createdAt: now, updatedAt: now })
    .onConflict('spotifyUserId')
    .merge({ displayName: user.displayName, status: raw(`case when "users"."status" = 'disabled' then "users"."status" else 'active' end`), updatedAt: now })
    .returning(['id', 'status'])
    .execute('all')) as Array<{ id: string; status: UserStatus }>;
  const row = rows[0];
  if (!row) throw new Error('the upsert of a user returned no row');
  return { id: row.id, status: row.status };
}

/** The user as `me` shows them: their row, their poll health and authorisation, and their oldest play. */
export async function loadUserProfile(em: EntityManager, userId: string): Promise<UserProfile | null> {
  const user = await em.findOne(User, userId, {
    populate: ['pollState', 'credentials'],
    fields: ['id', 'spotifyUserId', 'displayName', 'status', 'timeZone', 'createdAt', 'pollState.lastSuccessAt', 'credentials.authorizedAt'],
  });
  if (!user) return null;
  // The primary key (user_id, played_at, track_id) serves this from its first entry.
  const first = await em.findOne(ListeningEvent, { user: userId }, { orderBy: { playedAt: 'asc' }, fields: ['playedAt'] });
  return {
    id: user.id,
    spotifyUserId: user.spotifyUserId,
    displayName: user.displayName,
    status: user.status,
    createdAt: user.createdAt,
    historyStartsAt: first?.playedAt ?? null,
    lastSuccessfulPollAt: user.pollState?.lastSuccessAt ?? null,
    spotifyAuthorizedAt: user.credentials?.authorizedAt ?? null,
    timeZone: user.timeZone,
  };
}

/** The user's own time zone; null when the user is gone. */
export async function timeZoneOfUser(em: EntityManager, userId: string): Promise<string | null> {
  const user = await em.findOne(User, userId, { fields: ['timeZone'] });
  return user?.timeZone ?? null;
}

/** Whether Postgres' time zone database knows this IANA name exactly (what statistics are computed with). */
export async function isKnownTimeZone(em: EntityManager, name: string): Promise<boolean> {
  return (await knownTimeZones(em)).has(name);
}

export const timeZoneNamesStatement = defineStatement({
  name: 'users_time_zone_names',
  purpose: 'Every time zone name Postgres knows (its pg_timezone_names view scans the zone files: tens of milliseconds), read once per process.',
  sql: `select name from pg_timezone_names`,
  row: z.object({ name: z.string() }),
});

/** Postgres' zone names, read once per process: they change only with Postgres' own time zone data. */
let zoneNames: Promise<ReadonlySet<string>> | undefined;

function knownTimeZones(em: EntityManager): Promise<ReadonlySet<string>> {
  zoneNames ??= runStatement(em, timeZoneNamesStatement, []).then(
    (rows) => new Set(rows.map((row) => row.name)),
    (error: unknown) => {
      // A failed read (a request stopped, Postgres away) is read again by the next caller.
      zoneNames = undefined;
      throw error;
    },
  );
  return zoneNames;
}

/** The user by Playlog id or by Spotify user id (operators may give either); null when there is none. */
export async function findUserByIdOrSpotifyId(em: EntityManager, idOrSpotifyId: string): Promise<UserRow | null> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrSpotifyId);
  const user = await em.findOne(User, isUuid ? { $or: [{ id: idOrSpotifyId }, { spotifyUserId: idOrSpotifyId }] } : { spotifyUserId: idOrSpotifyId }, { fields: ['id', 'status'] });
  return user && { id: user.id, status: user.status };
}

/** Every user's ids and status, for the operator's checks (the chaos run compares them with Spotify's truth). */
export async function listUsers(em: EntityManager): Promise<Array<UserRow & { spotifyUserId: string }>> {
  const users = await em.find(User, {}, { fields: ['id', 'spotifyUserId', 'status'], orderBy: { id: 'asc' } });
  return users.map((user) => ({ id: user.id, spotifyUserId: user.spotifyUserId, status: user.status }));
}

/** Active users, ids only (for a poll of everyone). */
export async function listActiveUserIds(em: EntityManager): Promise<string[]> {
  const users = await em.find(User, { status: 'active' }, { fields: ['id'], orderBy: { id: 'asc' } });
  return users.map((user) => user.id);
}

/**
 * The user must log in again: the scheduler stops polling them until they do (the API's login sets
 * them active again). Only an active user changes: a disabled one stays disabled. Returns whether it changed.
 */
export async function markReauthRequired(em: EntityManager, userId: string): Promise<boolean> {
  // One conditional statement, not load-and-flush: a login (or an operator's disable) between a read and a write must win.
  const changed = await em.nativeUpdate(User, { id: userId, status: 'active' }, { status: 'reauth_required', updatedAt: new Date() });
  return changed > 0;
}

/** Deletes the user; foreign keys cascade to tokens, sessions, plays, poll state and imports. Returns whether a row went. */
export async function deleteUser(em: EntityManager, userId: string): Promise<boolean> {
  // One statement: Postgres cascades it to every row of the account, which the unit of work would otherwise load first.
  return (await em.nativeDelete(User, { id: userId })) > 0;
}

import type { IncomingHttpHeaders } from 'node:http';

/**
 * The session token a request carries: `Authorization: Bearer <token>` first (API clients), else the
 * session cookie (browsers after /auth/callback). Returns undefined when there is neither; a malformed
 * header yields its raw value, which then opens no session.
 */
export function sessionTokenFrom(headers: IncomingHttpHeaders, cookieName: string): string | undefined {
  const authorization = headers.authorization;
  if (authorization !== undefined && authorization.trim() !== '') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match ? match[1] : authorization;
  }
  return readCookie(headers.cookie, cookieName);
}

/** One cookie's value from a Cookie header (RFC 6265 syntax, percent-decoded when possible). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}

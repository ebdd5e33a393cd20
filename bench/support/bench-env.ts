/** Services come from `bash scripts/services.sh up`, at the same URLs tests and services use. */
export const ADMIN_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://playlog:playlog@127.0.0.1:5432/playlog';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function databaseUrlFor(name: string): string {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

import { chmod, mkdir, stat } from 'node:fs/promises';
import type { Logger } from '../logging/logger.js';

export class PrivateDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrivateDirError';
  }
}

/**
 * Creates a directory of personal files (IMPORT_DIR, EXPORT_DIR) if needed and makes sure only this user
 * can enter it: it must be a directory owned by the process's user; if it is open to others, it is closed
 * (0700) and that is logged.
 */
export async function preparePrivateDir(dir: string, about: { variable: string; holds: string; logKey: string }, log: Logger): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await stat(dir);
  if (!info.isDirectory()) throw new PrivateDirError(`${about.variable} ${dir} is not a directory.`);
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) {
    throw new PrivateDirError(`${about.variable} ${dir} belongs to uid ${info.uid}, not to this process (uid ${uid}): ${about.holds}, so point ${about.variable} at a directory of Playlog's own.`);
  }
  const mode = info.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    await chmod(dir, 0o700);
    log.warn({ [about.logKey]: dir, mode: mode.toString(8) }, `${about.variable} was open to other users (mode ${mode.toString(8)}): it is now 0700`);
  }
}

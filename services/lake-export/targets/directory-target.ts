import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { LakeTarget } from './lake-target.js';

/** Staging area inside the lake's root (so a rename is atomic), skipped by Hive readers, which ignore `_` names. */
const STAGING = '_staging';

/** A lake in a local (or mounted) directory: `LAKE_URL=file:///path`. */
export class DirectoryTarget implements LakeTarget {
  readonly description: string;

  constructor(private readonly root: string) {
    this.description = `file://${root}`;
  }

  /** Creates the root and clears what a crashed run left staged (a lock keeps one run at a time). */
  async prepare(): Promise<void> {
    await rm(join(this.root, STAGING), { recursive: true, force: true });
    await mkdir(join(this.root, STAGING), { recursive: true });
  }

  async putFile(key: string, localPath: string): Promise<number> {
    const staged = join(this.root, STAGING, randomUUID());
    await copyFile(localPath, staged);
    await this.publish(staged, key);
    return (await stat(this.path(key))).size;
  }

  async putText(key: string, text: string): Promise<void> {
    const staged = join(this.root, STAGING, randomUUID());
    await writeFile(staged, text);
    await this.publish(staged, key);
  }

  async getText(key: string): Promise<string | null> {
    try {
      return await readFile(this.path(key), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
    // Empty partition directories go too, up to the root.
    for (let dir = dirname(this.path(key)); dir.startsWith(`${this.root}/`); dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        break;
      }
    }
  }

  close(): void {}

  private path(key: string): string {
    return join(this.root, ...key.split('/'));
  }

  private async publish(staged: string, key: string): Promise<void> {
    await mkdir(dirname(this.path(key)), { recursive: true });
    await rename(staged, this.path(key));
  }
}

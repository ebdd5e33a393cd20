import { describe, expect, it } from 'vitest';
import { APP_SERVICES, compose, composeOk, inspectService } from './stack.js';

describe('the app containers', () => {
  it.each(APP_SERVICES)('%s runs read-only, as uid 1000, with no capabilities and no privilege escalation', async (service) => {
    const { Config, HostConfig } = await inspectService(service);
    expect(HostConfig.ReadonlyRootfs).toBe(true);
    expect(HostConfig.CapDrop ?? []).toContain('ALL');
    expect(HostConfig.SecurityOpt ?? []).toEqual(expect.arrayContaining([expect.stringMatching(/^no-new-privileges(:true)?$/)]));
    expect(Config.User).toBe('1000:1000');
  });

  it('the API process is uid 1000 and cannot write even to its own home', async () => {
    expect((await composeOk(['exec', '-T', 'api', 'id', '-u'])).trim()).toBe('1000');
    // /home/node is uid 1000's in the image: only the read-only root filesystem stops the write.
    const write = await compose(['exec', '-T', 'api', 'touch', '/home/node/written']);
    expect(write.code).not.toBe(0);
    expect(write.stderr).toMatch(/read-only file system/i);
  });
});

import { describe, expect, it } from 'vitest';
import { IMAGE, run } from './stack.js';

/** A shell command in a throwaway container of the image, from its working directory (/app). */
async function inImage(script: string): Promise<string> {
  const result = await run('docker', ['run', '--rm', '--entrypoint', 'sh', IMAGE, '-c', script]);
  if (result.code !== 0) throw new Error(`sh -c '${script}' in ${IMAGE} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

describe('the image', () => {
  it('holds no TypeScript toolchain and no TypeScript sources, only the compiled services', async () => {
    const modules = (await inImage('ls node_modules')).split('\n').filter(Boolean);
    expect(modules.length).toBeGreaterThan(10);
    // @esbuild: esbuild's platform binaries, which come with it.
    expect(modules.filter((name) => ['typescript', 'tsx', 'esbuild', '@esbuild'].includes(name))).toEqual([]);

    // The compiled entry point is there, so an empty search below means no sources, not a wrong path.
    expect(await inImage('pwd && ls services/cli/main.js')).toBe('/app\nservices/cli/main.js\n');
    expect(await inImage("find /app/services -type f \\( -name '*.ts' -o -name '*.tsx' -o -name '*.mts' -o -name '*.cts' \\)")).toBe('');
  });
});

/**
 * One dependency check of a readiness probe: `ok`, or `down: <why>` with an error code or a short
 * message stripped of URLs (a driver's message may carry a connection URL with its password).
 */
export async function checkDependency(probe: () => Promise<unknown>, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return 'ok';
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
    return `down: ${code || (error instanceof Error ? redactUrls(error.message).slice(0, 120) : 'unreachable')}`;
  } finally {
    clearTimeout(timer);
  }
}

const redactUrls = (text: string): string => text.replace(/\b[a-z]+:\/\/\S+/gi, '<url>');

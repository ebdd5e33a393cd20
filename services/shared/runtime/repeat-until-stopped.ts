/**
 * Runs `run` now and then every `intervalMs` after each run ends, until stop() — the loop of a one-shot
 * command made long-running (the scheduler and lake-export under docker compose). stop() lets a run
 * in progress finish, skips the wait, and resolves when the loop has ended.
 */
export function repeatUntilStopped(run: () => Promise<unknown>, intervalMs: number): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      await run();
      if (stopped) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, intervalMs);
      });
    }
  })();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      wake?.();
      await loop;
    },
  };
}

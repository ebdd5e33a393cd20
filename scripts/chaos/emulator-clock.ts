import { send } from './http.js';

/**
 * Moves the emulator's clock forward every second so it runs `speed` times faster than real time. Poll
 * times (wall clock, from the worker logs) convert to emulator time with the offsets recorded here; the
 * offset after a poll is at least the one it saw, so a converted time errs late, never early.
 */
export function accelerateClock(emulatorUrl: string, speed: number): { stop(): Promise<void>; emulatorTime(wallMs: number): number } {
  const offsets: Array<{ wall: number; offset: number }> = [{ wall: 0, offset: 0 }];
  let ticking: Promise<unknown> = Promise.resolve();
  const timer =
    speed > 1
      ? setInterval(() => {
          ticking = send('POST', `${emulatorUrl}/admin/clock/advance`, { ms: Math.round((speed - 1) * 1000) })
            .then((answer) => offsets.push({ wall: Date.now(), offset: Date.parse((answer as { now: string }).now) - Date.now() }))
            .catch(() => undefined);
        }, 1000)
      : undefined;
  return {
    async stop() {
      clearInterval(timer);
      await ticking;
    },
    emulatorTime(wallMs: number) {
      let offset = 0;
      for (const entry of offsets) if (entry.wall <= wallMs) offset = entry.offset;
      return wallMs + offset;
    },
  };
}

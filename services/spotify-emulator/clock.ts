/**
 * The emulator's notion of now. Real time by default; tests move it (advance, set) or stop it (freeze)
 * so that plays, token expiry, authorisation codes, the rate-limit window and the daily quota follow
 * the test's timeline instead of the wall clock.
 */
export class EmulatorClock {
  private offsetMs = 0;
  private frozenAt: number | null = null;

  constructor(options: { startAt?: Date | number | string; frozen?: boolean } = {}) {
    if (options.startAt !== undefined) this.set(options.startAt);
    // Frozen at the start instant itself: reading now() here could already be a millisecond later.
    if (options.frozen) this.freeze(options.startAt);
  }

  /** Milliseconds since the Unix epoch, emulator time. */
  now(): number {
    return this.frozenAt ?? Date.now() + this.offsetMs;
  }

  nowDate(): Date {
    return new Date(this.now());
  }

  get frozen(): boolean {
    return this.frozenAt !== null;
  }

  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward: advance by a non-negative number of ms');
    if (this.frozenAt !== null) this.frozenAt += ms;
    else this.offsetMs += ms;
    return this.now();
  }

  /** Jumps to a given instant (forwards or backwards); a frozen clock stays frozen there. */
  set(at: Date | number | string): number {
    const target = toMs(at);
    if (this.frozenAt !== null) this.frozenAt = target;
    else this.offsetMs = target - Date.now();
    return this.now();
  }

  /** Stops time, at `at` if given, else where it is. */
  freeze(at?: Date | number | string): number {
    this.frozenAt = at === undefined ? this.now() : toMs(at);
    return this.frozenAt;
  }

  /** Lets time run again from where it was frozen. */
  unfreeze(): number {
    if (this.frozenAt !== null) {
      this.offsetMs = this.frozenAt - Date.now();
      this.frozenAt = null;
    }
    return this.now();
  }

  toJSON(): { now: string; frozen: boolean } {
    return { now: new Date(this.now()).toISOString(), frozen: this.frozen };
  }
}

function toMs(at: Date | number | string): number {
  const ms = at instanceof Date ? at.getTime() : typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(ms)) throw new RangeError(`not a valid instant: ${String(at)}`);
  return ms;
}

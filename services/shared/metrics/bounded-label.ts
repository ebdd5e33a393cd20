/**
 * A label whose values come from outside (a client's operation name, an error code) kept to a small
 * set: the first `max` distinct values that pass `accept` are used as they are, anything else becomes
 * `other`. Prometheus keeps one series per label value for good, so an unbounded label is a memory leak
 * an anonymous client could drive.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(
    private readonly max: number,
    private readonly accept: (value: string) => boolean,
  ) {}

  /** The label of a value, admitting it while there is room; `admit: false` only reads the values admitted before. */
  of(value: string, admit = true): string {
    if (this.seen.has(value)) return value;
    if (!admit || !this.accept(value) || this.seen.size >= this.max) return 'other';
    this.seen.add(value);
    return value;
  }
}

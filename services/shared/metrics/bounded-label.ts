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

  of(value: string): string {
    if (this.seen.has(value)) return value;
    if (!this.accept(value) || this.seen.size >= this.max) return 'other';
    this.seen.add(value);
    return value;
  }
}

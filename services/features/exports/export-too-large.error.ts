/**
 * A personal export that would be larger than one user may keep (EXPORT_MAX_USER_BYTES): it stops before
 * it passes the cap and fails once, not retried (another attempt writes the same bytes).
 */
export class ExportTooLargeError extends Error {
  constructor(maxUserBytes: number) {
    super(
      `The export would be larger than the ${maxUserBytes} bytes one listener may keep (EXPORT_MAX_USER_BYTES): nothing was kept. Ask for a smaller format (CSV is the smallest), or ask the operator to raise the limit.`,
    );
    this.name = 'ExportTooLargeError';
  }
}

/** Every BullMQ queue of Playlog, in one place. */
export const QUEUE_NAMES = {
  poll: 'poll',
  /** Streaming-history imports (services/worker/import). */
  import: 'import',
} as const;

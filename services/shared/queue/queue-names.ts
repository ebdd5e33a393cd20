/** Every BullMQ queue of Playlog, in one place. */
export const QUEUE_NAMES = {
  poll: 'poll',
} as const;

import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * A Prometheus registry of one process, with Node's default process metrics (CPU, memory, event loop,
 * GC) prefixed like Playlog's own. One per process rather than prom-client's global registry, so that
 * tests can run an API and a worker side by side in one process without their metrics colliding.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

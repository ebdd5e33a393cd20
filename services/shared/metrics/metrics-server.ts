import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../logging/logger.js';

/** A probe of the process: `ok` false answers 503 with the reasons. */
export interface ProbeResult {
  ok: boolean;
  status: string;
  checks: Record<string, string>;
}

export interface MetricsServerOptions {
  host: string;
  /** 0: any free port (tests); the port taken is returned. */
  port: number;
  /** Null: metrics are off (METRICS_ENABLED=false) and /metrics answers 404; the probes stay. */
  registry: Registry | null;
  logger: Logger;
  /** Extra GET endpoints on the same port (the worker's /healthz and /readyz). */
  probes?: Record<string, () => Promise<ProbeResult> | ProbeResult>;
}

export interface RunningMetricsServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * `/metrics` in Prometheus' text format on a port of its own, apart from the public one: a scrape
 * needs no session, and what the metrics reveal (traffic, queue depths, user counts) is for operators,
 * so the port is not in any Service or Ingress unless an operator puts it there.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<RunningMetricsServer> {
  const { registry, logger } = options;
  const probes = options.probes ?? {};
  const server = createServer((req, res) => {
    void answer(req, res).catch((error: unknown) => {
      logger.warn({ err: error }, `metrics endpoint failed: ${(error as Error).message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('metrics could not be collected\n');
    });
  });
  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics' && registry) {
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(body);
      return;
    }
    const probe = path ? probes[path] : undefined;
    if (probe) {
      const result = await probe();
      res.writeHead(result.ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ status: result.status, checks: result.checks }));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: this port serves ${[...(registry ? ['/metrics'] : []), ...Object.keys(probes)].join(', ')}\n`);
  };
  // Prometheus keeps its scrape connections open; without this, close() would wait for them.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url: `${url}/metrics` }, 'metrics listening');
  return {
    port,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

/** What a bare handler answers: a status and a JSON body. */
export interface BareAnswer {
  status: number;
  body: unknown;
}

/**
 * A benchmark's bare server: node:http, one process, a pg pool of the API's size, UTC sessions. `handle`
 * answers a request (undefined: 404); the server prints `{msg: listening, url}` once it listens and ends on SIGTERM.
 */
export function serveBare(listening: string, handle: (pool: pg.Pool) => (req: IncomingMessage, body: Buffer) => Promise<BareAnswer> | undefined): void {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_MAX ?? 10), options: '-c TimeZone=UTC' });
  const answer = handle(pool);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const answered = answer(req, Buffer.concat(chunks));
      if (!answered) {
        res.writeHead(404).end();
        return;
      }
      answered.then(
        ({ status, body }) => {
          const json = JSON.stringify(body);
          res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) }).end(json);
        },
        (error: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
        },
      );
    });
  });
  server.listen(0, '127.0.0.1', () => {
    console.log(JSON.stringify({ msg: listening, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
  process.once('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    void pool.end().finally(() => process.exit(0));
  });
}

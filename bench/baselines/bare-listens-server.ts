import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { bareListensHandler } from './bare-listens-handler.js';

/** The ListenBrainz benchmark's bare server: node:http around bareListensHandler at POST /1/submit-listens, one process, the API's pool size. */
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_MAX ?? 10), options: '-c TimeZone=UTC' });
const submitListens = bareListensHandler(pool);

const server = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/1/submit-listens') {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    submitListens(req.headers.authorization, Buffer.concat(chunks)).then(
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
  console.log(JSON.stringify({ msg: 'bare listens server listening', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
});
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end().finally(() => process.exit(0));
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { bareHistoryHandler } from './bare-history-handler.js';

/** The history benchmark's bare server: node:http around bareHistoryHandler, one process, the API's pool size. */
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_MAX ?? 10), options: '-c TimeZone=UTC' });
const history = bareHistoryHandler(pool);

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://bench');
  const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
  if (url.pathname !== '/history') {
    res.writeHead(404).end();
    return;
  }
  history(token, url).then(
    ({ status, body }) => {
      const json = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) }).end(json);
    },
    (error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    },
  );
});
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ msg: 'bare history server listening', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
});
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end().finally(() => process.exit(0));
});

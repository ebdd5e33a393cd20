import { bareHistoryHandler } from './bare-history-handler.js';
import { serveBare } from './bare-server.js';

/** The history benchmark's bare server: bareHistoryHandler at /history. */
serveBare('bare history server listening', (pool) => {
  const history = bareHistoryHandler(pool);
  return (req) => {
    const url = new URL(req.url ?? '/', 'http://bench');
    if (url.pathname !== '/history') return undefined;
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    return history(token, url);
  };
});

import { bareListensHandler } from './bare-listens-handler.js';
import { serveBare } from './bare-server.js';

/** The ListenBrainz benchmark's bare server: bareListensHandler at POST /1/submit-listens. */
serveBare('bare listens server listening', (pool) => {
  const submitListens = bareListensHandler(pool);
  return (req, body) => (req.method === 'POST' && req.url === '/1/submit-listens' ? submitListens(req.headers.authorization, body) : undefined);
});

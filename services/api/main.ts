import 'reflect-metadata';
import { runService } from '../shared/runtime/run-service.js';
import { loadApiConfig } from './config.js';
import { startApiServer } from './start-api-server.js';

const USAGE = `usage: playlog api

The GraphQL API (/graphql), the web app, login (/auth/*), uploads and downloads, /healthz and /readyz, and
the job dashboard when ADMIN_PASSWORD is set. Listens on API_HOST:API_PORT, metrics on API_METRICS_PORT.
SIGTERM: in-flight requests finish (API_SHUTDOWN_GRACE_SECONDS), then it exits 0.
Configuration: the environment (README.md, "Configuration"; docs/api.md).`;

/** `npm run start:api`: the GraphQL API. SIGTERM stops it gracefully (in-flight requests finish). */
runService('api', async () => {
  const api = await startApiServer(loadApiConfig());
  return () => api.stop();
}, { usage: USAGE });

import 'reflect-metadata';
import { runService } from '../shared/runtime/run-service.js';
import { loadApiConfig } from './config.js';
import { startApiServer } from './start-api-server.js';

/** `npm run start:api`: the GraphQL API. SIGTERM stops it gracefully (in-flight requests finish). */
runService('api', async () => {
  const api = await startApiServer(loadApiConfig());
  return () => api.stop();
});

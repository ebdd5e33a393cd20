import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Where `npm run web:dev` sends the API's paths: the API of `npm run start:api` (or the demo) by default. */
const api = process.env.PLAYLOG_API_URL ?? 'http://127.0.0.1:4000';
// The ListenBrainz API too (at /listenbrainz and /1/), so that the URLs the Account page shows work against the dev server.
const apiPaths = ['/graphql', '/auth', '/imports', '/exports', '/listenbrainz', '/1/', '/healthz', '/readyz'];

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Hashed names under assets/: the API caches them for a year, index.html never.
    assetsDir: 'assets',
    chunkSizeWarningLimit: 1200,
  },
  server: {
    host: '127.0.0.1',
    port: Number(process.env.WEB_DEV_PORT ?? 5173),
    strictPort: true,
    // The session cookie is the API's: the dev server passes the API's paths through, so it is sent as in production.
    proxy: Object.fromEntries(apiPaths.map((path) => [path, { target: api, changeOrigin: false }])),
  },
});

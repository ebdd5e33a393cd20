import { defineConfig } from '@playwright/test';
import { CHROMIUM, WEB_STACK } from './stack-settings.js';

/**
 * The web app in a real browser: Debian's Chromium (browsers cannot be downloaded here), driven by
 * Playwright against the real API, worker, scheduler and Spotify emulator that test/web/stack.ts starts.
 *   npm run test:web
 */
export default defineConfig({
  testDir: '.',
  testMatch: /.*\.spec\.ts$/,
  outputDir: '../../test-results/web',
  // One browser at a time: the machine has two cores, and the stack's processes need them too.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  use: {
    baseURL: WEB_STACK.apiUrl,
    // Not UTC, so that a test sees the app default a new listener to the browser's zone.
    timezoneId: 'Europe/Paris',
    locale: 'en-GB',
    browserName: 'chromium',
    launchOptions: { executablePath: CHROMIUM, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: 'node --import tsx test/web/stack.ts',
    cwd: '../..',
    url: `${WEB_STACK.apiUrl}/readyz`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 20_000 },
  },
});

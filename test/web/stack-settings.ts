/** Where the web suite's stack listens: fixed per run, so that Playwright's config and its tests agree. */
const apiPort = Number(process.env.WEB_TEST_API_PORT ?? 4310);
const emulatorPort = Number(process.env.WEB_TEST_EMULATOR_PORT ?? 4311);

export const WEB_STACK = {
  apiPort,
  emulatorPort,
  apiUrl: `http://127.0.0.1:${apiPort}`,
  emulatorUrl: `http://127.0.0.1:${emulatorPort}`,
  /** Synthetic listeners: each test signs in as one of its own, so tests never share an account. */
  listeners: 13,
} as const;

/** Debian's Chromium (`apt-get install chromium`; scripts/browser-tools.sh): the binary, not its shell wrapper. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';

import type { LogLine } from '../support/child-service.js';
import { startPollRig } from '../support/poll-rig.js';
import { atLeastRatioRow, formatNumber, infoRow } from '../support/results-table.js';
import type { Scenario } from '../support/scenario.js';
import { pollCycle } from './poll-cycle.bench.js';

const SIZES = { small: { users: 100 }, default: { users: Number(process.env.BENCH_POLL_USERS ?? 10_000) } };
const CONCURRENCY = Number(process.env.BENCH_POLL_CONCURRENCY ?? 32);
/** Far more often than a real Prometheus (15–30 s): whatever a scrape costs shows, at its worst. */
const SCRAPE_EVERY_MS = 1_000;

/** Scrapes every worker's /metrics every second until stopped, as Prometheus would; counts the scrapes and their time. */
function scraper(stats: { scrapes: number; ms: number; bytes: number }) {
  return (readyLines: LogLine[]) => {
    const urls = readyLines.map((line) => String(line.metrics));
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        const startedAt = performance.now();
        for (const url of urls) {
          const response = await fetch(url);
          if (!response.ok) throw new Error(`${url} answered ${response.status}`);
          stats.bytes += (await response.text()).length;
          stats.scrapes++;
        }
        stats.ms += performance.now() - startedAt;
        await new Promise((resolve) => setTimeout(resolve, SCRAPE_EVERY_MS));
      }
    })();
    return async () => {
      stopped = true;
      await loop;
    };
  };
}

/**
 * The poll cycle of `poll-cycle` with the worker's metrics on (every instrument counting, /metrics
 * scraped every second) and off (METRICS_ENABLED=false: no instrument, no gauge, no scrape), in the
 * same run on the same rig, alternating so that neither gets the warmer machine.
 */
export const pollCycleMetricsScenario: Scenario = {
  name: 'poll-cycle-metrics',
  title: 'poll cycle with the worker’s Prometheus metrics on (scraped every second) and off',
  async run(context) {
    const { users } = SIZES[context.size];
    context.log(`starting the emulator with ${users.toLocaleString('en-US')} users and storing their credentials`);
    const rig = await startPollRig(context, { label: 'poll_cycle_metrics', users, latencyMs: 0 });
    const scrapeStats = { scrapes: 0, ms: 0, bytes: 0 };
    const rates = { on: [] as number[], off: [] as number[] };
    let failed = 0;
    for (const round of [1, 2]) {
      for (const mode of round === 1 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
        context.log(`round ${round}: metrics ${mode}`);
        const cycle = await pollCycle(context, rig, 1, CONCURRENCY, {
          label: `metrics-${mode}-${round}`,
          env: { METRICS_ENABLED: mode === 'on' ? 'true' : 'false' },
          ...(mode === 'on' ? { beside: scraper(scrapeStats) } : {}),
        });
        rates[mode].push(cycle.pollsPerSecond);
        failed += cycle.failed;
      }
    }
    if (failed > 0) throw new Error(`${failed} polls failed`);
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    return {
      rows: [
        atLeastRatioRow({ figure: 'poll cycle, metrics on and scraped every second', value: mean(rates.on), unit: 'polls/s', baselineName: 'metrics off', baselineValue: mean(rates.off), minRatio: 0.95 }),
        infoRow('each cycle (polls/s)', `on: ${rates.on.map(formatNumber).join(', ')}`, `off: ${rates.off.map(formatNumber).join(', ')}`),
        infoRow('scrapes during the "on" cycles', `${scrapeStats.scrapes}, ${formatNumber(scrapeStats.ms / Math.max(1, scrapeStats.scrapes))} ms and ${formatNumber(scrapeStats.bytes / Math.max(1, scrapeStats.scrapes) / 1024)} KiB each`),
      ],
      notes: [
        `${users.toLocaleString('en-US')} users, 1 worker process, WORKER_CONCURRENCY=${CONCURRENCY}; the cycle of the poll-cycle scenario (one scheduler run, every user polled), twice per mode in the order off, on, on, off`,
        'on: every instrument counts (jobs, Spotify requests, plays, token refreshes, poll lag) and /metrics is scraped every second, which reads the queue, user and scheduler gauges (the user gauges cached for METRICS_CACHE_SECONDS); off: METRICS_ENABLED=false, no instrument, no gauge, no scrape',
      ],
    };
  },
};

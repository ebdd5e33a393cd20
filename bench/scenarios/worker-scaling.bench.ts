import { benchPrefix, benchRedis } from '../support/bench-redis.js';
import { startPollRig, type PollRig } from '../support/poll-rig.js';
import { atLeastRatioRow, checkRow, formatNumber, infoRow } from '../support/results-table.js';
import type { Scenario, ScenarioContext } from '../support/scenario.js';

const LATENCY_MS = 100;
const SIZES = {
  small: { users: 100, jobs: { 1: 10, 20: 100 } },
  default: { users: 2_000, jobs: { 1: 120, 20: 2_000 } },
};

/** `jobs` polls enqueued at once for one worker process at `concurrency`; polls/s from enqueue to the last done. */
async function measure(context: ScenarioContext, rig: PollRig, concurrency: 1 | 20, jobs: number) {
  const redis = await benchRedis(context);
  await rig.reset();
  const prefix = benchPrefix(context, redis, `scaling-${concurrency}`);
  const [worker] = await rig.startWorkers(1, { prefix, concurrency, label: `scaling${concurrency}` });
  const since = new Date();
  context.log(`concurrency ${concurrency}: ${jobs} polls, ${LATENCY_MS} ms added to each Spotify call`);
  await rig.enqueuePolls(prefix, rig.userIds.slice(0, jobs));
  const done = await rig.waitUntilPolled(since, 600_000, jobs);
  await worker!.service.stop();
  return { pollsPerSecond: (jobs / (done.lastAt - since.getTime())) * 1000, failed: done.failed };
}

export const workerScalingScenario: Scenario = {
  name: 'worker-scaling',
  title: `worker scaling: Spotify ${LATENCY_MS} ms away, concurrency 20 against 1`,
  async run(context) {
    const size = SIZES[context.size];
    const rig = await startPollRig(context, { label: 'worker_scaling', users: size.users, latencyMs: LATENCY_MS });
    const one = await measure(context, rig, 1, size.jobs[1]);
    const twenty = await measure(context, rig, 20, size.jobs[20]);
    return {
      rows: [
        atLeastRatioRow({
          figure: 'one worker process, WORKER_CONCURRENCY=20',
          value: twenty.pollsPerSecond,
          unit: 'polls/s',
          baselineName: 'concurrency 1',
          baselineValue: one.pollsPerSecond,
          minRatio: 10,
        }),
        infoRow('ceiling if the worker only waited on Spotify', `${formatNumber(20_000 / LATENCY_MS)} polls/s at 20`, `${formatNumber(1_000 / LATENCY_MS)} polls/s at 1`),
        checkRow({ figure: 'failed polls', measured: `${one.failed + twenty.failed}`, target: '0', pass: one.failed + twenty.failed === 0 }),
      ],
      notes: [`${size.jobs[1]} polls at concurrency 1, ${size.jobs[20].toLocaleString('en-US')} at 20; polls enqueued directly (as requestSync does), limiter off`],
    };
  },
};

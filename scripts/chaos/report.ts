import type { Child } from '../support/children.js';
import type { ApiReport } from './api-probe.js';
import type { Verification } from './checks.js';
import { FAULT_KINDS, type FaultKind } from './fault-plan.js';
import type { ChaosOptions } from './options.js';

/** The run's report: faults injected, plays against the truth, what the jobs went through, leaks, verdict. */
export function formatReport(parts: {
  options: ChaosOptions;
  listeners: number;
  injected: Map<FaultKind, number>;
  emulatorFaults: Record<string, number>;
  verification: Verification;
  api: ApiReport;
  revoked: string | undefined;
  unexpectedExits: Array<{ child: Child; code: number | null; tail: string }>;
  notes: string[];
}): { text: string; passed: boolean } {
  const { options, verification: v } = parts;
  const count = (pattern: RegExp) => (v.workerLog.match(pattern) ?? []).length;
  const failures = [...v.failures];
  if (parts.api.stackTraces) failures.push(`${parts.api.stackTraces} API answer(s) showed a stack trace`);
  if (parts.api.finalFailures.length) failures.push(`the API did not serve after the faults: ${parts.api.finalFailures.slice(0, 3).join('; ')}`);

  const lines: string[] = [];
  lines.push('', `Chaos run — seed ${options.seed}, ${options.minutes} min of faults, ${parts.listeners} listeners, emulator clock ×${options.speed}, ${new Date().toISOString()}`, '');
  lines.push('| fault | injected |', '|---|---|');
  for (const kind of FAULT_KINDS) lines.push(`| ${kind} | ${parts.injected.get(kind) ?? 0} |`);
  lines.push('', `Emulator-side fault events: ${Object.entries(parts.emulatorFaults).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`, '');
  lines.push('| plays | count |', '|---|---|');
  lines.push(`| expected (retrievable while polling worked) | ${v.totals.expected} |`);
  lines.push(`| stored | ${v.totals.stored} |`);
  lines.push(`| missing | ${v.totals.missing} |`);
  lines.push(`| duplicated | ${v.totals.duplicated} |`);
  lines.push(`| stored but not in the ground truth | ${v.totals.unexpected} |`);
  lines.push(`| lost to the 50-play window (outage too long) | ${v.totals.lostToWindow} |`);
  lines.push(`| older than the window at first login (not expected) | ${v.totals.beforeLogin} |`, '');
  lines.push('| jobs | count |', '|---|---|');
  lines.push(`| attempts failed and retried | ${count(/"msg":"poll failed: [^"]*will retry/g)} |`);
  lines.push(`| attempts that gave up (job to the failed set) | ${count(/"msg":"poll failed[^"]*(giving up|not retried)/g)} |`);
  lines.push(`| users marked reauth_required | ${count(/"msg":"user marked reauth_required/g)} |`);
  lines.push(`| polls that refreshed the access token (rotation) | ${count(/"tokenRefreshed":true/g)} |`);
  lines.push(`| paused by a 429 (no attempt used) | ${count(/"msg":"Spotify (rate limit|says this app's request quota)/g)} |`);
  lines.push(`| stalled (worker killed) and run again | ${count(/job stalled/g)} |`);
  lines.push(`| in the failed set at the end | ${v.failed.length} |`);
  lines.push(`| stuck active at the end | ${v.active} |`, '');
  for (const [reason, n] of v.failedByReason) lines.push(`  failed ×${n}: ${reason}`);
  lines.push(`API probes during faults: ${parts.api.total} requests, ${parts.api.ok} answered 200, ${parts.api.unavailable} 5xx/unreachable, ${parts.api.stackTraces} with a stack trace`);
  lines.push(
    `Secrets checked: ${v.secrets.count} (client secret, codes, access and refresh tokens, verifiers, session tokens) in ${v.secrets.places} places: ${v.secrets.leaks ? `${v.secrets.leaks} LEAKED` : 'none found'}`,
  );
  if (parts.revoked) lines.push(`Revoked user ${parts.revoked}: ${v.userStatus.get(parts.revoked)}`);
  for (const { child, code, tail } of parts.unexpectedExits) lines.push(`Exited on its own, restarted as Kubernetes would: ${child.name} (code ${code}): ${tail}`);
  for (const note of [...parts.notes, ...v.notes]) lines.push(`Note: ${note}`);
  lines.push('', failures.length ? `FAILED (${failures.length}):\n${failures.map((f) => `  - ${f}`).join('\n')}` : 'PASSED: nothing lost, nothing duplicated, nothing leaked.');
  return { text: lines.join('\n'), passed: failures.length === 0 };
}

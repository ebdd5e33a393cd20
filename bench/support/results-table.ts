/**
 * One line of a scenario's table: a figure, the baseline measured beside it in the same run, their
 * ratio and the target. Absolute numbers drift on shared machines; ratios are what targets hold to.
 */
export interface ResultRow {
  figure: string;
  measured: string;
  baseline: string;
  ratio: string;
  target: string;
  /** true = target met, false = missed, null = reported only (no target). */
  pass: boolean | null;
}

export interface ScenarioResult {
  scenario: string;
  title: string;
  rows: ResultRow[];
  /** Context a reader needs: sizes, settings, caveats. */
  notes: string[];
  seconds: number;
}

const num = (value: number, digits = 0) =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : String(value);

/** Human formatting: 12,345 for big numbers, 3 significant digits for small ones. */
/** A latency for the table; a point where nothing was answered within its window of `seconds` says so. */
export const formatLatency = (ms: number, seconds: number) => (Number.isFinite(ms) ? `${formatNumber(ms)} ms` : `> ${seconds} s (none answered)`);

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return num(value, 0);
  if (magnitude >= 10) return num(value, 1);
  if (magnitude >= 1) return num(value, 2);
  return value === 0 ? '0' : value.toPrecision(2);
}

/**
 * A ratio for the table, rounded towards the side that fails (down for "at least", up for "at most"),
 * so 0.495 against "≥ 0.5×" reads 0.49×, never a 0.50× marked MISS.
 */
export function formatRatio(ratio: number, round: 'down' | 'up' | 'nearest' = 'nearest'): string {
  if (!Number.isFinite(ratio)) return '—';
  const digits = ratio >= 10 ? 1 : 2;
  const scale = 10 ** digits;
  const rounded = round === 'down' ? Math.floor(ratio * scale) / scale : round === 'up' ? Math.ceil(ratio * scale) / scale : ratio;
  return `${rounded.toFixed(digits)}×`;
}

/** figure ≥ minRatio × baseline (higher is better). */
export function atLeastRatioRow(args: { figure: string; value: number; unit: string; baselineName: string; baselineValue: number; minRatio: number | null }): ResultRow {
  const ratio = args.value / args.baselineValue;
  return {
    figure: args.figure,
    measured: `${formatNumber(args.value)} ${args.unit}`,
    baseline: `${args.baselineName}: ${formatNumber(args.baselineValue)} ${args.unit}`,
    ratio: formatRatio(ratio, 'down'),
    target: args.minRatio === null ? '—' : `≥ ${args.minRatio}×`,
    pass: args.minRatio === null ? null : ratio >= args.minRatio,
  };
}

/** figure ≤ maxRatio × baseline (lower is better: latencies, bytes, RSS). */
export function atMostRatioRow(args: { figure: string; value: number; unit: string; baselineName: string; baselineValue: number; maxRatio: number | null }): ResultRow {
  const ratio = args.value / args.baselineValue;
  return {
    figure: args.figure,
    measured: `${formatNumber(args.value)} ${args.unit}`,
    baseline: `${args.baselineName}: ${formatNumber(args.baselineValue)} ${args.unit}`,
    ratio: formatRatio(ratio, 'up'),
    target: args.maxRatio === null ? '—' : `≤ ${args.maxRatio}×`,
    pass: args.maxRatio === null ? null : ratio <= args.maxRatio,
  };
}

/** An absolute check (a count, a threshold) with no baseline ratio. */
export function checkRow(args: { figure: string; measured: string; target: string; pass: boolean; baseline?: string }): ResultRow {
  return { figure: args.figure, measured: args.measured, baseline: args.baseline ?? '—', ratio: '—', target: args.target, pass: args.pass };
}

/** A figure reported for context, with no target. */
export function infoRow(figure: string, measured: string, baseline = '—', ratio = '—'): ResultRow {
  return { figure, measured, baseline, ratio, target: '—', pass: null };
}

const verdict = (pass: boolean | null) => (pass === null ? '' : pass ? 'pass' : 'MISS');

const HEADER = ['figure', 'measured', 'baseline (same run)', 'ratio', 'target', 'result'];
const cells = (row: ResultRow) => [row.figure, row.measured, row.baseline, row.ratio, row.target, verdict(row.pass)];

/** A plain-text table for the terminal. */
export function renderText(result: ScenarioResult): string {
  const lines = [HEADER, ...result.rows.map(cells)];
  const widths = HEADER.map((_, column) => Math.max(...lines.map((line) => line[column]!.length)));
  const format = (line: string[]) => line.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [
    `== ${result.scenario}: ${result.title} (${result.seconds.toFixed(0)} s)`,
    format(HEADER),
    rule,
    ...result.rows.map((row) => format(cells(row))),
    ...result.notes.map((note) => `   · ${note}`),
  ].join('\n');
}

const escapeCell = (cell: string) => cell.replaceAll('|', '\\|');

/** The same table as markdown, for docs/benchmarks.md. */
export function renderMarkdown(result: ScenarioResult): string {
  return [
    `### ${result.scenario}: ${result.title}`,
    '',
    `| ${HEADER.join(' | ')} |`,
    `| ${HEADER.map(() => '---').join(' | ')} |`,
    ...result.rows.map((row) => `| ${cells(row).map(escapeCell).join(' | ')} |`),
    '',
    ...result.notes.map((note) => `- ${note}`),
    ...(result.notes.length ? [''] : []),
    `(${result.seconds.toFixed(0)} s)`,
  ].join('\n');
}

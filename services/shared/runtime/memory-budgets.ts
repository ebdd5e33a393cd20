/**
 * The memory of each process the image runs as a container, declared once: the container's memory limit (the
 * chart's `resources.limits.memory`, compose's `mem_limit`) and the V8 old space the launcher gives node inside
 * it (`--max-old-space-size`), so that V8 collects its garbage before the container runs out (sized by V8 from a
 * large host, a heap can outgrow any limit).
 *
 * The launcher (scripts/playlog: shell, for the image holds no TypeScript and a start must not wait for a second
 * node), the chart's values and docker-compose.yml carry copies written by `npm run deploy:generate`; the API's
 * and the worker's configuration take their heap variable's default from here (docs/deploy.md, "Where
 * deployment facts come from").
 */
export interface MemoryBudget {
  /** The container's memory limit, in MiB. */
  readonly limitMiB: number;
  /** V8's old space, in MiB. */
  readonly heapMiB: number;
  /** The variable that replaces heapMiB (0: Node sizes the heap itself); without one, the heap is fixed. */
  readonly heapVariable?: string;
  /**
   * V8's heap growing factor, as a percentage above 1 (`--heap-growing-percent`). Below a large heap V8 lowers
   * the factor with the heap's limit, and a busy process then spends its time in full collections (the history
   * benchmark's API at 32 connections: many times the full collections, docs/benchmarks.md): the factor V8 gives a large
   * heap keeps collections as rare as without a limit, while the limit still bounds the heap.
   */
  readonly heapGrowingPercent?: number;
  /** MALLOC_ARENA_MAX unless the environment sets it: glibc gives each thread an arena and keeps what was freed in it. */
  readonly mallocArenas?: number;
}

export const MEMORY_BUDGETS = {
  // Three quarters: a page of history or statistics is garbage as soon as it is sent, and V8 collects it in time.
  api: { limitMiB: 512, heapMiB: 384, heapVariable: 'API_MAX_OLD_SPACE_MB', heapGrowingPercent: 300 },
  // Half: unbounded on a large host, V8 lets an import's garbage pile up far past the live heap (docs/import.md, "Memory").
  worker: { limitMiB: 512, heapMiB: 256, heapVariable: 'WORKER_MAX_OLD_SPACE_MB' },
  // Half, fixed: what they hold is small and bounded by batches.
  scheduler: { limitMiB: 384, heapMiB: 192 },
  migrate: { limitMiB: 384, heapMiB: 192 },
  emulator: { limitMiB: 256, heapMiB: 128 },
  // Near what it uses (docs/benchmarks.md, lake-export): left alone, V8 lets the garbage of streaming millions of
  // rows pile up, and glibc keeps what DuckDB's threads freed in arenas of their own.
  'lake-export': { limitMiB: 512, heapMiB: 128, mallocArenas: 2 },
} as const satisfies Record<string, MemoryBudget>;

export type BudgetedCommand = keyof typeof MEMORY_BUDGETS;

/** The smallest heap a heap variable may ask for (0 aside, which leaves the sizing to Node). */
export const MIN_HEAP_MIB = 128;

/** The budget of a command of `playlog`, or undefined for one that runs with Node's own heap (the operator tasks). */
export function memoryBudgetOf(command: string): MemoryBudget | undefined {
  return Object.hasOwn(MEMORY_BUDGETS, command) ? MEMORY_BUDGETS[command as BudgetedCommand] : undefined;
}

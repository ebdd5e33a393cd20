import { benchDatabaseName, cloneDatabase, dropDatabase } from './bench-database.js';
import { PRELOAD_SIZES, createPreloadedDatabase } from './preloaded-history.js';
import type { ScenarioContext } from './scenario.js';

/**
 * The preloaded history (10M+ plays at the default size) is built once per run and cloned by each
 * scenario that needs it (a file copy: seconds), so two scenarios do not pay the load twice.
 * The runner drops the templates at the end of the run (dropSharedDatabases).
 */
const templates = new Map<string, Promise<string>>();

async function preloadedTemplate(context: ScenarioContext): Promise<string> {
  const key = `preloaded_${context.size}`;
  let template = templates.get(key);
  if (!template) {
    const name = benchDatabaseName(context.runId, `${key}_template`);
    context.log(`building the preloaded history template ${name} (once per run)`);
    template = createPreloadedDatabase(name, PRELOAD_SIZES[context.size], context.log).then(() => name);
    templates.set(key, template);
  }
  return template;
}

/** A database of the scenario's own holding the preloaded history; dropped when the scenario ends. */
export async function clonePreloadedDatabase(context: ScenarioContext, label: string): Promise<{ name: string; url: string }> {
  const template = await preloadedTemplate(context);
  const name = benchDatabaseName(context.runId, label);
  const started = Date.now();
  const url = await cloneDatabase(template, name);
  context.defer(() => dropDatabase(name));
  context.log(`cloned ${template} into ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return { name, url };
}

export async function dropSharedDatabases(): Promise<void> {
  const names = await Promise.allSettled([...templates.values()]);
  templates.clear();
  for (const name of names) if (name.status === 'fulfilled') await dropDatabase(name.value);
}

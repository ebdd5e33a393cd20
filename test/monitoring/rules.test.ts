import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PROMTOOL, RULES_FILE, requirePrometheus } from '../support/prometheus.js';

const available = requirePrometheus();

describe.skipIf(!available)('the alert rules', () => {
  it('are valid rules (promtool check rules)', () => {
    const checked = spawnSync(PROMTOOL, ['check', 'rules', RULES_FILE], { encoding: 'utf8' });
    expect(checked.stdout + checked.stderr).toContain('SUCCESS: 7 rules found');
    expect(checked.status).toBe(0);
  });

  it('fire, and stay quiet, as their unit tests say (promtool test rules)', () => {
    const tested = spawnSync(PROMTOOL, ['test', 'rules', 'playlog-rules.test.yaml'], { cwd: 'test/monitoring', encoding: 'utf8' });
    expect(tested.stdout + tested.stderr).toContain('SUCCESS');
    expect(tested.status, tested.stdout + tested.stderr).toBe(0);
  });

  it('are what docker compose’s monitoring profile loads (promtool check config)', async () => {
    const { mkdtemp, readFile, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'playlog-promconfig-'));
    try {
      // The compose file mounts the rules at this path; here they are read where they are.
      const config = (await readFile('scripts/monitoring/prometheus.compose.yml', 'utf8')).replace('/etc/prometheus/playlog-rules.yaml', RULES_FILE);
      await writeFile(join(dir, 'prometheus.yml'), config);
      const checked = spawnSync(PROMTOOL, ['check', 'config', join(dir, 'prometheus.yml')], { encoding: 'utf8' });
      expect(checked.status, checked.stdout + checked.stderr).toBe(0);
      expect(checked.stdout + checked.stderr).toContain('SUCCESS: 7 rules found');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('every alert has a unit test that fires it and one that does not', async () => {
    const { parse } = await import('yaml');
    const { readFileSync } = await import('node:fs');
    const rules = parse(readFileSync(RULES_FILE, 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; annotations: Record<string, string> }> }> };
    const tests = parse(readFileSync('test/monitoring/playlog-rules.test.yaml', 'utf8')) as {
      tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
    };
    const cases = tests.tests.flatMap((test) => test.alert_rule_test);
    const operations = readFileSync('docs/operations.md', 'utf8');
    for (const rule of rules.groups.flatMap((group) => group.rules)) {
      const mine = cases.filter((one) => one.alertname === rule.alert);
      expect(mine.some((one) => one.exp_alerts.length > 0), `${rule.alert} fires in a test`).toBe(true);
      expect(mine.some((one) => one.exp_alerts.length === 0), `${rule.alert} stays quiet in a test`).toBe(true);
      // Its runbook: a section of docs/operations.md whose heading is the alert's name.
      expect(rule.annotations.runbook_url).toBe(`docs/operations.md#${rule.alert.toLowerCase()}`);
      expect(operations, `docs/operations.md has a runbook for ${rule.alert}`).toMatch(new RegExp(`^### ${rule.alert}$`, 'm'));
    }
  });
});

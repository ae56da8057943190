/**
 * Round trip: what this tool synthesizes for a stage, read back from Datadog
 * (the API JSON the provider's requests make, test/import/datadog-api.ts) and
 * imported, synthesizes the same monitors, SLOs and dashboards: the imported
 * team files are equivalent definitions, adopted (import blocks) rather than
 * created.
 */
import { Testing } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { StageMonitoring } from '../../constructs/monitoring/stage-monitoring';
import { importDatadog } from '../../import/import-datadog';
import { formatProblem } from '../../model/errors';
import { loadMonitoringFiles } from '../../model/monitoring/load-monitoring';
import type { MonitoringConfig } from '../../model/monitoring/types';
import type { Stage } from '../../model/stage';
import { planStage } from '../../plan/monitoring/stage-plan';
import { exampleConfig, REPO } from '../support/fixtures';
import { liveObjects } from './datadog-api';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function synth(stage: Stage, monitoring: MonitoringConfig): Json {
  return JSON.parse(Testing.synthScope((s) => void new StageMonitoring(s, 'monitoring', { plan: planStage(stage, monitoring) }))) as Json;
}

const TYPES = ['datadog_monitor', 'datadog_service_level_objective', 'datadog_dashboard_json'];
const GENERATED = /monitoring_rollout-|_slo-.*-burn-/;
const TOKEN = /\$\{(datadog_[a-z_]+\.[^.}]+)\.id\}/g;

/** Each team resource's configuration by its Datadog id, references written as Datadog ids, cdktf metadata and file names left out. */
function byDatadogId(stack: Json, idOf: (address: string) => string | undefined): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const type of TYPES) {
    for (const [name, config] of Object.entries((stack.resource?.[type] ?? {}) as Json)) {
      const id = idOf(`${type}.${name}`);
      if (id === undefined) continue;
      const text = JSON.stringify(config, (k, v) => (k === '//' ? undefined : v))
        .replace(TOKEN, (_m, addr: string) => `#${idOf(addr)}`)
        // The dashboard's "managed from <file>" note names the JSON file, whose name is the definition id.
        .replace(/from monitors\/dashboards\/[a-z0-9-]+\.json/g, 'from monitors/dashboards/<file>.json');
      out.set(id, JSON.parse(text) as Json);
    }
  }
  return out;
}

describe('import round trip on the example configuration', () => {
  const example = exampleConfig();
  const prod = example.stages.find((s) => s.name === 'prod') as Stage;
  const before = synth(prod, example.monitoring);
  const live = liveObjects(before);
  const result = importDatadog(
    [
      { file: 'monitors.json', text: JSON.stringify(live.monitors) },
      { file: 'slos.json', text: JSON.stringify({ data: live.slos, errors: null }) },
      ...live.dashboards.map((d, i) => ({ file: `dashboard-${i}.json`, text: JSON.stringify(d) })),
    ],
    { stage: 'prod' },
  );
  const files = { ...result.files, 'monitors/policy.yaml': fs.readFileSync(path.join(REPO, 'monitors/policy.yaml'), 'utf8') };
  const loaded = loadMonitoringFiles(files, { stages: example.stages.map((s) => s.name), knownTeams: example.monitoring.knownTeams });

  test("the imported files pass validation and land in the teams' files", () => {
    expect(loaded.problems.map(formatProblem)).toEqual([]);
    expect(Object.keys(result.files).filter((f) => f.endsWith('.yaml'))).toEqual(['monitors/payments.yaml', 'monitors/storefront.yaml']);
  });

  test('every team monitor, SLO and dashboard synthesizes as before, adopted by an import block; generated ones are left to the policy', () => {
    const after = synth(prod, loaded.monitoring);
    const adopted = new Map<string, string>((after.import as Array<{ id: string; to: string }>).map((i) => [i.to, i.id]));
    const original = byDatadogId(before, (a) => live.ids.get(a));
    const imported = byDatadogId(after, (a) => adopted.get(a));
    // The rollout's own monitors and dashboard (`rollout-*`) and the SLOs' burn-rate alerts come from the policy and the SLOs, not from team definitions.
    const generated = new Set([...live.ids].filter(([a]) => GENERATED.test(a)).map(([, id]) => id));
    const team = [...original.entries()].filter(([id]) => !generated.has(id));
    expect(team.length).toBe(example.monitoring.monitors.length + example.monitoring.slos.length + example.monitoring.dashboards.length);
    for (const [id, config] of team) expect({ id, config: imported.get(id) }).toEqual({ id, config });
    // Nothing team-defined is created: every team resource of the import is adopted.
    expect(imported.size).toBe(team.length);
    expect(result.adopted).toBe(team.length);
  });

  test("what was not imported is said once per object: burn-rate alerts and the rollout's own monitors and dashboard", () => {
    const texts = result.notes.map((n) => n.text);
    const generated = [...live.ids.keys()].filter((a) => GENERATED.test(a)).length;
    expect(result.counts.skipped).toBe(generated);
    expect(texts.filter((t) => t.startsWith('generated by the rollout')).length + texts.filter((t) => t.includes('"slo alert"')).length).toBe(generated);
  });
});

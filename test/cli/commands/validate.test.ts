import * as fs from 'fs';
import * as path from 'path';
import type { ValidateJson } from '../../../cli/commands/validate';
import { run } from '../../../cli/main';
import { minimalStageYaml, REPO, tempConfig } from '../../support/fixtures';

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('rollout validate --format json', () => {
  test('on success: ok, the summary line of the text output, the stages, no problems; exit 0', async () => {
    const r = await cli(['validate', '--config', REPO, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const doc = JSON.parse(r.out) as ValidateJson;
    const stages = fs.readdirSync(path.join(REPO, 'stacks', 'stages')).map((f) => f.replace(/\.ya?ml$/, ''));
    expect(doc).toEqual({ ok: true, summary: `ok: ${stages.length} stages valid`, stages: expect.arrayContaining(stages), problems: [] });
    const text = await cli(['validate', '--config', REPO]);
    expect(text.out.trim().split('\n').at(-1)).toBe(doc.summary);
  });

  test('fails when the configuration is invalid: every problem as file, line, path, got, expected; exit 1; nothing on stderr', async () => {
    const bad = minimalStageYaml('dev').replace('region: us-east-1', 'region: 42').concat('\nbogus: 1\n');
    expect(bad).toContain('region: 42');
    const dir = tempConfig({ 'dev.yaml': bad });
    const r = await cli(['validate', '--config', dir, '--format', 'json']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('');
    const doc = JSON.parse(r.out) as ValidateJson;
    expect(doc.ok).toBe(false);
    expect(doc.summary).toMatch(/^invalid (stage )?configuration: \d+ problems?$/);
    expect(doc.problems.length).toBeGreaterThanOrEqual(2);
    for (const p of doc.problems) expect(Object.keys(p).sort()).toEqual(['expected', 'file', 'got', 'line', 'path']);
    expect(doc.problems).toEqual(expect.arrayContaining([expect.objectContaining({ file: 'stacks/stages/dev.yaml', path: 'region', got: '42' })]));
    // the same problems as the text output, in the same order
    const text = await cli(['validate', '--config', dir]);
    expect(text.code).toBe(1);
    expect(
      text.err
        .split('\n')
        .slice(1)
        .map((l) => l.trim()),
    ).toEqual(doc.problems.map((p) => `${p.file}:${p.line}${p.path === '' ? '' : ` ${p.path}`}: got ${p.got}, expected ${p.expected}`));
  });
});

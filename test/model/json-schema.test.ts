import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { fieldRows, generatedMarkers, jsonSchemaOf, jsonSchemaText, SCHEMA_FILES, SchemaName, withGeneratedTables } from '../../model/json-schema';
import { REPO } from '../support/fixtures';

const NAMES = Object.keys(SCHEMA_FILES) as SchemaName[];
const DOC = path.join(REPO, 'docs', 'configuration.md');

/** Field paths of a parsed YAML value, in the reference's notation (`hosts[].name`, `stages.<stage>.enabled`); `tags` are free-form. */
function pathsOf(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => pathsOf(v, `${prefix}[]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
    if (prefix.endsWith('stages')) return pathsOf(v, `${prefix}.<stage>`);
    const key = prefix === '' ? k : `${prefix}.${k}`;
    return k === 'tags' ? [key] : [key, ...pathsOf(v, key)];
  });
}

describe('JSON Schemas of the stage and team files', () => {
  test.each(NAMES)('the committed schemas/%s.schema.json is what the zod schema generates (npm run schema)', (name) => {
    const committed = fs.readFileSync(path.join(REPO, SCHEMA_FILES[name].file), 'utf8');
    expect(committed).toBe(jsonSchemaText(name));
  });

  test.each(NAMES)('fails when a field of the %s file has no description', (name) => {
    const undescribed = fieldRows(jsonSchemaOf(name)).filter((r) => r.description.trim() === '');
    expect(undescribed.map((r) => r.path)).toEqual([]);
  });

  test('the schemas are draft-07 (what the YAML language server reads), closed (no unknown keys), with the required fields of the stage file', () => {
    const stage = jsonSchemaOf('stage');
    expect(stage.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(stage.additionalProperties).toBe(false);
    expect(stage.required).toEqual(['stage', 'region', 'owner', 'state', 'network', 'hosts']);
    expect(stage.properties?.agent?.properties?.version).toMatchObject({ default: '7.72.0', 'x-allowed': 'an Agent 7 version such as 7.72.0' });
  });

  test('a reviewer name, read as text even when YAML wrote a number, is a string of its format in the schema', () => {
    const teams = jsonSchemaOf('stage').properties?.ci?.properties?.reviewers?.properties?.teams;
    expect(teams?.items).toMatchObject({ type: 'string', 'x-allowed': expect.stringContaining('GitHub team slug') });
  });

  test('fails when the example configuration uses a field the schemas do not list (editors would flag a valid file)', () => {
    const check = (dir: string, name: SchemaName, skip: (f: string) => boolean): string[] => {
      const known = new Set(fieldRows(jsonSchemaOf(name)).map((r) => r.path));
      const files = fs.readdirSync(path.join(REPO, dir)).filter((f) => /\.ya?ml$/.test(f) && !skip(f));
      expect(files.length).toBeGreaterThan(0);
      return files.flatMap((f) =>
        pathsOf(parse(fs.readFileSync(path.join(REPO, dir, f), 'utf8')))
          .filter((p) => !known.has(p))
          .map((p) => `${f}: ${p}`),
      );
    };
    expect(check('stacks/stages', 'stage', () => false)).toEqual([]);
    expect(check('monitors', 'team', (f) => f === 'policy.yaml')).toEqual([]);
  });
});

describe('docs/configuration.md field reference', () => {
  test('the generated tables are what the schema descriptions give (npm run schema)', () => {
    const doc = fs.readFileSync(DOC, 'utf8');
    expect(doc).toBe(withGeneratedTables(doc));
  });

  test.each(NAMES)('fails when the %s table drifts from the schema', (name) => {
    const doc = fs.readFileSync(DOC, 'utf8');
    const { begin } = generatedMarkers(name);
    const stale = doc.replace(begin, `${begin}\n| \`stale\` | none | text | a row nobody generated |`);
    expect(stale).not.toBe(doc);
    expect(withGeneratedTables(stale)).toBe(doc);
  });

  test('fails when a marker of a generated section is missing', () => {
    const doc = fs.readFileSync(DOC, 'utf8');
    expect(() => withGeneratedTables(doc.replace(generatedMarkers('team').end, ''))).toThrow(/markers of the team table are missing/);
  });

  test('every field of both files has a row', () => {
    const doc = fs.readFileSync(DOC, 'utf8');
    for (const name of NAMES) for (const r of fieldRows(jsonSchemaOf(name))) expect(doc).toContain(`| \`${r.path}\` |`);
  });
});

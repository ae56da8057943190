/**
 * JSON Schemas of the stage and team files, generated from the zod schemas
 * (`z.toJSONSchema`, https://zod.dev/json-schema) with the field
 * descriptions given there, so editors complete and check the files; and
 * the field reference of docs/configuration.md, rendered from the same
 * schemas. `npm run schema` writes both (scripts/schema.ts); a test fails
 * when the committed copies drift.
 */
import { z } from 'zod';
import { TeamFileSchema } from './monitoring/schema';
import { StageFileSchema } from './stage-schema';
import { ALLOWED_KEY } from './validate';

/** A JSON Schema node (the subset the reference reads). */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly description?: string;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly pattern?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: JsonSchema | boolean;
  readonly items?: JsonSchema;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly anyOf?: readonly JsonSchema[];
  readonly [ALLOWED_KEY]?: string;
  readonly [key: string]: unknown;
}

/** The files that have a schema: where they live and what they are. */
export const SCHEMA_FILES = {
  stage: { schema: StageFileSchema, file: 'schemas/stage.schema.json', title: 'observability-rollout stage file (stacks/stages/<stage>.yaml)' },
  team: { schema: TeamFileSchema, file: 'schemas/team.schema.json', title: 'observability-rollout team file (monitors/<team>.yaml)' },
} as const;

export type SchemaName = keyof typeof SCHEMA_FILES;

/**
 * The JSON Schema of what a person writes in a `name` file: defaults make fields
 * optional. Draft-07: the YAML language server behind most editors' YAML support
 * "supports JSON Schema 7 and below" (https://github.com/redhat-developer/yaml-language-server, README).
 */
export function jsonSchemaOf(name: SchemaName): JsonSchema {
  const { schema, title } = SCHEMA_FILES[name];
  const generated = z.toJSONSchema(schema, {
    target: 'draft-07',
    io: 'input',
    // A preprocess step (a reviewer id written as a number is read as text) has no JSON Schema: describe what it feeds.
    unrepresentable: 'any',
    override: (ctx) => {
      const def = ctx.zodSchema._zod.def as unknown as { type: string; in?: { _zod: { def: { type: string } } }; out?: z.ZodType };
      if (def.type === 'pipe' && def.in?._zod.def.type === 'transform' && def.out !== undefined) {
        const out = z.toJSONSchema(def.out, { target: 'draft-07', io: 'input' }) as Record<string, unknown>;
        delete out.$schema;
        Object.assign(ctx.jsonSchema, out);
      }
    },
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, title, ...rest } as JsonSchema;
}

/** The committed text of a schema file: stable key order as generated, two-space indent, final newline. */
export function jsonSchemaText(name: SchemaName): string {
  return `${JSON.stringify(jsonSchemaOf(name), null, 2)}\n`;
}

/** One row of the field reference. */
export interface FieldRow {
  /** `state.bucket`, `hosts[].name`, `stages.<stage>.enabled`. */
  readonly path: string;
  /** What is allowed, in words. */
  readonly allowed: string;
  /** `required`, or the default as YAML would show it, or `none`. */
  readonly default: string;
  readonly description: string;
}

/** Every field of a schema, depth first in schema order. */
export function fieldRows(schema: JsonSchema): FieldRow[] {
  const rows: FieldRow[] = [];
  const walk = (node: JsonSchema, prefix: string): void => {
    const props = node.properties ?? {};
    for (const [key, child] of Object.entries(props)) {
      const path = `${prefix}${key}`;
      const required = node.required?.includes(key) ?? false;
      rows.push({ path, allowed: allowedOf(child), default: required ? 'required' : defaultOf(child), description: child.description ?? '' });
      descend(child, path);
    }
  };
  const descend = (child: JsonSchema, path: string): void => {
    if (child.properties) walk(child, `${path}.`);
    else if (child.items?.properties) walk(child.items, `${path}[].`);
    else if (typeof child.additionalProperties === 'object' && child.additionalProperties.properties) {
      walk(child.additionalProperties, `${path}.<${path.endsWith('stages') ? 'stage' : 'key'}>.`);
    }
  };
  walk(schema, '');
  return rows;
}

/** What a field allows, in the words of the error messages. */
function allowedOf(s: JsonSchema): string {
  const words = s[ALLOWED_KEY];
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(', ');
  if (typeof words === 'string') return words;
  const type = Array.isArray(s.type) ? s.type.join(' or ') : s.type;
  switch (type) {
    case 'boolean':
      return '`true` or `false`';
    case 'integer':
    case 'number':
      return `${type === 'integer' ? 'a whole number' : 'a number'}${range(s)}`;
    case 'string':
      return `text${s.maxLength !== undefined ? ` (at most ${s.maxLength} characters)` : ''}`;
    case 'array': {
      const n =
        s.minItems !== undefined && s.maxItems !== undefined ? ` of ${s.minItems}-${s.maxItems}` : s.minItems !== undefined ? ` of at least ${s.minItems}` : '';
      const item = s.items === undefined ? 'values' : s.items.properties ? 'objects' : allowedOf(s.items);
      return `an array${n}: ${item}`;
    }
    case 'object':
      if (s.properties) return 'an object';
      if (typeof s.additionalProperties === 'object') {
        return s.additionalProperties.properties ? 'an object by name' : `an object of \`key: value\` (${allowedOf(s.additionalProperties)})`;
      }
      return 'an object';
    default:
      return 'a value';
  }
}

function range(s: JsonSchema): string {
  const lo = s.exclusiveMinimum !== undefined ? `> ${s.exclusiveMinimum}` : s.minimum !== undefined ? `>= ${s.minimum}` : undefined;
  const max = s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER ? s.maximum : undefined; // zod's int() bound
  const hi = s.exclusiveMaximum !== undefined ? `< ${s.exclusiveMaximum}` : max !== undefined ? `<= ${max}` : undefined;
  if (s.minimum !== undefined && max !== undefined) return ` from ${s.minimum} to ${max}`;
  const parts = [lo, hi].filter((p) => p !== undefined);
  return parts.length === 0 ? '' : `, ${parts.join(' and ')}`;
}

function defaultOf(s: JsonSchema): string {
  if (s.default === undefined) return 'none';
  if (typeof s.default === 'object' && s.default !== null && !Array.isArray(s.default) && Object.keys(s.default).length === 0)
    return '`{}` (the defaults below)';
  return `\`${JSON.stringify(s.default).replace(/,/g, ', ')}\``;
}

/** The field reference of a schema as a Markdown table. */
export function fieldTable(name: SchemaName): string {
  const cell = (t: string): string => t.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rows = fieldRows(jsonSchemaOf(name)).map((r) => `| \`${r.path}\` | ${cell(r.default)} | ${cell(r.allowed)} | ${cell(r.description)} |`);
  return ['| field | default | allowed | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** Markers around a generated section of docs/configuration.md. */
export function generatedMarkers(name: SchemaName): { begin: string; end: string } {
  return {
    begin: `<!-- BEGIN GENERATED ${name} fields: npm run schema; edit the .describe() texts of the schema, not this table -->`,
    end: `<!-- END GENERATED ${name} fields -->`,
  };
}

/** `doc` with each generated section replaced by the current table; throws when a marker is missing. */
export function withGeneratedTables(doc: string): string {
  let out = doc;
  for (const name of Object.keys(SCHEMA_FILES) as SchemaName[]) {
    const { begin, end } = generatedMarkers(name);
    const a = out.indexOf(begin);
    const b = out.indexOf(end);
    if (a < 0 || b < a) throw new Error(`docs/configuration.md: the markers of the ${name} table are missing (${begin} ... ${end})`);
    out = `${out.slice(0, a + begin.length)}\n\n${fieldTable(name)}\n\n${out.slice(b)}`;
  }
  return out;
}

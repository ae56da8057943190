/**
 * `npm run schema`: write the JSON Schemas of the stage and team files
 * (schemas/*.schema.json) and the generated field tables of
 * docs/configuration.md from the zod schemas (model/json-schema.ts).
 * test/model/json-schema.test.ts fails when the committed copies drift.
 */
import * as fs from 'fs';
import * as path from 'path';
import { jsonSchemaText, SCHEMA_FILES, SchemaName, withGeneratedTables } from '../model/json-schema';

const root = path.resolve(__dirname, '..');
for (const name of Object.keys(SCHEMA_FILES) as SchemaName[]) {
  const file = path.join(root, SCHEMA_FILES[name].file);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, jsonSchemaText(name));
  process.stdout.write(`wrote ${SCHEMA_FILES[name].file}\n`);
}
const doc = path.join(root, 'docs', 'configuration.md');
fs.writeFileSync(doc, withGeneratedTables(fs.readFileSync(doc, 'utf8')));
process.stdout.write('wrote docs/configuration.md (generated tables)\n');

import * as fs from 'fs';
import * as path from 'path';
import { BEGIN, END, renderCliReference, withReference } from '../../cli/reference';
import { COMMANDS } from '../../cli/main';
import { REPO } from '../support/fixtures';

describe('docs/cli.md', () => {
  test('its command reference is what the commands print for --help (regenerate: npx ts-node --transpile-only cli/reference.ts)', async () => {
    const doc = fs.readFileSync(path.join(REPO, 'docs', 'cli.md'), 'utf8');
    const reference = await renderCliReference();
    expect(doc.slice(doc.indexOf(BEGIN), doc.indexOf(END) + END.length)).toBe(reference);
    for (const c of COMMANDS) expect(reference).toContain(`## rollout ${c.name}\n\n\`\`\`text\nUsage: rollout ${c.name} [options]`);
  });

  test('fails when the markers are missing', () => {
    expect(() => withReference('# CLI\n', 'x')).toThrow('docs/cli.md: the markers');
  });
});

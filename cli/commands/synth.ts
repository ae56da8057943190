import * as path from 'path';
import { CONFIG_OPTION } from '../args';
import { defineCommand } from '../command';
import { synthesize } from '../synthesize';

export const synthCommand = defineCommand({
  name: 'synth',
  summary: 'validate the configuration, synthesize every stack and write the Ansible inventories',
  description:
    'Validate the configuration, synthesize every stack into cdktf.out/ (or --out, or $CDKTF_OUTDIR) and write ' +
    'ansible/inventories/<stage>/hosts.yml. Synthesis is a pure function of the repository: the same commit gives the same files.',
  options: {
    config: CONFIG_OPTION,
    out: { flags: '--out <DIR>', description: 'where the stacks go', default: 'cdktf.out', env: 'CDKTF_OUTDIR' },
  },
  action(o, _args, io) {
    const res = synthesize({ configDir: o.config, outdir: o.out, log: (line) => io.err(line) });
    io.out(`synthesized ${res.stacks.length} stacks into ${path.relative(process.cwd(), path.resolve(o.out)) || '.'}: ${res.stacks.join(', ')}`);
    io.out(`wrote ${res.inventories.length} inventories: ${res.inventories.join(', ')}`);
    return 0;
  },
});

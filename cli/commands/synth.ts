import * as path from 'path';
import { parseOptions } from '../args';
import { Command, configDirOf } from '../command';
import { synthesize } from '../synthesize';

export const synthCommand: Command = {
  name: 'synth',
  usage: `synth [--config DIR] [--out DIR]
      validate the configuration, synthesize every stack into cdktf.out/ (or $CDKTF_OUTDIR)
      and write ansible/inventories/<stage>/hosts.yml`,
  run(argv, io) {
    const o = parseOptions('synth', argv, { config: { type: 'string' }, out: { type: 'string' } });
    const configDir = configDirOf(o.config);
    const outdir = (o.out as string | undefined) ?? process.env.CDKTF_OUTDIR ?? 'cdktf.out';
    const res = synthesize({ configDir, outdir, log: (line) => io.err(line) });
    io.out(`synthesized ${res.stacks.length} stacks into ${path.relative(process.cwd(), path.resolve(outdir)) || '.'}: ${res.stacks.join(', ')}`);
    io.out(`wrote ${res.inventories.length} inventories: ${res.inventories.join(', ')}`);
    return 0;
  },
};

import * as fs from 'fs';
import * as path from 'path';
import { loadConfig } from '../../model/load-config';
import { renderInventory } from '../../inventory/stage-inventory';
import { addressesFromOutputs } from '../../inventory/terraform-outputs';
import { CONFIG_OPTION, UsageError } from '../args';
import { defineCommand } from '../command';
import { writeFilesAtomically } from '../synthesize';

export const inventoryCommand = defineCommand({
  name: 'inventory',
  summary: "print (or write to --out) a stage's Ansible inventory",
  description:
    "Print (or write to --out) a stage's Ansible inventory, its hosts in their batches; --outputs fills in the addresses " +
    'of managed hosts from Terraform outputs (terraform output -json, or cdktf --outputs-file).',
  options: {
    stage: { flags: '--stage <S>', description: 'the stage (required)' },
    outputs: { flags: '--outputs <FILE>', description: 'Terraform outputs JSON with the addresses of managed hosts' },
    out: { flags: '--out <FILE>', description: 'write the inventory here instead of printing it' },
    config: CONFIG_OPTION,
  },
  action(o, _args, io) {
    const config = loadConfig(o.config);
    const names = config.stages.map((s) => s.name);
    const stage = config.stages.find((s) => s.name === o.stage);
    if (!stage) throw new UsageError(`rollout inventory: --stage: got ${JSON.stringify(o.stage ?? null)}, expected one of ${names.join(', ')}`);
    let addresses: Record<string, string> = {};
    if (typeof o.outputs === 'string') {
      if (!fs.existsSync(o.outputs)) throw new UsageError(`rollout inventory: --outputs: got ${JSON.stringify(o.outputs)}, expected an existing file`);
      addresses = addressesFromOutputs(stage, o.outputs, fs.readFileSync(o.outputs, 'utf8'));
    }
    const text = renderInventory(stage, addresses);
    if (typeof o.out === 'string') {
      writeFilesAtomically(path.dirname(path.resolve(o.out)), [{ rel: path.basename(o.out), text }]);
      io.out(`wrote ${o.out} (${stage.hosts.length} hosts)`);
    } else io.out(text);
    return 0;
  },
});

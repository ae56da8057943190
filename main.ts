/**
 * The cdktf app entry (`cdktf synth`, `npm run synth`): the same synthesis as
 * `rollout synth`. The configuration directory comes from --config or
 * $ROLLOUT_CONFIG (default: this repo); the output directory from
 * $CDKTF_OUTDIR (set by the cdktf CLI) or --out (default: cdktf.out).
 */
import { run } from './cli/main';

void run(['synth', ...process.argv.slice(2)]).then((code) => {
  process.exitCode = code;
});

/**
 * Host addresses from Terraform outputs, for hosts the infra stack creates.
 * Accepts `terraform output -json` (`{"host_addresses": {"value": {...}}}`)
 * and `cdktf deploy --outputs-file` (`{"<stage>-infra": {"host_addresses": {...}}}`).
 */
import { ConfigError, describeValue, Problem } from '../model/errors';
import type { Stage } from '../model/stage';
import { parseYaml, problemAt, YamlSource } from '../model/yaml-source';

const OUTPUT = 'host_addresses';
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;

/** Read the managed hosts' addresses of `stage` from an outputs file's text; throws one ConfigError. */
export function addressesFromOutputs(stage: Stage, file: string, text: string): Record<string, string> {
  const parsed = parseYaml(file, text);
  if (!parsed.source) throw new ConfigError(parsed.problems, 'Terraform outputs');
  const src = parsed.source;
  const { path: at, value } = locate(src, stage.name);
  const problems: Problem[] = [];
  if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push({
      file,
      line: src.lineOf(at),
      path: at.join('.'),
      got: describeValue(value),
      expected: `a map of host name to address (output ${OUTPUT} of stack ${stage.name}-infra)`,
    });
    throw new ConfigError(problems, 'Terraform outputs');
  }
  const map = value as Record<string, unknown>;
  const managed = new Set(stage.hosts.filter((h) => h.managed).map((h) => h.name));
  const out: Record<string, string> = {};
  for (const [name, addr] of Object.entries(map)) {
    if (!managed.has(name)) {
      problems.push(problemAt(src, [...at, name], `a managed host of stage ${stage.name} (${[...managed].sort().join(', ') || 'none'})`, JSON.stringify(name)));
    } else if (typeof addr !== 'string' || !IPV4.test(addr)) {
      problems.push(problemAt(src, [...at, name], 'an IPv4 address'));
    } else out[name] = addr;
  }
  for (const name of [...managed].sort()) {
    if (!(name in map)) problems.push(problemAt(src, [...at, name], `an address for managed host ${name}`));
  }
  if (problems.length > 0) throw new ConfigError(problems, 'Terraform outputs');
  return out;
}

function locate(src: YamlSource, stage: string): { path: string[]; value: unknown } {
  const data = (src.data ?? {}) as Record<string, unknown>;
  const stack = `${stage}-infra`;
  if (data[stack] && typeof data[stack] === 'object') {
    return { path: [stack, OUTPUT], value: (data[stack] as Record<string, unknown>)[OUTPUT] };
  }
  const tf = data[OUTPUT];
  if (tf && typeof tf === 'object' && 'value' in (tf as object)) return { path: [OUTPUT, 'value'], value: (tf as Record<string, unknown>).value };
  return { path: [OUTPUT], value: tf };
}

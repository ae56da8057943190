/**
 * The check and log configurations the datadog_agent role renders under
 * conf.d (tasks/checks.yml): the process check of the Agent's own processes
 * and sshd's logs from the journal. Their data lives in defaults/main.yml and
 * must be what the queries of model/signals.ts expect (the process_name tag,
 * the process names, the log source); each template is comments plus one
 * `to_nice_yaml` of that data, so the data is the rendered document. The
 * chroot e2e test (test/e2e/ansible/run.sh) asserts the files on real hosts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { AGENT_PROCESS_CHECK_NAME, AGENT_PROCESS_NAMES, DEFAULT_FAILED_LOGIN_QUERY, SSHD_LOG_SOURCE } from '../../../../model/signals';
import { REPO } from '../../../support/fixtures';

const ROLE = path.join(REPO, 'ansible/roles/datadog_agent');
const read = (rel: string): string => fs.readFileSync(path.join(ROLE, rel), 'utf8');
const defaults = parse(read('defaults/main.yml')) as Record<string, unknown>;

interface ProcessInstance {
  name: string;
  search_string?: string[];
  pid?: number;
  pid_file?: string;
  exact_match?: boolean;
}

/** The template's lines that are not comments: one expression rendering `variable` with to_nice_yaml. */
function expression(template: string): string {
  const lines = fs
    .readFileSync(path.join(ROLE, 'templates', template), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^\{\{ .* \| to_nice_yaml\(indent=2, sort_keys=false, width=4096\) \}\}$/);
  return lines[0];
}

describe('datadog_agent check configurations', () => {
  test('the process check covers the Agent processes the signals query, as one instance named like the process_name tag', () => {
    const instances = defaults.datadog_agent_process_check_instances as ProcessInstance[];
    expect(defaults.datadog_agent_process_check_enabled).toBe(true);
    expect(instances).toEqual([{ name: AGENT_PROCESS_CHECK_NAME, search_string: [...AGENT_PROCESS_NAMES], exact_match: true }]);
    // integrations-core process conf.yaml.example: name required, exactly one of search_string, pid, pid_file
    for (const i of instances) {
      expect(typeof i.name).toBe('string');
      expect([i.search_string, i.pid, i.pid_file].filter((x) => x !== undefined)).toHaveLength(1);
    }
    // the template renders the merged document: datadog_checks.process (official role's variable) first, then ours
    expect(expression('process.d.conf.yaml.j2')).toBe('{{ _datadog_agent_process_check_config | to_nice_yaml(indent=2, sort_keys=false, width=4096) }}');
    const merged = defaults._datadog_agent_process_check_config as string;
    expect(merged).toContain('datadog_agent_process_check_instances if (datadog_agent_process_check_enabled | bool) else []');
    expect(merged).toContain("rejectattr('name', 'in', _datadog_agent_user_process_instances | map(attribute='name') | list)");
  });

  test("sshd's logs come from the journal with the source the failed-login query selects", () => {
    const logs = defaults.datadog_sshd_logs_config as Array<Record<string, unknown>>;
    expect(logs).toEqual([{ type: 'journald', include_units: ['ssh.service', 'sshd.service'], source: SSHD_LOG_SOURCE, service: 'sshd' }]);
    expect(DEFAULT_FAILED_LOGIN_QUERY.startsWith(`source:${SSHD_LOG_SOURCE} `)).toBe(true);
    expect(defaults.datadog_sshd_logs_enabled).toBe('{{ datadog_logs_enabled }}');
    expect(defaults.datadog_sshd_logs_journal_group).toBe('systemd-journal');
    expect(expression('journald.d.conf.yaml.j2')).toBe('{{ _datadog_agent_journald_config | to_nice_yaml(indent=2, sort_keys=false, width=4096) }}');
    expect(defaults._datadog_agent_journald_config as string).toContain('datadog_sshd_logs_config if (datadog_sshd_logs_enabled | bool) else []');
  });

  test('the apply phase renders both files where the Agent reads them, and the agent user joins the journal group', () => {
    expect(read('tasks/apply.yml')).toMatch(/ansible\.builtin\.import_tasks: checks\.yml/);
    const tasks = parse(read('tasks/checks.yml')) as Array<Record<string, Record<string, unknown> | string | string[] | undefined>>;
    const templates = tasks.filter((t) => t['ansible.builtin.template']).map((t) => t['ansible.builtin.template'] as Record<string, unknown>);
    expect(templates.map((t) => [t.src, t.dest, t.mode])).toEqual([
      // datadog_checks (official role): conf.d/<name>.d/conf.yaml, as DataDog/ansible-datadog templates/checks.yaml.j2
      ['check.conf.yaml.j2', '{{ datadog_config_dir }}/conf.d/{{ item.key }}.d/conf.yaml', '0640'],
      ['process.d.conf.yaml.j2', '{{ datadog_config_dir }}/conf.d/process.d/conf.yaml', '0640'],
      ['journald.d.conf.yaml.j2', '{{ datadog_config_dir }}/conf.d/journald.d/conf.yaml', '0640'],
    ]);
    const user = tasks.find((t) => t['ansible.builtin.user'])!['ansible.builtin.user'] as Record<string, unknown>;
    expect(user).toEqual({ name: '{{ datadog_user }}', groups: ['{{ datadog_sshd_logs_journal_group }}'], append: true });
    // a change restarts the agent, which reads conf.d at start
    for (const t of tasks.filter((x) => x['ansible.builtin.template'] || x['ansible.builtin.user'])) expect(t.notify).toBe('Restart datadog-agent');
  });
});

#!/usr/bin/env bash
# Render the role's datadog.yaml template on the controller (no host) with and
# without an egress proxy, and check the result: with datadog_proxy_url the
# Agent gets `proxy: {http, https, no_proxy}` (https://docs.datadoghq.com/agent/configuration/proxy/),
# without it no `proxy` key at all. Also (issue 14): datadog_config merges
# (tags keep rollout_batch, scrub rules stay), datadog_checks merges, and the
# RHEL-family path with injected facts (repository file, includepkgs, GnuPG
# package, availability command). Seconds, not the chroot suite's minutes.
#   test/e2e/ansible/render-config.sh
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat >"$work/render.yml" <<'YAML'
- name: Render datadog.yaml
  hosts: localhost
  gather_facts: false
  vars_files:
    - "{{ role_dir }}/defaults/main.yml"
  tasks:
    - name: Render
      ansible.builtin.template:
        src: "{{ role_dir }}/templates/datadog.yaml.j2"
        dest: "{{ out }}"
        mode: "0600"
YAML
render() { # OUT [EXTRA_VARS_JSON]
    ANSIBLE_CONFIG="$REPO/ansible/ansible.cfg" ansible-playbook -i localhost, -c local "$work/render.yml" \
        -e "role_dir=$REPO/ansible/roles/datadog_agent out=$1" \
        -e '{"_datadog_agent_api_key": "render-check-not-a-key", "datadog_site": "us5.datadoghq.com", "datadog_tags": ["env:render"]}' \
        -e "${2:-{\}}" >"$work/log" 2>&1 || { cat "$work/log"; exit 1; }
}
render "$work/direct.yaml"
render "$work/proxy.yaml" '{"datadog_proxy_url": "http://proxy.internal:3128", "datadog_proxy_no_proxy": ["169.254.169.254"]}'
python3 - "$work/direct.yaml" "$work/proxy.yaml" <<'PY'
import sys, yaml
direct = yaml.safe_load(open(sys.argv[1]))
proxy = yaml.safe_load(open(sys.argv[2]))
problems = []
if 'proxy' in direct:
    problems.append(f"direct: unexpected proxy {direct['proxy']!r}")
want = {'http': 'http://proxy.internal:3128', 'https': 'http://proxy.internal:3128', 'no_proxy': ['169.254.169.254']}
if proxy.get('proxy') != want:
    problems.append(f"proxy: got {proxy.get('proxy')!r}, expected {want!r}")
for name, doc in (('direct', direct), ('proxy', proxy)):
    if doc.get('site') != 'us5.datadoghq.com' or not doc.get('logs_config', {}).get('processing_rules'):
        problems.append(f"{name}: site or scrub rules missing")
if problems:
    print('\n'.join(problems)); sys.exit(1)
print('render-config: OK (direct: no proxy key; proxy: http, https, no_proxy)')
PY

# ---- issue 14: datadog_config merges, never clobbers -----------------------
# A user's datadog_config.tags must not drop rollout_batch:<n> (the gate and
# the per-batch monitors select hosts by it) and datadog_config.logs_config.
# processing_rules must not delete the scrub rules.
render "$work/merged.yaml" '{"rollout_batch": 3, "datadog_tags": ["env:render", "rollout_batch:3"],
  "datadog_config": {"tags": ["owner:user", "rollout_batch:9"], "site": "us5.datadoghq.com", "apm_config": {"env": "user"},
                     "logs_config": {"processing_rules": [{"type": "exclude_at_match", "name": "user_rule", "pattern": "healthz"}],
                                     "use_http": true}}}'
# datadog_tags without the batch tag (a user override): rollout_batch comes from rollout_batch.
render "$work/batch-only.yaml" '{"rollout_batch": 2, "datadog_tags": ["env:render"], "datadog_config": {"tags": ["owner:user"]}}'
python3 - "$work/merged.yaml" "$work/batch-only.yaml" "$REPO/ansible/roles/datadog_agent/defaults/main.yml" <<'PY'
import sys, yaml
merged, batch_only = (yaml.safe_load(open(p)) for p in sys.argv[1:3])
scrub = [r['name'] for r in yaml.safe_load(open(sys.argv[3]))['datadog_logs_scrub_rules']]
problems = []
if merged.get('tags') != ['env:render', 'rollout_batch:3', 'owner:user']:
    problems.append(f"merged tags: {merged.get('tags')!r}, want env:render, rollout_batch:3, owner:user (no rollout_batch:9)")
names = [r.get('name') for r in merged.get('logs_config', {}).get('processing_rules', [])]
if names != scrub + ['user_rule']:
    problems.append(f"processing rules: {names!r}, want the scrub rules then user_rule")
if merged.get('logs_config', {}).get('use_http') is not True:
    problems.append('logs_config.use_http from datadog_config lost')
if merged.get('apm_config') != {'enabled': True, 'env': 'user'}:
    problems.append(f"apm_config: {merged.get('apm_config')!r}, want the generated enabled plus the user's env")
if batch_only.get('tags') != ['env:render', 'owner:user', 'rollout_batch:2']:
    problems.append(f"batch-only tags: {batch_only.get('tags')!r}, want rollout_batch:2 added")
if problems:
    print('\n'.join(problems)); sys.exit(1)
print('render-config: OK (datadog_config merge: tags keep rollout_batch, scrub rules stay first)')
PY

# ---- issue 14: datadog_checks process/journald merged with the rollout's ---
cat >"$work/checks.yml" <<'YAML'
- name: Render the merged check configurations
  hosts: localhost
  gather_facts: false
  vars_files:
    - "{{ role_dir }}/defaults/main.yml"
  tasks:
    - name: Render
      ansible.builtin.template:
        src: "{{ role_dir }}/templates/{{ item }}.j2"
        dest: "{{ out }}/{{ item }}"
        mode: "0600"
      loop: [process.d.conf.yaml, journald.d.conf.yaml]
YAML
ANSIBLE_CONFIG="$REPO/ansible/ansible.cfg" ansible-playbook -i localhost, -c local "$work/checks.yml" \
    -e "role_dir=$REPO/ansible/roles/datadog_agent out=$work" -e '{"datadog_logs_enabled": true,
      "datadog_checks": {"process": {"init_config": {"pid_cache_duration": 60}, "instances": [{"name": "sshd", "search_string": ["sshd"]}]},
                         "journald": {"logs": [{"type": "journald", "source": "kernel", "include_units": ["kernel"]}]}}}' \
    >"$work/log" 2>&1 || { cat "$work/log"; exit 1; }
python3 - "$work/process.d.conf.yaml" "$work/journald.d.conf.yaml" <<'PY'
import sys, yaml
process, journald = (yaml.safe_load(open(p)) for p in sys.argv[1:3])
problems = []
if [i['name'] for i in process['instances']] != ['sshd', 'datadog-agent'] or process['init_config'] != {'pid_cache_duration': 60}:
    problems.append(f"process.d: {process!r}, want the user's init_config, sshd then datadog-agent")
if [l['source'] for l in journald['logs']] != ['kernel', 'sshd']:
    problems.append(f"journald.d: {journald!r}, want the user's kernel source then sshd")
if problems:
    print('\n'.join(problems)); sys.exit(1)
print('render-config: OK (datadog_checks process/journald merged with the rollout\'s instances)')
PY

# ---- issue 14: RHEL family with injected facts (no RHEL/Amazon Linux images)
# Runs the role's tasks/yum_repo.yml (ansible.builtin.yum_repository writes an
# INI file, no yum needed) into a scratch reposdir with the facts of RHEL 9,
# RHEL 8.1, Amazon Linux 2023 and Amazon Linux 2, and writes the derived
# decisions (GnuPG package, availability command, key URLs) next to it.
cat >"$work/yum.yml" <<'YAML'
- name: RHEL-family decisions with injected facts
  hosts: localhost
  gather_facts: false
  vars_files:
    - "{{ role_dir }}/defaults/main.yml"
  tasks:
    - name: Inject the facts of the platform under test
      rollout_test_facts:
        facts: "{{ facts_under_test }}"
    - name: Render the Datadog repository pinned to the installed version
      ansible.builtin.include_tasks: "{{ role_dir }}/tasks/yum_repo.yml"
      vars:
        _datadog_agent_yum_pin: "7.71.0-1"
    - name: Write the decisions
      ansible.builtin.copy:
        dest: "{{ datadog_yum_repos_dir }}/decisions.json"
        content: >-
          {{ {'gpg_package': _datadog_agent_gpg_package, 'available_argv': _datadog_agent_rpm_available_argv,
              'key_urls': datadog_yum_key_urls, 'install_includepkgs': _datadog_agent_yum_includepkgs} | to_json }}
        mode: "0600"
YAML
yum_case() { # NAME FACTS_JSON [EXTRA_VARS_JSON]
    mkdir -p "$work/yum-$1"
    ANSIBLE_LIBRARY="$REPO/test/e2e/ansible/lib/modules" ANSIBLE_CONFIG="$REPO/ansible/ansible.cfg" \
        ansible-playbook -i localhost, -c local "$work/yum.yml" \
        -e "role_dir=$REPO/ansible/roles/datadog_agent datadog_yum_repos_dir=$work/yum-$1 datadog_agent_version=7.72.0" \
        -e "{\"facts_under_test\": $2}" -e "${3:-{\}}" >"$work/log" 2>&1 || { cat "$work/log"; exit 1; }
}
yum_case rhel9 '{"distribution": "RedHat", "distribution_major_version": "9", "distribution_version": "9.4", "os_family": "RedHat", "pkg_mgr": "dnf", "architecture": "x86_64"}'
yum_case rhel81 '{"distribution": "RedHat", "distribution_major_version": "8", "distribution_version": "8.1", "os_family": "RedHat", "pkg_mgr": "dnf", "architecture": "x86_64"}'
yum_case al2023 '{"distribution": "Amazon", "distribution_major_version": "2023", "distribution_version": "2023.6.20241010", "os_family": "RedHat", "pkg_mgr": "dnf", "architecture": "aarch64"}'
yum_case al2 '{"distribution": "Amazon", "distribution_major_version": "2", "distribution_version": "2", "os_family": "RedHat", "pkg_mgr": "yum", "architecture": "x86_64"}'
yum_case mirror '{"distribution": "RedHat", "distribution_major_version": "9", "distribution_version": "9.4", "os_family": "RedHat", "pkg_mgr": "dnf", "architecture": "x86_64"}' \
    '{"datadog_yum_repo": "https://mirror.internal/datadog/7/x86_64/"}'
python3 - "$work" <<'PY'
import configparser, json, os, sys
work = sys.argv[1]
problems = []
def case(name):
    ini = configparser.ConfigParser()
    ini.read(os.path.join(work, f'yum-{name}', 'datadog.repo'))
    return ini['datadog'], json.load(open(os.path.join(work, f'yum-{name}', 'decisions.json')))
keys = ['file:///etc/pki/rpm-gpg/DATADOG_RPM_KEY_2416A37757B1BB0268B3634B52AFC5994F09D16B.public',
        'file:///etc/pki/rpm-gpg/DATADOG_RPM_KEY_7408BFD56BC5BF0C361AAAE85D88EEA3B01082D3.public']
want_urls = ['https://keys.datadoghq.com/DATADOG_RPM_KEY_4F09D16B.public', 'https://keys.datadoghq.com/DATADOG_RPM_KEY_B01082D3.public']
expect = {  # name: (baseurl, repo_gpgcheck, gpg package, tool)
    'rhel9': ('https://yum.datadoghq.com/stable/7/x86_64/', '1', 'gnupg2', 'dnf'),
    'rhel81': ('https://yum.datadoghq.com/stable/7/x86_64/', '0', 'gnupg2', 'dnf'),
    'al2023': ('https://yum.datadoghq.com/stable/7/aarch64/', '1', 'gnupg2-minimal', 'dnf'),
    'al2': ('https://yum.datadoghq.com/stable/7/x86_64/', '1', 'gnupg2', 'yum'),
    'mirror': ('https://mirror.internal/datadog/7/x86_64/', '0', 'gnupg2', 'dnf'),
}
for name, (baseurl, repo_gpgcheck, gpg, tool) in expect.items():
    repo, dec = case(name)
    got = (repo.get('baseurl'), repo.get('repo_gpgcheck'), dec['gpg_package'], dec['available_argv'][0])
    if got != (baseurl, repo_gpgcheck, gpg, tool):
        problems.append(f'{name}: (baseurl, repo_gpgcheck, gpg package, tool) = {got!r}, want {(baseurl, repo_gpgcheck, gpg, tool)!r}')
    if repo.get('includepkgs') != 'datadog-agent-7.71.0-1':
        problems.append(f"{name}: includepkgs {repo.get('includepkgs')!r}, want the installed version only (datadog-agent-7.71.0-1)")
    if repo.get('gpgcheck') != '1' or repo.get('gpgkey', '').split() != keys:
        problems.append(f"{name}: gpgcheck/gpgkey {repo.get('gpgcheck')!r} {repo.get('gpgkey')!r}")
    argv = dec['available_argv']
    for flag in ('--disablerepo=*', '--enablerepo=datadog', '--disableexcludes=datadog'):
        if flag not in argv:
            problems.append(f'{name}: availability check {argv!r} lacks {flag}')
    if argv[-3:] != ['list', 'available', 'datadog-agent-7.72.0-1'] or (('--refresh' in argv) != (tool == 'dnf')):
        problems.append(f'{name}: availability check {argv!r}')
    if dec['key_urls'] != want_urls or dec['install_includepkgs'] != 'datadog-agent-7.72.0-1':
        problems.append(f"{name}: key URLs {dec['key_urls']!r} / includepkgs on install {dec['install_includepkgs']!r}")
if problems:
    print('\n'.join(problems)); sys.exit(1)
print('render-config: OK (yum repo for RHEL 9, RHEL 8.1, AL2023, AL2, mirror: includepkgs pin, Datadog-only availability, gnupg2 vs gnupg2-minimal)')
PY

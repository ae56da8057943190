#!/usr/bin/env bash
# Render the role's datadog.yaml template on the controller (no host) with and
# without an egress proxy, and check the result: with datadog_proxy_url the
# Agent gets `proxy: {http, https, no_proxy}` (https://docs.datadoghq.com/agent/configuration/proxy/),
# without it no `proxy` key at all. Seconds, not the chroot suite's minutes.
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

#!/usr/bin/env bash
# Lint the Ansible code: yamllint (strict) and ansible-lint --offline with the
# production profile. Exits non-zero on any finding.
#   test/e2e/ansible/lint.sh
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"

echo "== yamllint ($(yamllint --version))"
cd "$REPO"
# Relative paths so the ignore patterns in .yamllint apply.
yamllint -c .yamllint --strict ansible test/e2e/ansible

echo "== ansible-lint ($(ansible-lint --nocolor --version 2>/dev/null | sed -n 1p))"
cd "$REPO/ansible"
export ANSIBLE_CONFIG="$REPO/ansible/ansible.cfg"
ansible-lint --offline --nocolor --strict --profile production -c "$REPO/.ansible-lint"

echo "lint: OK"

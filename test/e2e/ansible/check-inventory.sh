#!/usr/bin/env bash
# Validate generated rollout inventories:
#   test/e2e/ansible/check-inventory.sh ansible/inventories/*/hosts.yml
# For each FILE: ansible-inventory must parse it with the YAML inventory
# plugin (a parse failure is an error, not an empty inventory), the group
# graph is printed, and the batch groups must match rollout_batch_count.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

if [ "$#" -eq 0 ]; then
    echo "usage: $0 INVENTORY_FILE..." >&2
    exit 2
fi

export ANSIBLE_INVENTORY_ENABLED=ansible.builtin.yaml
export ANSIBLE_INVENTORY_UNPARSED_FAILED=true
export ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true
export ANSIBLE_NOCOLOR=1

failed=0
for file in "$@"; do
    if [ ! -f "$file" ]; then
        echo "check-inventory: $file: no such file" >&2
        failed=1
        continue
    fi
    if ! graph=$(ansible-inventory -i "$file" --graph 2>&1); then
        echo "check-inventory: $file: rejected by ansible-inventory:" >&2
        echo "$graph" >&2
        failed=1
        continue
    fi
    echo "$graph"
    if ! ansible-inventory -i "$file" --list --export 2>/dev/null | "$PY" "$HERE/lib/check_inventory.py" "$file"; then
        failed=1
    fi
done
exit "$failed"

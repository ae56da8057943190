#!/usr/bin/env python3
"""Check the batch structure of an inventory (helper of check-inventory.sh).

usage: check_inventory.py FILE  (reads `ansible-inventory --list --export` JSON on stdin)

Fails when a batch group batch_1..batch_N (N = rollout_batch_count) is
missing or empty, when a batch group above N or above 5 has hosts, or when a
host sits in more than one batch group.
"""
import json
import re
import sys


def main() -> int:
    name = sys.argv[1]
    data = json.load(sys.stdin)
    groups = {k: v for k, v in data.items() if k != "_meta"}
    errors = []

    def hosts_of(group, seen=None):
        seen = seen or set()
        if group in seen or group not in groups:
            return set()
        seen.add(group)
        found = set(groups[group].get("hosts", []))
        for child in groups[group].get("children", []):
            found |= hosts_of(child, seen)
        return found

    batch_groups = sorted((g for g in groups if re.fullmatch(r"batch_[0-9]+", g)), key=lambda g: int(g[6:]))
    stages = [g for g in groups if any(c in batch_groups for c in groups[g].get("children", []))]
    if len(stages) != 1:
        errors.append("expected exactly one stage group holding the batch groups, found %s" % (stages or "none"))
    stage_vars = groups[stages[0]].get("vars", {}) if len(stages) == 1 else {}
    count = stage_vars.get("rollout_batch_count")
    if not isinstance(count, int) or not 1 <= count <= 5:
        errors.append("rollout_batch_count must be an integer 1..5 in the stage vars (got %r)" % (count,))
        count = len(batch_groups)
    for required in ("rollout_stage", "rollout_max_failed_hosts_percent", "datadog_agent_version", "datadog_site"):
        if required not in stage_vars:
            errors.append("stage vars lack %s" % required)

    for n in range(1, count + 1):
        group = "batch_%d" % n
        if group not in groups:
            errors.append("%s is missing" % group)
        elif not hosts_of(group):
            errors.append("%s has no hosts" % group)
        elif groups[group].get("vars", {}).get("rollout_batch") not in (None, n):
            errors.append("%s has rollout_batch=%r" % (group, groups[group]["vars"]["rollout_batch"]))
    for group in batch_groups:
        if int(group[6:]) > count and hosts_of(group):
            errors.append("%s has hosts but rollout_batch_count is %d" % (group, count))

    membership = {}
    for group in batch_groups:
        for host in hosts_of(group):
            membership.setdefault(host, []).append(group)
    for host, member_of in sorted(membership.items()):
        if len(member_of) > 1:
            errors.append("%s is in more than one batch: %s" % (host, ", ".join(member_of)))

    for err in errors:
        print("check-inventory: %s: %s" % (name, err), file=sys.stderr)
    if not errors:
        sizes = ", ".join("%s=%d" % (g, len(hosts_of(g))) for g in batch_groups)
        print("check-inventory: %s: OK (stage %s, %s)" % (name, stage_vars.get("rollout_stage"), sizes))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Assert the check and log configurations the role renders under conf.d (e2e test helper).

usage: check_check_configs.py CONF_D EXPECTED_JSON
EXPECTED_JSON maps a path relative to CONF_D (process.d/conf.yaml, ...) to
the YAML document it must hold, exactly. Prints one line per difference and
exits 1 on any.
"""
import json
import os
import sys

import yaml


def main() -> int:
    conf_d, expected = sys.argv[1], json.loads(sys.argv[2])
    errors = []
    for rel, want in sorted(expected.items()):
        path = os.path.join(conf_d, rel)
        try:
            with open(path, encoding="utf-8") as fh:
                got = yaml.safe_load(fh)
        except (OSError, yaml.YAMLError) as exc:
            errors.append("%s: %s" % (rel, exc))
            continue
        if got != want:
            errors.append("%s holds %s, want %s" % (rel, json.dumps(got, sort_keys=True), json.dumps(want, sort_keys=True)))
    for err in errors:
        print(err)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

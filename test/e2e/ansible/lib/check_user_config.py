#!/usr/bin/env python3
"""Assert how datadog_config (user settings) was merged into datadog.yaml.

usage: check_user_config.py DATADOG_YAML ROLE_DEFAULTS EXPECTED_JSON
EXPECTED_JSON keys:
  tags_present, tags_absent   lists of tags
  user_rule_names             names of the user's processing rules, which must
                              come after all of the role's scrub rules, in order
  apm_env                     expected apm_config.env (user setting)
Prints one line per failed check, exits 1 on any. Never prints the api_key.
"""
import json
import sys

import yaml


def main() -> int:
    conf = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
    defaults = yaml.safe_load(open(sys.argv[2], encoding="utf-8"))
    expected = json.loads(sys.argv[3])
    errors = []
    tags = conf.get("tags") or []
    for tag in expected.get("tags_present", []):
        if tag not in tags:
            errors.append("tag %r missing (tags: %r)" % (tag, tags))
    for tag in expected.get("tags_absent", []):
        if tag in tags:
            errors.append("tag %r present (tags: %r)" % (tag, tags))
    names = [r.get("name") for r in ((conf.get("logs_config") or {}).get("processing_rules") or [])]
    scrub = [r["name"] for r in defaults["datadog_logs_scrub_rules"]]
    want = scrub + expected.get("user_rule_names", [])
    if names != want:
        errors.append("processing rules are %r, want the scrub rules then the user's: %r" % (names, want))
    apm = conf.get("apm_config") or {}
    if "apm_env" in expected and (apm.get("env") != expected["apm_env"] or apm.get("enabled") is not True):
        errors.append("apm_config is %r, want env %r merged next to enabled: true" % (apm, expected["apm_env"]))
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Assert the contents of a rendered datadog.yaml (e2e test helper).

usage: check_config.py FILE EXPECTED_JSON
EXPECTED_JSON keys (all optional):
  site, api_key_env (name of an env var holding the expected api_key),
  tags (list that must all be present), logs_enabled, apm_enabled,
  process_enabled, scrub_rule_names (list that must all be present),
  scrub_samples (list of [log line, secret]: the secret must be masked)
Prints one line per failed check and exits 1 on any failure. Never prints
the api_key value.
"""
import json
import os
import sys

import yaml


def main() -> int:
    path, expected = sys.argv[1], json.loads(sys.argv[2])
    with open(path, encoding="utf-8") as fh:
        conf = yaml.safe_load(fh)
    errors = []

    def check(cond, msg):
        if not cond:
            errors.append(msg)

    if "site" in expected:
        check(conf.get("site") == expected["site"], "site is %r, want %r" % (conf.get("site"), expected["site"]))
    if "api_key_env" in expected:
        want = os.environ.get(expected["api_key_env"], "")
        check(bool(want) and conf.get("api_key") == want, "api_key does not match $%s" % expected["api_key_env"])
    for tag in expected.get("tags", []):
        check(tag in (conf.get("tags") or []), "tag %r missing" % tag)
    if "logs_enabled" in expected:
        check(conf.get("logs_enabled") is expected["logs_enabled"], "logs_enabled is %r" % conf.get("logs_enabled"))
    if "apm_enabled" in expected:
        got = (conf.get("apm_config") or {}).get("enabled")
        check(got is expected["apm_enabled"], "apm_config.enabled is %r" % got)
    if "process_enabled" in expected:
        got = ((conf.get("process_config") or {}).get("process_collection") or {}).get("enabled")
        check(got is expected["process_enabled"], "process_config.process_collection.enabled is %r" % got)
    rules = (conf.get("logs_config") or {}).get("processing_rules") or []
    names = {r.get("name") for r in rules if isinstance(r, dict)}
    for name in expected.get("scrub_rule_names", []):
        check(name in names, "processing rule %r missing" % name)
    for rule in rules:
        check(rule.get("type") in ("mask_sequences", "exclude_at_match", "include_at_match", "multi_line"),
              "processing rule %r has type %r" % (rule.get("name"), rule.get("type")))
        if rule.get("type") == "mask_sequences":
            check(bool(rule.get("pattern")) and "replace_placeholder" in rule,
                  "mask rule %r lacks pattern/replace_placeholder" % rule.get("name"))
    # The mask rules must actually hide typical secrets (Python's re is close
    # enough to the agent's RE2 for these patterns).
    import re
    masks = [re.compile(r["pattern"]) for r in rules if r.get("type") == "mask_sequences"]
    for sample, secret in expected.get("scrub_samples", []):
        masked = sample
        for rx in masks:
            masked = rx.sub("[MASKED]", masked)
        check(secret not in masked, "secret sample %r is not masked by the processing rules" % sample.replace(secret, "<secret>"))
    for err in errors:
        print(err)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

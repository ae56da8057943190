#!/usr/bin/python3
"""Test-only Ansible module: return the given dictionary as ansible_facts.

Lets test/e2e/ansible/render-config.sh run the role's RHEL-family tasks and
decisions on this Debian controller with the facts of a RHEL 9, Amazon Linux
2023 or Amazon Linux 2 host (there are no such images here).
"""
from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec={"facts": {"type": "dict", "required": True}}, supports_check_mode=True)
    module.exit_json(changed=False, ansible_facts=module.params["facts"])


if __name__ == "__main__":
    main()

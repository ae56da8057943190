#!/usr/bin/env bash
# Install what the Ansible rollout, its lint step and its e2e test need, from
# Debian 12 (bookworm) packages. Idempotent and fast when everything is
# already installed (one dpkg-query per package, no apt-get update).
#   sudo test/e2e/ansible/install-deps.sh
set -euo pipefail

PACKAGES=(
    ansible            # ansible-core 2.14 + collections (community.general chroot, amazon.aws, ansible.posix)
    ansible-core
    ansible-lint
    yamllint
    python3-yaml       # e2e config assertions
    python3-boto3      # amazon.aws.aws_secret lookup (API key from AWS Secrets Manager)
    python3-botocore
    debootstrap        # e2e chroot test hosts
    gnupg              # throwaway repository signing key, key fingerprint checks
    dpkg-dev           # dpkg-deb for the fake datadog-agent packages
    apt-utils          # apt-ftparchive for the signed test repository
    debian-archive-keyring
    ca-certificates
    coreutils          # chroot, timeout
    mount              # mount/umount of /proc in the chroots
    util-linux         # findmnt
    procps
    jq                 # npm test: the reviewed-plan apply script (.github/scripts)
    unzip              # npm test: the SSM bundle check, the reviewed-plan apply script
)

missing=()
for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query --show --showformat='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$pkg")
done

if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-deps: missing ${missing[*]}; run as root" >&2
        exit 1
    fi
    echo "install-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The SSM scenario (lib/ssm-scenario.sh) resolves and downloads the Debian
# packages of Ansible for its chroot hosts with this machine's apt: it needs
# package lists (images often ship without them).
if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-deps: no apt package lists; run as root (apt-get update)" >&2
        exit 1
    fi
    echo "install-deps: apt-get update (no package lists)"
    apt-get update -qq
fi

# Collections the playbooks and the e2e inventory rely on (shipped by the
# Debian "ansible" package).
for collection in community.general amazon.aws ansible.posix; do
    if ! ansible-galaxy collection list "$collection" 2>/dev/null | grep -q "^$collection "; then
        echo "install-deps: collection $collection not found (is the 'ansible' package installed?)" >&2
        exit 1
    fi
done

echo "install-deps: OK ($(ansible --version 2>/dev/null | sed -n 1p), $(ansible-lint --nocolor --version 2>/dev/null | sed -n 1p), $(yamllint --version))"

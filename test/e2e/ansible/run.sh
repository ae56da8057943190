#!/usr/bin/env bash
# End-to-end test of the Datadog Agent rollout (ansible/) on chroot test hosts.
#
#   sudo test/e2e/ansible/install-deps.sh
#   sudo test/e2e/ansible/run.sh
#
# Builds fake datadog-agent packages (7.71.0 and 7.72.0), a signed apt
# repository served on 127.0.0.1, six Debian bookworm chroots (3 batches of
# 2) and runs the deploy and rollback playbooks against them through the
# community.general.chroot connection, asserting the outcome on every host.
# Prints timings and a last line "N passed, M failed"; exits non-zero on any
# failure. Loopback only: the chroots share the host network namespace and
# only talk to the local repository.
#
# Environment:
#   ROLLOUT_E2E_CACHE     cache for the debootstrap base tarball
#                         (default /var/cache/rollout-e2e)
#   ROLLOUT_E2E_MIRROR    Debian mirror for debootstrap (default: the host's
#                         apt source, else http://deb.debian.org/debian)
#   ROLLOUT_E2E_TIMEOUT   overall time limit in seconds (default 2700)
#   ROLLOUT_E2E_PLAYBOOK_TIMEOUT  time limit of one ansible-playbook run in
#                         seconds (default 900; raise it on a loaded machine)
#   ROLLOUT_E2E_WORKDIR   parent of the work directory (default /var/tmp)
#   ROLLOUT_E2E_ARTIFACTS where to copy the logs (default <repo>/.tmp/e2e-ansible)
#   ROLLOUT_E2E_KEEP=1    keep the work directory (chroots) after the run
#   ROLLOUT_E2E_ONLY=ssm  run only the SSM scenario (lib/ssm-scenario.sh)
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"

# Bound the whole run; timeout signals the process group, the trap cleans up.
if [ -z "${_ROLLOUT_E2E_BOUNDED:-}" ]; then
    export _ROLLOUT_E2E_BOUNDED=1
    exec timeout --kill-after=60 "${ROLLOUT_E2E_TIMEOUT:-2700}" bash "$0" "$@"
fi

# shellcheck source=lib/e2e.sh
. "$HERE/lib/e2e.sh"
# shellcheck source=lib/ssm-scenario.sh
. "$HERE/lib/ssm-scenario.sh" # issue 15: s_ssm

if [ "$(id -u)" -ne 0 ]; then
    echo "run.sh must run as root (debootstrap, chroot, mount)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
for tool in ansible-playbook ansible-inventory debootstrap dpkg-deb apt-ftparchive gpg chroot mount timeout; do
    command -v "$tool" >/dev/null || { echo "missing $tool: run test/e2e/ansible/install-deps.sh" >&2; echo "0 passed, 1 failed"; exit 1; }
done

PY=/usr/bin/python3
CACHE="${ROLLOUT_E2E_CACHE:-/var/cache/rollout-e2e}"
ARTIFACTS="${ROLLOUT_E2E_ARTIFACTS:-$REPO/.tmp/e2e-ansible}"
mkdir -p "${ROLLOUT_E2E_WORKDIR:-/var/tmp}" "$CACHE"
WORK="$(realpath "$(mktemp -d "${ROLLOUT_E2E_WORKDIR:-/var/tmp}/rollout-e2e.XXXXXX")")"
HOSTS_DIR="$WORK/hosts"
LOGS="$WORK/logs"
REPO_DIR="$WORK/repo"
GNUPGHOME="$WORK/gnupg"
INV="$WORK/hosts.yml"
VARS="$WORK/e2e-vars.yml"
GATE_LOG="$LOGS/gate.log"
export E2E_GATE_LOG="$GATE_LOG" # read by fixtures/gate.sh
export E2E_EVENT_LOG="$LOGS/events.log" # read by fixtures/event.sh
export E2E_DOWNTIME_LOG="$LOGS/downtime.log" # read by fixtures/downtime.sh
mkdir -p "$HOSTS_DIR" "$LOGS" "$REPO_DIR" "$WORK/ansible-tmp"
chmod 0755 "$WORK"
rm -rf "$ARTIFACTS"

trap cleanup EXIT
trap 'log "interrupted (signal or overall timeout)"; FAILURES+=("interrupted"); FAIL=$((FAIL + 1)); exit 124' INT TERM

HOSTS=(e2e-web-01 e2e-web-02 e2e-api-01 e2e-api-02 e2e-db-01 e2e-db-02)
BATCH1=(e2e-web-01 e2e-web-02)
BATCH2=(e2e-api-01 e2e-api-02)
BATCH3=(e2e-db-01 e2e-db-02)
declare -A TAGS=(
    [e2e-web-01]="service:web" [e2e-web-02]="service:web"
    [e2e-api-01]="service:api" [e2e-api-02]="service:api"
    [e2e-db-01]="service:db" [e2e-db-02]="service:db"
)
OLD=1:7.71.0-1
NEW=1:7.72.0-1
ARCH="$(dpkg --print-architecture)"

# A fresh dummy API key for this run: it must end up in datadog.yaml on the
# hosts and nowhere else (not in any Ansible output or log).
DD_API_KEY="$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
export DD_API_KEY
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE

log "work directory $WORK"

# ------------------------------------------------------------------ base ---
BASE_INCLUDE="python3,python3-apt,gnupg,ca-certificates,procps"
BASE_RECIPE="v1 bookworm minbase $BASE_INCLUDE $ARCH"
BASE_TAR="$CACHE/base-bookworm-minbase-$(printf '%s' "$BASE_RECIPE" | sha256sum | cut -c1-12).tar.gz"

mirror() {
    if [ -n "${ROLLOUT_E2E_MIRROR:-}" ]; then echo "$ROLLOUT_E2E_MIRROR"; return; fi
    local uri
    uri="$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' \
        /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)"
    echo "${uri:-http://deb.debian.org/debian}"
}

build_base() {
    if [ -s "$BASE_TAR" ]; then
        log "base: using cached $BASE_TAR"
        timing "debootstrap (cached: $(basename "$BASE_TAR"))" 0.0
        return
    fi
    local t0 build="$WORK/base-build"
    t0="$(now)"
    log "base: debootstrap --variant=minbase bookworm from $(mirror) (one-time, cached afterwards)"
    debootstrap --variant=minbase --include="$BASE_INCLUDE" bookworm "$build" "$(mirror)" \
        >"$LOGS/debootstrap.log" 2>&1 || { tail -n 30 "$LOGS/debootstrap.log"; die "debootstrap failed"; }
    unmount_all_under "$build" || die "debootstrap left mounts behind"
    # Test hosts only reach the local repository.
    : >"$build/etc/apt/sources.list"
    rm -rf "$build"/var/lib/apt/lists/* "$build"/var/cache/apt/*.bin "$build"/var/cache/apt/archives/*.deb
    echo "observability-rollout e2e base ($BASE_RECIPE)" >"$build/etc/rollout-e2e-base"
    tar --numeric-owner -C "$build" -czf "$BASE_TAR.tmp.$$" . || die "cannot write $BASE_TAR"
    mv "$BASE_TAR.tmp.$$" "$BASE_TAR"
    rm -rf --one-file-system "$build"
    timing "debootstrap + base tarball (built now)" "$(elapsed "$t0")"
}

create_hosts() {
    local t0 h root
    t0="$(now)"
    for h in "${HOSTS[@]}"; do
        mkdir -p "$HOSTS_DIR/$h"
        tar --numeric-owner -C "$HOSTS_DIR/$h" -xzf "$BASE_TAR" &
    done
    wait || true
    for h in "${HOSTS[@]}"; do
        root="$(host_root "$h")"
        [ -x "$root/usr/bin/python3" ] || die "chroot $h was not extracted"
        echo "$h" >"$root/etc/hostname"
        # The group that may read the systemd journal (minbase has no systemd):
        # the role adds the agent user to it to collect sshd's logs.
        chroot "$root" groupadd --system systemd-journal || die "cannot add the systemd-journal group in $h"
        mount -t proc proc "$root/proc" || die "cannot mount /proc in $h"
    done
    timing "create ${#HOSTS[@]} chroot hosts from the base tarball" "$(elapsed "$t0")"
}

# -------------------------------------------------------- packages + repo ---
build_package() {
    local version="$1" d="$WORK/pkgbuild/$1"
    mkdir -p "$d/DEBIAN" "$d/opt/datadog-agent/bin/agent" "$d/etc/init.d" "$d/etc/datadog-agent" "$d/usr/bin"
    sed "s/@AGENT_VERSION@/$version/" "$HERE/fakepkg/agent" >"$d/opt/datadog-agent/bin/agent/agent"
    chmod 0755 "$d/opt/datadog-agent/bin/agent/agent"
    install -m 0755 "$HERE/fakepkg/init.d" "$d/etc/init.d/datadog-agent"
    install -m 0644 "$HERE/fakepkg/datadog.yaml.example" "$d/etc/datadog-agent/datadog.yaml.example"
    ln -s /opt/datadog-agent/bin/agent/agent "$d/usr/bin/datadog-agent"
    install -m 0755 "$HERE/fakepkg/postinst" "$HERE/fakepkg/prerm" "$HERE/fakepkg/postrm" "$d/DEBIAN/"
    printf '/etc/init.d/datadog-agent\n/etc/datadog-agent/datadog.yaml.example\n' >"$d/DEBIAN/conffiles"
    cat >"$d/DEBIAN/control" <<EOF
Package: datadog-agent
Version: 1:$version-1
Architecture: $ARCH
Maintainer: observability-rollout e2e <e2e@invalid.example>
Depends: passwd
Section: utils
Priority: optional
Description: FAKE Datadog Agent for the observability-rollout e2e test
 A few shell scripts that imitate the agent's version/status commands and
 service. Not the real Datadog Agent.
EOF
    mkdir -p "$REPO_DIR/pool/main/d/datadog-agent"
    dpkg-deb --root-owner-group -Zgzip --build "$d" \
        "$REPO_DIR/pool/main/d/datadog-agent/datadog-agent_${version}-1_${ARCH}.deb" >/dev/null ||
        die "dpkg-deb failed for $version"
}

# A FAKE datadog-signing-keys (the role installs Datadog's package as the
# official role does). It ships nothing: the real one writes Datadog's keys
# into the same keyring, which the role then checks against the pinned list.
build_signing_keys_package() {
    local d="$WORK/pkgbuild/signing-keys"
    mkdir -p "$d/DEBIAN" "$d/usr/share/doc/datadog-signing-keys"
    echo "FAKE datadog-signing-keys for the observability-rollout e2e test" >"$d/usr/share/doc/datadog-signing-keys/README"
    cat >"$d/DEBIAN/control" <<EOF
Package: datadog-signing-keys
Version: 1:1.4.0-1
Architecture: all
Maintainer: observability-rollout e2e <e2e@invalid.example>
Section: utils
Priority: optional
Description: FAKE Datadog signing keys package for the observability-rollout e2e test
 Installs nothing but a README.
EOF
    mkdir -p "$REPO_DIR/pool/main/d/datadog-signing-keys"
    dpkg-deb --root-owner-group -Zgzip --build "$d" \
        "$REPO_DIR/pool/main/d/datadog-signing-keys/datadog-signing-keys_1.4.0-1_all.deb" >/dev/null ||
        die "dpkg-deb failed for datadog-signing-keys"
}

make_key() {
    gpg --batch --pinentry-mode loopback --passphrase '' --quick-gen-key "$1" ed25519 sign 2d \
        >>"$LOGS/gpg.log" 2>&1 || die "gpg key generation failed"
    gpg --batch --with-colons --list-keys "$1" 2>>"$LOGS/gpg.log" | awk -F: '/^fpr:/ { print $10; exit }'
}

build_repo() {
    local t0 dist="$REPO_DIR/dists/stable"
    t0="$(now)"
    build_package 7.71.0
    build_package 7.72.0
    build_signing_keys_package
    mkdir -m 0700 -p "$GNUPGHOME"
    export GNUPGHOME
    REPO_FPR="$(make_key 'rollout e2e test repository <e2e-repo@invalid.example>')"
    ROGUE_FPR="$(make_key 'rollout e2e rogue key <e2e-rogue@invalid.example>')"
    [ -n "$REPO_FPR" ] && [ -n "$ROGUE_FPR" ] || die "no test key fingerprint"
    mkdir -p "$REPO_DIR/keys" "$dist/7/binary-$ARCH"
    gpg --batch --armor --export "$REPO_FPR" >"$REPO_DIR/keys/E2E_APT_KEY.public"
    gpg --batch --armor --export "$ROGUE_FPR" >"$REPO_DIR/keys/ROGUE_KEY.public"
    (cd "$REPO_DIR" && apt-ftparchive packages pool >"dists/stable/7/binary-$ARCH/Packages") || die "apt-ftparchive packages"
    gzip -9nk "$dist/7/binary-$ARCH/Packages"
    apt-ftparchive \
        -o APT::FTPArchive::Release::Origin=rollout-e2e \
        -o APT::FTPArchive::Release::Label=rollout-e2e \
        -o APT::FTPArchive::Release::Suite=stable \
        -o APT::FTPArchive::Release::Codename=stable \
        -o APT::FTPArchive::Release::Architectures="$ARCH" \
        -o APT::FTPArchive::Release::Components=7 \
        release "$dist" >"$WORK/Release" || die "apt-ftparchive release"
    mv "$WORK/Release" "$dist/Release"
    gpg --batch --yes --local-user "$REPO_FPR" --clearsign -o "$dist/InRelease" "$dist/Release" || die "sign InRelease"
    gpg --batch --yes --local-user "$REPO_FPR" --armor --detach-sign -o "$dist/Release.gpg" "$dist/Release" || die "sign Release"
    chmod -R a+rX "$REPO_DIR"
    timing "build 2 fake packages + signed apt repository" "$(elapsed "$t0")"
}

start_http() {
    "$PY" "$HERE/lib/serve.py" "$REPO_DIR" "$WORK/http.port" "${ROLLOUT_E2E_TIMEOUT:-2700}" "$LOGS/http-access.log" \
        2>"$LOGS/http.log" &
    HTTP_PID=$!
    for _ in $(seq 1 50); do
        [ -s "$WORK/http.port" ] && break
        sleep 0.1
    done
    [ -s "$WORK/http.port" ] || die "HTTP server did not start"
    PORT="$(cat "$WORK/http.port")"
    REPO_URL="http://127.0.0.1:$PORT/"
    "$PY" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5).read()" \
        "${REPO_URL}dists/stable/InRelease" || die "repository not reachable at $REPO_URL"
    log "repository: $REPO_URL (key $REPO_FPR)"
}

write_inventory() {
    sed "s#@HOSTS_DIR@#$HOSTS_DIR#g" "$HERE/fixtures/hosts.e2e.yml" >"$INV"
    cat >"$VARS" <<EOF
---
# e2e overrides: local signed repository and test key, fake gate, quick checks.
datadog_apt_repo_url: "$REPO_URL"
datadog_apt_key_urls:
  - "${REPO_URL}keys/E2E_APT_KEY.public"
datadog_apt_key_fingerprints:
  - "$REPO_FPR"
datadog_agent_verify_retries: 5
datadog_agent_verify_delay: 1
# Relative to the repository root, where the gate runs (rollout_gate_chdir).
rollout_gate_command: "${HERE#"$REPO"/}/fixtures/gate.sh --stage {{ rollout_stage }} --batch {{ rollout_batch }}"
rollout_gate_timeout_seconds: 60
rollout_downtime_command: "${HERE#"$REPO"/}/fixtures/downtime.sh"
EOF
    cat >"$WORK/rogue-vars.yml" <<EOF
---
datadog_apt_key_urls:
  - "${REPO_URL}keys/E2E_APT_KEY.public"
  - "${REPO_URL}keys/ROGUE_KEY.public"
EOF
}

# --------------------------------------------------------------- ansible ---
# run_playbook NAME PLAYBOOK ARGS... ; output in $LOGS/NAME.log, sets PB_RC.
run_playbook() {
    local name="$1" playbook="$2" t0
    shift 2
    t0="$(now)"
    (
        cd "$REPO/ansible" &&
            ANSIBLE_CONFIG="$REPO/ansible/ansible.cfg" ANSIBLE_NOCOLOR=1 \
                ANSIBLE_LOCAL_TEMP="$WORK/ansible-tmp" \
                timeout "${ROLLOUT_E2E_PLAYBOOK_TIMEOUT:-900}" ansible-playbook -i "$INV" -e "@$VARS" "playbooks/$playbook" "$@"
    ) >"$LOGS/$name.log" 2>&1
    PB_RC=$?
    PB_SECONDS="$(elapsed "$t0")"
    log "ansible-playbook $playbook ($name): rc=$PB_RC in ${PB_SECONDS}s"
}

# One line per task result is too much for the console; show the tail on failure.
show_log_tail() { echo "    --- last lines of $LOGS/$1.log"; tail -n "${2:-25}" "$LOGS/$1.log" | sed 's/^/    | /'; }

flat_log() { tr -s '\n ' ' ' <"$LOGS/$1.log"; }

log_has() { flat_log "$1" | grep -qF -- "$2"; }

record_batch_timings() {
    local name="$1" label="$2" line secs
    while read -r line; do
        [ -n "$line" ] || continue
        secs="$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$line")"
        line="$(sed -E 's/ seconds=[0-9.]+//; s/^(ROLLOUT|ROLLBACK)_TIMING (stage=[a-z0-9]+ )?//' <<<"$line")"
        timing "$label $line" "$secs"
    done < <(flat_log "$name" | grep -oE '(ROLLOUT|ROLLBACK)_TIMING [a-z=0-9 ]*batch=[0-9]+( mode=[a-z]+)? seconds=[0-9.]+')
}

recap_line() { awk -v h="$2" '/^PLAY RECAP/ { f = 1; next } f && $1 == h { print; exit }' "$LOGS/$1.log"; }

gate_calls() {
    local n
    n="$(grep -c . "$GATE_LOG" 2>/dev/null)"
    echo "${n:-0}"
}

# -------------------------------------------------------------- asserts ---
assert_agent() { # HOST VERSION SITE
    local h="$1" want="$2" site="$3" upstream
    upstream="${want#*:}"
    upstream="${upstream%-*}"
    check_eq "$h: datadog-agent package version" "$(pkg_version "$h")" "$want"
    check_eq "$h: running agent version" "$(running_version "$h")" "$upstream"
    check_eq "$h: site in datadog.yaml" "$(config_site "$h")" "$site"
}

assert_full_config() { # HOST
    local h="$1" root out gid mode sample
    # A key-shaped sample for the scrub rule, built here so no key-like literal sits in the repo.
    printf -v sample '%s%s' 0123456789abcdef 0123456789abcdef
    root="$(host_root "$h")"
    out="$("$PY" "$HERE/lib/check_config.py" "$root/etc/datadog-agent/datadog.yaml" "$(
        cat <<EOF
{"site": "us5.datadoghq.com", "api_key_env": "DD_API_KEY",
 "tags": ["env:e2e", "${TAGS[$h]}", "rollout_batch:$(batch_of "$h")"],
 "logs_enabled": true, "apm_enabled": true, "process_enabled": true,
 "scrub_rule_names": ["mask_datadog_api_and_app_keys", "mask_bearer_tokens", "mask_passwords"],
 "scrub_samples": [["DD_API_KEY=$sample", "$sample"],
                   ["Authorization: Bearer eyJhbGciOi.eyJzdWIi.SflKxwRJ", "eyJhbGciOi.eyJzdWIi.SflKxwRJ"],
                   ["db password=hunter2-secret host=x", "hunter2-secret"]]}
EOF
    )" 2>&1)"
    if [ -z "$out" ]; then ok "$h: datadog.yaml content (api_key, site, tags, logs/apm/process, scrub rules)"; else nok "$h: datadog.yaml content: $out"; fi
    gid="$(awk -F: '$1 == "dd-agent" { print $3 }' "$root/etc/group")"
    mode="$(stat -c '%a %u %g' "$root/etc/datadog-agent/datadog.yaml" 2>/dev/null)"
    check_eq "$h: datadog.yaml mode/owner/group" "$mode" "640 0 $gid"
    check "$h: apt source points at the test repository" grep -qF "signed-by=/usr/share/keyrings/datadog-archive-keyring.gpg] $REPO_URL stable 7" "$root/etc/apt/sources.list.d/datadog.list"
    check "$h: keyring holds exactly the pinned test key" keyring_is_pinned "$root/usr/share/keyrings/datadog-archive-keyring.gpg"
    check_eq "$h: package is on hold" "$(pkg_selection "$h")" hold
    check_eq "$h: datadog-signing-keys installed (as the official role does)" "$(pkg_status "$h" datadog-signing-keys)" "install ok installed"
    assert_check_configs "$h"
}

# The process check of the Agent's own processes and sshd's logs from the
# journal: what the rollout's overhead monitors, dashboard and gate, and its
# failed-login signal, read (model/signals.ts).
assert_check_configs() { # HOST
    local h="$1" root out gid f
    root="$(host_root "$h")"
    out="$("$PY" "$HERE/lib/check_check_configs.py" "$root/etc/datadog-agent/conf.d" "$(
        cat <<EOF
{"process.d/conf.yaml": {"init_config": {}, "instances": [{"name": "datadog-agent", "exact_match": true,
   "search_string": ["agent", "trace-agent", "process-agent", "system-probe", "security-agent"]}]},
 "journald.d/conf.yaml": {"logs": [{"type": "journald", "include_units": ["ssh.service", "sshd.service"],
   "source": "sshd", "service": "sshd"}]}}
EOF
    )" 2>&1)"
    if [ -z "$out" ]; then ok "$h: process check and sshd journal configs rendered as expected"; else nok "$h: check configs: $out"; fi
    gid="$(awk -F: '$1 == "dd-agent" { print $3 }' "$root/etc/group")"
    for f in process.d/conf.yaml journald.d/conf.yaml; do
        check_eq "$h: conf.d/$f mode/owner/group" "$(stat -c '%a %u %g' "$root/etc/datadog-agent/conf.d/$f" 2>/dev/null)" "640 0 $gid"
    done
    check "$h: dd-agent may read the journal (member of systemd-journal)" \
        grep -qE '^systemd-journal:[^:]*:[0-9]+:(.*,)?dd-agent(,|$)' "$root/etc/group"
}

keyring_is_pinned() {
    [ -f "$1" ] || return 1
    [ "$(gpg --batch --no-default-keyring --keyring "$1" --with-colons --list-keys 2>/dev/null |
        awk -F: '/^fpr:/ { print $10 }' | head -n 1)" = "$REPO_FPR" ] &&
        [ "$(gpg --batch --no-default-keyring --keyring "$1" --with-colons --list-keys 2>/dev/null | grep -c '^pub:')" = 1 ]
}

batch_of() {
    case "$1" in
        e2e-web-*) echo 1 ;; e2e-api-*) echo 2 ;; e2e-db-*) echo 3 ;;
    esac
}

assert_backup() { # HOST PREVIOUS_VERSION EXPECTED_SHA_OF_BACKED_UP_CONFIG
    local root
    root="$(host_root "$1")"
    check_eq "$1: rollback snapshot previous_version" "$(cat "$root/etc/datadog-agent/rollout-backup/previous_version" 2>/dev/null)" "$2"
    check_eq "$1: rollback snapshot holds the previous datadog.yaml" \
        "$(sha256sum "$root/etc/datadog-agent/rollout-backup/datadog.yaml" 2>/dev/null | cut -d' ' -f1)" "$3"
}

assert_removed() {
    local h="$1" root
    root="$(host_root "$h")"
    check_eq "$h: datadog-agent is not installed" "$(pkg_version "$h")" ""
    check_eq "$h: no agent process" "$(running_version "$h")" ""
    check "$h: apt source removed" test ! -e "$root/etc/apt/sources.list.d/datadog.list"
    check "$h: apt keyring removed" test ! -e "$root/usr/share/keyrings/datadog-archive-keyring.gpg"
    check "$h: datadog-signing-keys purged" test -z "$(pkg_status "$h" datadog-signing-keys | grep ' installed$')"
    check "$h: /etc/datadog-agent (API key, snapshot) removed" test ! -e "$root/etc/datadog-agent"
}

inventory_ok() { "$HERE/check-inventory.sh" "$INV" >"$LOGS/check-inventory.log" 2>&1; }

declare -A BASE_SHA=()

# ============================================================== scenarios ===
scenario() {
    SCENARIO="$1"
    SCENARIO_T0="$(now)"
    echo
    log "=== scenario $1"
}
end_scenario() { timing "scenario $SCENARIO" "$(elapsed "$SCENARIO_T0")"; }

s_baseline() {
    scenario "0 baseline: deploy 7.71.0 (site datadoghq.com) to all batches, GO gates"
    run_playbook s0-baseline deploy-datadog.yml -e datadog_agent_version=7.71.0 -e datadog_site=datadoghq.com
    check_eq "deploy exit code" "$PB_RC" 0 || true
    [ "$PB_RC" = 0 ] || show_log_tail s0-baseline 40
    local h
    for h in "${HOSTS[@]}"; do
        assert_agent "$h" "$OLD" datadoghq.com
        check "$h: no rollback snapshot after a first install" test ! -e "$(host_root "$h")/etc/datadog-agent/rollout-backup/previous_version"
        BASE_SHA[$h]="$(config_sha "$h")"
    done
    check_eq "gate called after each of the 3 batches" "$(gate_calls)" 3
    record_batch_timings s0-baseline "  rollout 7.71.0"
    timing "  deploy 7.71.0 (fresh install, 6 hosts) total" "$PB_SECONDS"
    end_scenario
}

s_nogo() {
    scenario "b NO-GO after batch 1 stops the 7.72.0 rollout"
    : >"$GATE_LOG"
    E2E_GATE_NOGO="1" run_playbook s_b-nogo deploy-datadog.yml
    check "deploy exits non-zero on NO-GO" test "$PB_RC" -ne 0
    check "output reports the NO-GO" log_has s_b-nogo "GATE NO-GO after batch 1"
    check_eq "gate called once (batch 1 only)" "$(gate_calls)" 1
    local h
    for h in "${BATCH1[@]}"; do assert_agent "$h" "$NEW" us5.datadoghq.com; done
    for h in "${BATCH2[@]}" "${BATCH3[@]}"; do
        assert_agent "$h" "$OLD" datadoghq.com
        check_eq "$h: datadog.yaml untouched" "$(config_sha "$h")" "${BASE_SHA[$h]}"
    done
    record_batch_timings s_b-nogo "  rollout 7.72.0 (NO-GO)"
    end_scenario
}

s_fail_closed() {
    scenario "gate fails closed: missing command, skip without reason, timeout, --limit without localhost"
    : >"$GATE_LOG"
    run_playbook s_g-missing deploy-datadog.yml -e rollout_gate_command=/nonexistent/rollout-gate
    check "missing gate command: non-zero exit" test "$PB_RC" -ne 0
    check "missing gate command: refused in preflight" log_has s_g-missing "is not an executable file on the controller"

    run_playbook s_g-noreason deploy-datadog.yml -e rollout_skip_gate=true
    check "skip without reason: non-zero exit" test "$PB_RC" -ne 0
    check "skip without reason: refused in preflight" log_has s_g-noreason "rollout_skip_gate=true needs rollout_skip_gate_reason"

    run_playbook s_g-limit deploy-datadog.yml --limit batch_2
    check "--limit without localhost: non-zero exit" test "$PB_RC" -ne 0
    check "--limit without localhost: refused" log_has s_g-limit "include localhost in --limit"

    E2E_GATE_SLEEP=20 run_playbook s_g-timeout deploy-datadog.yml -e rollout_gate_timeout_seconds=3
    check "gate timeout: non-zero exit" test "$PB_RC" -ne 0
    check "gate timeout: reported as NO-GO" log_has s_g-timeout "GATE NO-GO after batch 1"
    check "gate timeout: gate was asked for batch 1 only" test "$(grep -c 'batch=2' "$GATE_LOG")" -eq 0
    local h
    for h in "${BATCH2[@]}" "${BATCH3[@]}"; do
        check_eq "$h: still on the old version after the refused runs" "$(pkg_version "$h")" "$OLD"
    done
    end_scenario
}

s_full() {
    scenario "a full 7.72.0 rollout in 3 batches with GO gates"
    : >"$GATE_LOG"
    : >"$E2E_DOWNTIME_LOG"
    run_playbook s_a-full deploy-datadog.yml
    check_eq "deploy exit code" "$PB_RC" 0
    [ "$PB_RC" = 0 ] || show_log_tail s_a-full 40
    check_eq "gate order" "$(sed -n 's/.*batch=\([0-9]\) decision=\([A-Z-]*\).*/\1:\2/p' "$GATE_LOG" | tr '\n' ' ')" "1:GO 2:GO 3:GO "
    check "gate received the batch hosts" grep -q 'batch=2 decision=GO hosts=e2e-api-01,e2e-api-02 failed=$' "$GATE_LOG"
    check_eq "quiet restart around each batch" "$(sed -n 's/^action=\([a-z]*\) stage=e2e batch=\([0-9]\).*/\1:\2/p' "$E2E_DOWNTIME_LOG" | tr '\n' ' ')" \
        "schedule:1 cancel:1 schedule:2 cancel:2 schedule:3 cancel:3 "
    check "quiet restart scoped to the batch's hosts" grep -q '^action=schedule stage=e2e batch=2 hosts=e2e-api-01,e2e-api-02 minutes=30$' "$E2E_DOWNTIME_LOG"
    local h
    for h in "${HOSTS[@]}"; do
        assert_agent "$h" "$NEW" us5.datadoghq.com
        assert_full_config "$h"
        assert_backup "$h" "$OLD" "${BASE_SHA[$h]}"
    done
    record_batch_timings s_a-full "  rollout 7.72.0"
    timing "  deploy 7.72.0 (upgrade) total" "$PB_SECONDS"
    end_scenario
}

s_idempotent() {
    scenario "d re-running the deploy changes nothing (verbose output)"
    # -v prints every task result: the no_log tasks and the status masking
    # must still keep the API key out of the output (checked in s_secrets).
    run_playbook s_d-idempotent deploy-datadog.yml -v
    check_eq "deploy exit code" "$PB_RC" 0
    local h line
    for h in "${HOSTS[@]}" localhost; do
        line="$(recap_line s_d-idempotent "$h")"
        if [[ "$line" =~ changed=0\  ]] && [[ "$line" =~ failed=0\  ]] && [[ "$line" =~ unreachable=0\  ]]; then
            ok "$h: recap changed=0 failed=0"
        else
            nok "$h: recap not clean: ${line:-missing}"
        fi
    done
    for h in "${HOSTS[@]}"; do
        assert_backup "$h" "$OLD" "${BASE_SHA[$h]}"
    done
    check "agent status is shown with the API key suffix masked" log_has s_d-idempotent "API key ending with *****"
    check "no_log hides the datadog.yaml task result" log_has s_d-idempotent "the output has been hidden due to the fact that"
    record_batch_timings s_d-idempotent "  rollout 7.72.0 (no-op)"
    end_scenario
}

s_rollback_previous() {
    scenario "c rollback batch 1 to the previous version and config"
    run_playbook s_c-rollback rollback-datadog.yml -e rollback_batch=1 -e rollback_mode=previous
    check_eq "rollback exit code" "$PB_RC" 0
    [ "$PB_RC" = 0 ] || show_log_tail s_c-rollback 40
    local h
    for h in "${BATCH1[@]}"; do
        assert_agent "$h" "$OLD" datadoghq.com
        check_eq "$h: previous datadog.yaml restored byte for byte" "$(config_sha "$h")" "${BASE_SHA[$h]}"
    done
    for h in "${BATCH2[@]}" "${BATCH3[@]}"; do assert_agent "$h" "$NEW" us5.datadoghq.com; done
    check "rollback printed its duration within the 15 minute target" log_has s_c-rollback "target=900 within_target=True"
    record_batch_timings s_c-rollback "  rollback previous"
    end_scenario
}

s_rollback_remove() {
    scenario "e remove rollback of batch 2"
    run_playbook s_e-remove rollback-datadog.yml -e rollback_batch=2 -e rollback_mode=remove
    check_eq "rollback exit code" "$PB_RC" 0
    [ "$PB_RC" = 0 ] || show_log_tail s_e-remove 40
    local h
    for h in "${BATCH2[@]}"; do assert_removed "$h"; done
    for h in "${BATCH1[@]}"; do assert_agent "$h" "$OLD" datadoghq.com; done
    for h in "${BATCH3[@]}"; do assert_agent "$h" "$NEW" us5.datadoghq.com; done
    record_batch_timings s_e-remove "  rollback remove"

    run_playbook s_e-noprevious rollback-datadog.yml -e rollback_batch=2 -e rollback_mode=previous
    check "rollback previous without a snapshot fails" test "$PB_RC" -ne 0
    check "rollback previous without a snapshot explains why" log_has s_e-noprevious "No rollback snapshot on e2e-api-01"
    end_scenario
}

s_key_pinning() {
    scenario "unpinned signing key is refused (batch 2, nothing installed)"
    : >"$GATE_LOG"
    run_playbook s_k-rogue deploy-datadog.yml --limit 'batch_2:localhost' -e "@$WORK/rogue-vars.yml"
    check "deploy with an unpinned key fails" test "$PB_RC" -ne 0
    check "failure names the unpinned fingerprint" log_has s_k-rogue "$ROGUE_FPR that are not in the pinned list"
    # Every host of the batch failed, so Ansible ends the run right there.
    check_eq "rollout stopped: no gate asked" "$(gate_calls)" 0
    local h
    for h in "${BATCH2[@]}"; do
        check_eq "$h: nothing installed" "$(pkg_version "$h")" ""
        check "$h: no keyring written" test ! -e "$(host_root "$h")/usr/share/keyrings/datadog-archive-keyring.gpg"
        check "$h: no apt source written" test ! -e "$(host_root "$h")/etc/apt/sources.list.d/datadog.list"
    done
    end_scenario
}

s_max_failed() {
    scenario "a batch over the failed-host limit stops the rollout before any change"
    local root gpg_bin
    root="$(host_root e2e-web-01)"
    gpg_bin="$root/usr/bin/gpg"
    mv "$gpg_bin" "$gpg_bin.e2e-broken" # break one host of batch 1
    : >"$GATE_LOG"
    run_playbook s_f-maxfail deploy-datadog.yml
    mv "$gpg_bin.e2e-broken" "$gpg_bin"
    check "deploy exits non-zero" test "$PB_RC" -ne 0
    check "rollout stopped with 1 of 2 hosts failed" log_has s_f-maxfail "ROLLOUT STOPPED in batch 1 after prepare: 1 of 2 hosts failed"
    check_eq "no gate was asked" "$(gate_calls)" 0
    check_eq "e2e-web-02 (healthy, same batch) not upgraded" "$(pkg_version e2e-web-02)" "$OLD"
    check_eq "e2e-web-02 config untouched" "$(config_sha e2e-web-02)" "${BASE_SHA[e2e-web-02]}"
    check_eq "e2e-web-01 not upgraded" "$(pkg_version e2e-web-01)" "$OLD"
    local h
    for h in "${BATCH2[@]}"; do check_eq "$h: batch 2 untouched (still removed)" "$(pkg_version "$h")" ""; done
    end_scenario
}

s_recover() {
    scenario "recovery: deploy 7.72.0 everywhere again, gates skipped with a reason, events hook on"
    : >"$GATE_LOG"
    : >"$E2E_EVENT_LOG"
    run_playbook s_r-recover deploy-datadog.yml -e rollout_skip_gate=true -e "rollout_skip_gate_reason='e2e recovery run'" \
        -e "rollout_events_command=$HERE/fixtures/event.sh"
    check_eq "deploy exit code" "$PB_RC" 0
    [ "$PB_RC" = 0 ] || show_log_tail s_r-recover 40
    check_eq "skipped gates are announced with the reason" "$(flat_log s_r-recover | grep -o 'GATE SKIPPED after batch [0-9] of stage e2e: e2e recovery run' | wc -l)" 3
    check_eq "gate command not called" "$(gate_calls)" 0
    check_eq "events hook called at each batch start and end" "$(tr '\n' ' ' <"$E2E_EVENT_LOG")" \
        "stage=e2e batch=1 phase=start stage=e2e batch=1 phase=end stage=e2e batch=2 phase=start stage=e2e batch=2 phase=end stage=e2e batch=3 phase=start stage=e2e batch=3 phase=end "
    local h
    for h in "${HOSTS[@]}"; do
        assert_agent "$h" "$NEW" us5.datadoghq.com
    done
    for h in "${BATCH2[@]}"; do
        check "$h: fresh install after removal has no snapshot" test ! -e "$(host_root "$h")/etc/datadog-agent/rollout-backup/previous_version"
    done
    for h in "${BATCH1[@]}"; do assert_backup "$h" "$OLD" "${BASE_SHA[$h]}"; done
    record_batch_timings s_r-recover "  rollout 7.72.0 (recovery)"
    end_scenario
}

s_secrets() {
    scenario "the API key appears only in datadog.yaml on the hosts"
    local suffix="${DD_API_KEY: -5}" h root found unexpected
    if grep -rqF -- "$DD_API_KEY" "$LOGS" "$WORK/ansible-tmp" "$INV" "$VARS" 2>/dev/null; then
        nok "API key found in Ansible output/logs: $(grep -rlF -- "$DD_API_KEY" "$LOGS" "$WORK/ansible-tmp" "$INV" "$VARS" | tr '\n' ' ')"
    else
        ok "API key absent from all Ansible output, logs, inventory and vars"
    fi
    if grep -rqE -- "ending with $suffix" "$LOGS"; then nok "API key suffix printed by agent status"; else ok "API key suffix masked in output"; fi
    if git -C "$REPO" grep -qF -- "$DD_API_KEY" 2>/dev/null; then nok "API key in the repository"; else ok "API key absent from the repository"; fi
    for h in "${HOSTS[@]}"; do
        root="$(host_root "$h")"
        found="$(grep -rlF -- "$DD_API_KEY" "$root/etc" "$root/root" "$root/tmp" "$root/var/tmp" "$root/var/log" \
            "$root/var/backups" "$root/opt" "$root/run" 2>/dev/null | sed "s#^$root##" | sort | tr '\n' ' ')"
        unexpected="$(tr ' ' '\n' <<<"$found" | grep -vxE '|/etc/datadog-agent/datadog.yaml|/etc/datadog-agent/rollout-backup/datadog.yaml' | tr '\n' ' ')"
        check_eq "$h: API key only in datadog.yaml (and its rollback copy)" "${unexpected// /}" ""
        check "$h: API key present in datadog.yaml" grep -qF -- "$DD_API_KEY" "$root/etc/datadog-agent/datadog.yaml"
    done
    end_scenario
}

# ============================================ issue 14: hosts as they are ===
# Dirty hosts, as real fleets have them (issue 14): a Datadog apt source
# added by hand without signed-by (apt then fails for every package next to
# ours), user configuration through the official role's variables
# (datadog_config tags and processing rules, datadog_checks), a user
# system-probe.yaml; a first install rolled back; --check; no python3-apt.
DIRTY_APT_HOST=e2e-db-01
USER_CONF_HOST=e2e-web-01
declare -A USER_SHA=()

s_dirty_setup() {
    scenario "dirty hosts: hand-made Datadog apt sources ($DIRTY_APT_HOST), user config and system-probe.yaml ($USER_CONF_HOST)"
    local root gid
    root="$(host_root "$DIRTY_APT_HOST")"
    # Another keyring for the same repository (as hand-written setups and
    # other install scripts name it): apt refuses every command.
    cat >"$root/etc/apt/sources.list.d/datadog-by-hand.list" <<EOF
# Datadog, added by hand before the rollout (this comment stays)
deb [signed-by=/usr/share/keyrings/datadog-keyring.gpg] $REPO_URL stable 7
EOF
    # No signed-by at all (older official role, old install script): duplicates.
    printf '# Debian sources would be here\ndeb %s stable 7\ndeb https://apt.datadoghq.com/ stable 7\n' "$REPO_URL" >>"$root/etc/apt/sources.list"
    printf 'Types: deb\nURIs: https://apt.datadoghq.com/\nSuites: stable\nComponents: 7\n' \
        >"$root/etc/apt/sources.list.d/datadog-old.sources"
    chroot "$root" apt-get update >"$LOGS/dirty-apt-update-before.log" 2>&1
    check "$DIRTY_APT_HOST: with the hand-made source next to ours apt-get update fails (the bug)" \
        grep -q "Conflicting values set for option Signed-By" "$LOGS/dirty-apt-update-before.log"

    root="$(host_root "$USER_CONF_HOST")"
    mkdir -p "$WORK/host_vars"
    cat >"$WORK/host_vars/$USER_CONF_HOST.yml" <<EOF
---
# User configuration through the official role's variables (issue 14).
datadog_config:
  tags: ["owner:e2e-user", "rollout_batch:9"]
  apm_config:
    env: e2e-user
  logs_config:
    processing_rules:
      - type: exclude_at_match
        name: exclude_healthchecks
        pattern: GET /healthz
datadog_checks:
  http_check:
    init_config: {}
    instances:
      - name: e2e
        url: http://127.0.0.1:9/
EOF
    printf '# system-probe.yaml written by the host owner before the rollout\nnetwork_config:\n  enabled: false\n' \
        >"$root/etc/datadog-agent/system-probe.yaml"
    chroot "$root" chown root:dd-agent /etc/datadog-agent/system-probe.yaml
    chmod 0640 "$root/etc/datadog-agent/system-probe.yaml"
    USER_SHA[system-probe]="$(sha256sum "$root/etc/datadog-agent/system-probe.yaml" | cut -d' ' -f1)"
    USER_SHA[process]="$(sha256sum "$root/etc/datadog-agent/conf.d/process.d/conf.yaml" | cut -d' ' -f1)"
    gid="$(awk -F: '$1 == "dd-agent" { print $3 }' "$root/etc/group")"
    USER_SHA[owner]="640 0 $gid"
    end_scenario
}

# After s_full: what the rollout did to the dirty hosts.
s_dirty_asserts() {
    scenario "dirty hosts after the 7.72.0 rollout: sources cleaned, user config merged, snapshot complete"
    local root left out gid
    root="$(host_root "$DIRTY_APT_HOST")"
    check "$DIRTY_APT_HOST: hand-made source line removed, its comment kept" \
        bash -c "! grep -q '^deb ' '$root/etc/apt/sources.list.d/datadog-by-hand.list' && grep -q '^# Datadog, added by hand' '$root/etc/apt/sources.list.d/datadog-by-hand.list'"
    check "$DIRTY_APT_HOST: unsigned Datadog lines removed from sources.list, other lines kept" \
        bash -c "! grep -qE 'apt.datadoghq.com|127.0.0.1:$PORT' '$root/etc/apt/sources.list' && grep -q '^# Debian sources would be here' '$root/etc/apt/sources.list'"
    check "$DIRTY_APT_HOST: Datadog-only deb822 file removed" test ! -e "$root/etc/apt/sources.list.d/datadog-old.sources"
    left="$(grep -rlE "apt\.datadoghq\.com|127\.0\.0\.1:$PORT" "$root/etc/apt/sources.list" "$root/etc/apt/sources.list.d" | sed "s#^$root##" | tr '\n' ' ')"
    check_eq "$DIRTY_APT_HOST: only the role's Datadog source is left" "$left" "/etc/apt/sources.list.d/datadog.list "
    chroot "$root" apt-get update >"$LOGS/dirty-apt-update-after.log" 2>&1
    check "$DIRTY_APT_HOST: apt-get update works again, without warnings" \
        bash -c "! grep -qE '^(E|W):' '$LOGS/dirty-apt-update-after.log'"
    check "the rollout reported the removed sources" log_has s_a-full "removed conflicting Datadog apt source(s)"

    root="$(host_root "$USER_CONF_HOST")"
    out="$("$PY" "$HERE/lib/check_user_config.py" "$root/etc/datadog-agent/datadog.yaml" "$REPO/ansible/roles/datadog_agent/defaults/main.yml" \
        '{"tags_present": ["owner:e2e-user", "rollout_batch:1", "env:e2e", "service:web"], "tags_absent": ["rollout_batch:9"],
          "user_rule_names": ["exclude_healthchecks"], "apm_env": "e2e-user"}' 2>&1)"
    if [ -z "$out" ]; then ok "$USER_CONF_HOST: datadog_config merged (user tags + rollout_batch:1, scrub rules then the user's rule, apm env)"; else nok "$USER_CONF_HOST: datadog_config merge: $out"; fi
    out="$("$PY" "$HERE/lib/check_check_configs.py" "$root/etc/datadog-agent/conf.d" \
        '{"http_check.d/conf.yaml": {"init_config": {}, "instances": [{"name": "e2e", "url": "http://127.0.0.1:9/"}]}}' 2>&1)"
    if [ -z "$out" ]; then ok "$USER_CONF_HOST: datadog_checks.http_check rendered to conf.d/http_check.d/conf.yaml"; else nok "$USER_CONF_HOST: datadog_checks: $out"; fi
    check_eq "$USER_CONF_HOST: conf.d/http_check.d/conf.yaml mode/owner/group" \
        "$(stat -c '%a %u %g' "$root/etc/datadog-agent/conf.d/http_check.d/conf.yaml" 2>/dev/null)" "${USER_SHA[owner]}"
    out="$(tar -tzf "$root/etc/datadog-agent/rollout-backup/config.tar.gz" 2>&1 | tr '\n' ' ')"
    check "$USER_CONF_HOST: snapshot archive holds system-probe.yaml and conf.d/process.d" \
        bash -c "grep -q 'system-probe.yaml' <<<'$out' && grep -q 'conf.d/process.d/conf.yaml' <<<'$out'"
    check "$USER_CONF_HOST: snapshot archive predates datadog_checks (no http_check.d)" bash -c "! grep -q http_check <<<'$out'"
    # What a new Agent version's package could do to the files the rollback must restore.
    printf '# changed after the upgrade\n' >>"$root/etc/datadog-agent/system-probe.yaml"
    printf 'runtime_security_config:\n  enabled: true\n' >"$root/etc/datadog-agent/security-agent.yaml"
    end_scenario
}

# After s_rollback_previous (batch 1): the other configuration is back too.
s_restore_asserts() {
    scenario "rollback previous restored conf.d, system-probe.yaml and security-agent.yaml ($USER_CONF_HOST)"
    local root
    root="$(host_root "$USER_CONF_HOST")"
    check_eq "$USER_CONF_HOST: system-probe.yaml restored byte for byte" \
        "$(sha256sum "$root/etc/datadog-agent/system-probe.yaml" 2>/dev/null | cut -d' ' -f1)" "${USER_SHA[system-probe]}"
    check_eq "$USER_CONF_HOST: system-probe.yaml mode/owner/group restored" \
        "$(stat -c '%a %u %g' "$root/etc/datadog-agent/system-probe.yaml" 2>/dev/null)" "${USER_SHA[owner]}"
    check "$USER_CONF_HOST: security-agent.yaml (absent before the rollout) removed" test ! -e "$root/etc/datadog-agent/security-agent.yaml"
    check "$USER_CONF_HOST: conf.d/http_check.d (added by the rollout) removed" test ! -e "$root/etc/datadog-agent/conf.d/http_check.d"
    check_eq "$USER_CONF_HOST: conf.d/process.d/conf.yaml as before the rollout" \
        "$(sha256sum "$root/etc/datadog-agent/conf.d/process.d/conf.yaml" 2>/dev/null | cut -d' ' -f1)" "${USER_SHA[process]}"
    end_scenario
}

s_first_install_rollback() {
    scenario "rollback previous of batch 2, first installed by the recovery rollout: removal, said so"
    run_playbook s_i-first-install rollback-datadog.yml -e rollback_batch=2 -e rollback_mode=previous
    check_eq "rollback exit code" "$PB_RC" 0
    [ "$PB_RC" = 0 ] || show_log_tail s_i-first-install 40
    check "rollback says the batch was rolled back by removal" log_has s_i-first-install "ROLLBACK_BY_REMOVAL batch=2 hosts=e2e-api-01,e2e-api-02"
    local h
    for h in "${BATCH2[@]}"; do assert_removed "$h"; done
    for h in "${BATCH1[@]}" "${BATCH3[@]}"; do check_eq "$h: untouched" "$(pkg_version "$h")" "$NEW"; done
    record_batch_timings s_i-first-install "  rollback previous (first install)"
    end_scenario
}

s_check_mode() {
    scenario "--check is refused with a clear message, nothing changed"
    local h
    declare -A before=()
    for h in "${BATCH3[@]}"; do before[$h]="$(config_sha "$h")"; done
    run_playbook s_j-check deploy-datadog.yml --check --limit 'batch_3:localhost' -e datadog_agent_version=7.71.0 -e datadog_agent_allow_downgrade=true
    check "--check: non-zero exit" test "$PB_RC" -ne 0
    check "--check: refused with a clear message" log_has s_j-check "Check mode (--check) is not supported by the datadog_agent role"
    for h in "${BATCH3[@]}"; do
        check_eq "$h: still on 7.72.0 after --check" "$(pkg_version "$h")" "$NEW"
        check_eq "$h: datadog.yaml untouched by --check" "$(config_sha "$h")" "${before[$h]}"
    done
    end_scenario
}

s_no_python_apt() {
    scenario "a host whose python3-apt is unusable fails in prepare with a clear message"
    local h=e2e-db-02 root f
    root="$(host_root "$h")"
    for f in "$root"/usr/lib/python3/dist-packages/apt "$root"/usr/lib/python3/dist-packages/apt_pkg*.so; do mv "$f" "$f.e2e-hidden"; done
    run_playbook s_p-no-python-apt deploy-datadog.yml --limit 'batch_3:localhost'
    for f in "$root"/usr/lib/python3/dist-packages/*.e2e-hidden; do mv "$f" "${f%.e2e-hidden}"; done
    check "no python3-apt: non-zero exit" test "$PB_RC" -ne 0
    check "no python3-apt: the failure names python3-apt and the fix" log_has s_p-no-python-apt "has no usable python3-apt"
    check "no python3-apt: the failed-host limit stopped the batch after prepare" log_has s_p-no-python-apt "ROLLOUT STOPPED in batch 3 after prepare: 1 of 2 hosts failed"
    check_eq "$h: still on 7.72.0" "$(pkg_version "$h")" "$NEW"
    end_scenario
}

# ---- begin: fleet-scale preflight scenario (owner: fleet scale, docs/ansible-scale.md) ----
# Unsupported platforms are refused before any batch; unreachable hosts are
# handled by rollout_unreachable_policy (exclude up to a limit, stop, count).
# Runs last: every host is on 7.72.0, so the deploys below are no-ops.
s_fleet_preflight() {
    scenario "fleet preflight: SUSE/Windows refused before batch 1; unreachable hosts excluded (limit), stopped, or counted"
    local suse_root fleet_inv="$WORK/hosts-fleet.yml" h
    suse_root="$(host_root e2e-db-02)"
    # An inventory host declared Windows, and a batch_1 host that refuses
    # connections at once (closed port: a terminated instance without the wait).
    "$PY" - "$INV" "$fleet_inv" <<'PYEOF'
import sys, yaml
inv = yaml.safe_load(open(sys.argv[1]))
kids = inv["all"]["children"]["e2e"]["children"]
kids["batch_1"]["hosts"]["e2e-dead-01"] = {"ansible_host": "127.0.0.1", "ansible_port": 1, "ansible_connection": "ssh",
                                           "datadog_tags": ["env:e2e", "rollout_batch:1"]}
kids["batch_3"]["hosts"]["e2e-win-01"] = {"ansible_host": "192.0.2.10", "ansible_connection": "winrm",
                                          "datadog_tags": ["env:e2e", "rollout_batch:3"]}
yaml.safe_dump(inv, open(sys.argv[2], "w"), sort_keys=False)
PYEOF
    mv "$suse_root/etc/os-release" "$suse_root/etc/os-release.e2e-debian"
    printf 'NAME="openSUSE Leap"\nVERSION_ID="15.5"\nID="opensuse-leap"\nID_LIKE="suse opensuse"\nPRETTY_NAME="openSUSE Leap 15.5"\n' \
        >"$suse_root/etc/os-release"
    : >"$GATE_LOG"
    run_playbook s_p-platform deploy-datadog.yml -i "$fleet_inv"
    rm -f "$suse_root/etc/os-release"
    mv "$suse_root/etc/os-release.e2e-debian" "$suse_root/etc/os-release"
    check "unsupported platforms: non-zero exit" test "$PB_RC" -ne 0
    check "refusal names the SUSE host and its OS family" log_has s_p-platform "e2e-db-02 (Suse: openSUSE Leap 15.5)"
    check "refusal names the Windows host" log_has s_p-platform "e2e-win-01 (Windows, ansible_connection=winrm)"
    check "refused before any batch (no batch play ran)" test -z "$(flat_log s_p-platform | grep -o 'ROLLOUT_TIMING')"
    check_eq "refused before any batch: no gate asked" "$(gate_calls)" 0

    # From here on batch_1 (2 hosts + the dead one) only.
    "$PY" - "$fleet_inv" <<'PYEOF'
import sys, yaml
inv = yaml.safe_load(open(sys.argv[1]))
del inv["all"]["children"]["e2e"]["children"]["batch_3"]["hosts"]["e2e-win-01"]
yaml.safe_dump(inv, open(sys.argv[1], "w"), sort_keys=False)
PYEOF
    : >"$GATE_LOG"
    run_playbook s_p-stop deploy-datadog.yml -i "$fleet_inv" --limit 'batch_1:localhost'
    check "1 of 3 unreachable > 5% default: non-zero exit" test "$PB_RC" -ne 0
    check "stopped before any batch, naming the host" log_has s_p-stop "ROLLOUT STOPPED before any batch: unreachable hosts batch_1 1/3 (33.3%): e2e-dead-01"
    check_eq "stopped before any batch: no gate asked" "$(gate_calls)" 0

    : >"$GATE_LOG"
    run_playbook s_p-exclude deploy-datadog.yml -i "$fleet_inv" --limit 'batch_1:localhost' -e rollout_max_unreachable_hosts_percent=50
    check_eq "exclude within the limit: deploy exit code" "$PB_RC" 0
    [ "$PB_RC" = 0 ] || show_log_tail s_p-exclude 40
    check "the unreachable host is reported before the batch" log_has s_p-exclude "ROLLOUT_UNREACHABLE batch_1: 1 of 3 hosts (33.3%, policy exclude, limit 50%): e2e-dead-01"
    check "the batch report lists it as excluded" log_has s_p-exclude "excluded=e2e-dead-01"
    check "the gate got the reachable hosts only" grep -q 'batch=1 decision=GO hosts=e2e-web-01,e2e-web-02 failed=$' "$GATE_LOG"
    for h in "${BATCH1[@]}"; do assert_agent "$h" "$NEW" us5.datadoghq.com; done

    : >"$GATE_LOG"
    run_playbook s_p-count deploy-datadog.yml -i "$fleet_inv" --limit 'batch_1:localhost' -e rollout_unreachable_policy=count
    check "policy count: the dead host fails in the batch and stops it" log_has s_p-count "ROLLOUT STOPPED in batch 1 after prepare: 1 of 3 hosts failed"
    check_eq "policy count: no gate asked" "$(gate_calls)" 0
    end_scenario
}
# ---- end: fleet-scale preflight scenario ----

# ---- begin: quiet restarts around rollbacks (owner: quiet restarts, docs/drift-and-coverage.md) ----
# The rollback playbook schedules a downtime (fixtures/downtime.sh logs the
# call) before each batch and cancels it after, also when hosts fail; a failed
# schedule or cancel does not stop a rollback (fail open, reported).
quiet_calls() { sed -n 's/^action=\([a-z]*\) stage=e2e batch=\([0-9]\).*/\1:\2/p' "$E2E_DOWNTIME_LOG" | tr '\n' ' '; }
quiet_reset() { : >"$E2E_DOWNTIME_LOG"; }

# After s_rollback_previous (batch 1, previous).
s_quiet_rollback_asserts() {
    scenario "quiet restart around the rollback of batch 1"
    check_eq "rollback: schedule before the batch, cancel after" "$(quiet_calls)" "schedule:1 cancel:1 "
    check "rollback: downtime scoped to the batch's hosts, bounded, 20 s per command" \
        grep -qx 'action=schedule stage=e2e batch=1 hosts=e2e-web-01,e2e-web-02 minutes=30 deadline=20' "$E2E_DOWNTIME_LOG"
    check "rollback: the cancel is bounded too" grep -qx 'action=cancel stage=e2e batch=1 hosts= minutes= deadline=20' "$E2E_DOWNTIME_LOG"
    end_scenario
}

# After s_rollback_remove: its second run (previous without a snapshot) fails on every host.
s_quiet_rollback_failed_asserts() {
    scenario "quiet restart ended after a rollback whose hosts failed"
    check_eq "remove, then a failing previous: each scheduled and cancelled" "$(quiet_calls)" "schedule:2 cancel:2 schedule:2 cancel:2 "
    check_eq "the failing run's cancel came after its hosts failed" \
        "$(flat_log s_e-noprevious | grep -oE 'ROLLBACK FAILED on e2e-api-0[12]|End the quiet restart' | tail -n 1)" "End the quiet restart"
    end_scenario
}

# A rollback when Datadog refuses the downtime goes on (fail open) and says so;
# --limit narrows the downtime to the hosts of this run.
s_quiet_rollback_fail_open() {
    scenario "rollback with the downtime API failing: goes on, reported; --limit scopes the downtime"
    quiet_reset
    E2E_DOWNTIME_FAIL="schedule cancel" run_playbook s_q-fail-open rollback-datadog.yml \
        -e rollback_batch=1 -e rollback_to_version=7.71.0 --limit 'e2e-web-01:localhost'
    check_eq "rollback exit code with the downtime API failing" "$PB_RC" 0
    [ "$PB_RC" = 0 ] || show_log_tail s_q-fail-open 40
    check "the failed schedule is reported" log_has s_q-fail-open "QUIET RESTART NOT SCHEDULED for batch 1 of stage e2e (rc=1)"
    check "the failed cancel is reported" log_has s_q-fail-open "QUIET RESTART NOT ENDED for batch 1 of stage e2e (rc=1)"
    check_eq "schedule and cancel both tried" "$(quiet_calls)" "schedule:1 cancel:1 "
    check "--limit: only e2e-web-01 in the downtime" grep -q '^action=schedule stage=e2e batch=1 hosts=e2e-web-01 minutes=30' "$E2E_DOWNTIME_LOG"
    check "the host on 7.71.0 was left as it is" log_has s_q-fail-open "nothing to roll back to 7.71.0; left as it is"
    check_eq "e2e-web-01: still on 7.71.0" "$(pkg_version e2e-web-01)" "$OLD"
    end_scenario
}
# ---- end: quiet restarts around rollbacks ----

# =================================================================== main ===
# Everything runs from this function so bash has parsed the whole file
# before the first step (editing the script during a run cannot break it).
main() {
    T_ALL="$(now)"
    build_base
    create_hosts
    build_repo
    start_http
    write_inventory
    check "test inventory passes check-inventory.sh" inventory_ok
    if [ "${ROLLOUT_E2E_ONLY:-}" = ssm ]; then s_ssm; timing "TOTAL" "$(elapsed "$T_ALL")"; exit 0; fi # issue 15

    s_baseline
    s_dirty_setup # issue 14
    s_nogo
    s_fail_closed
    s_full
    s_dirty_asserts # issue 14
    s_idempotent
    quiet_reset # quiet restarts (block above)
    s_rollback_previous
    s_quiet_rollback_asserts # quiet restarts
    s_restore_asserts        # issue 14
    s_quiet_rollback_fail_open # quiet restarts
    quiet_reset                # quiet restarts
    s_rollback_remove
    s_quiet_rollback_failed_asserts # quiet restarts
    s_key_pinning
    s_max_failed
    s_recover
    s_secrets
    s_fleet_preflight        # fleet scale (block above)
    s_first_install_rollback # issue 14
    s_check_mode             # issue 14
    s_no_python_apt          # issue 14
    s_ssm                    # issue 15 (lib/ssm-scenario.sh)

    timing "TOTAL" "$(elapsed "$T_ALL")"
    exit 0
}

# ---- begin: sourced by scripts/bench/ansible-scale.sh (owner: fleet scale) ----
# ROLLOUT_E2E_SOURCE_ONLY=1: define the setup functions (base, hosts, repo,
# HTTP server, run_playbook) for the benchmark and return without a scenario.
if [ "${ROLLOUT_E2E_SOURCE_ONLY:-0}" = 1 ] && [ "${BASH_SOURCE[0]}" != "$0" ]; then return 0; fi
# ---- end: sourced by scripts/bench/ansible-scale.sh ----
main "$@"

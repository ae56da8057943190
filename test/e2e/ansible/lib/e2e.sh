# shellcheck shell=bash
# Helpers for test/e2e/ansible/run.sh (sourced, not executed).
#
# Everything the harness creates lives under $WORK; cleanup() kills the
# processes it started (HTTP server, gpg-agent, fake agents running inside
# the chroots), unmounts every mount under $WORK and only then deletes it.

PASS=0
FAIL=0
declare -a TIMINGS=()
declare -a FAILURES=()
declare -a E2E_EXTRA_PIDS=() # servers a scenario started besides the repository (killed by cleanup)

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() {
    log "FATAL: $*"
    FAIL=$((FAIL + 1))
    FAILURES+=("setup: $*")
    exit 1
}

# ---------------------------------------------------------------- asserts ---
ok() {
    PASS=$((PASS + 1))
    printf '    ok    %s\n' "$*"
}
nok() {
    FAIL=$((FAIL + 1))
    FAILURES+=("${SCENARIO:-?}: $*")
    printf '    FAIL  %s\n' "$*"
}
# check DESCRIPTION COMMAND... : one assertion
check() {
    local desc="$1"
    shift
    if "$@"; then ok "$desc"; else nok "$desc"; fi
}
# check_eq DESCRIPTION GOT WANT
check_eq() {
    if [ "$2" = "$3" ]; then ok "$1"; else nok "$1 (got '$2', want '$3')"; fi
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
timing() { TIMINGS+=("$(printf '%-58s %8ss' "$1" "$2")"); }

# ------------------------------------------------------------ host facts ---
host_root() { printf '%s/%s' "$HOSTS_DIR" "$1"; }

# Installed datadog-agent version in a chroot ("" when not installed).
pkg_version() {
    dpkg-query --admindir="$(host_root "$1")/var/lib/dpkg" --show \
        --showformat='${Status}|${Version}' datadog-agent 2>/dev/null |
        awk -F'|' '$1 ~ / installed$/ { print $2 }'
}

pkg_selection() {
    dpkg-query --admindir="$(host_root "$1")/var/lib/dpkg" --show \
        --showformat='${Status}' datadog-agent 2>/dev/null | awk '{ print $1 }'
}

# Version reported by the agent process of this chroot, "" if none runs.
running_version() {
    local root pid
    root="$(host_root "$1")"
    pid="$(cat "$root/opt/datadog-agent/run/agent.pid" 2>/dev/null)" || return 0
    [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 0
    [ "$(readlink "/proc/$pid/root")" = "$root" ] || return 0
    sed -n 's/^version=//p' "$root/opt/datadog-agent/run/agent.state" 2>/dev/null
}

# PIDs of processes whose root directory is inside $1.
pids_rooted_in() {
    local dir="$1" p root
    for p in /proc/[0-9]*; do
        root="$(readlink "$p/root" 2>/dev/null)" || continue
        case "$root" in
            "$dir" | "$dir"/*) printf '%s\n' "${p#/proc/}" ;;
        esac
    done
}

config_sha() {
    local f
    f="$(host_root "$1")/etc/datadog-agent/datadog.yaml"
    if [ -f "$f" ]; then sha256sum "$f" | cut -d' ' -f1; else echo none; fi
}

config_site() {
    sed -n 's/^site: *//p' "$(host_root "$1")/etc/datadog-agent/datadog.yaml" 2>/dev/null | tr -d "\"'"
}

# ----------------------------------------------------------------- cleanup ---
kill_rooted_processes() {
    local dir="$1" pids
    pids="$(pids_rooted_in "$dir")"
    [ -n "$pids" ] || return 0
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        pids="$(pids_rooted_in "$dir")"
        [ -n "$pids" ] || return 0
        sleep 0.5
    done
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
}

mounts_under() {
    awk -v d="$1" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r
}

unmount_all_under() {
    local dir="$1" m
    for _ in 1 2 3; do
        for m in $(mounts_under "$dir"); do
            umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
        done
        [ -z "$(mounts_under "$dir")" ] && return 0
        sleep 1
    done
    [ -z "$(mounts_under "$dir")" ]
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    [ -n "${WORK:-}" ] && [ -d "$WORK" ] || { print_summary "$rc"; return; }
    log "cleanup: stopping processes and unmounting under $WORK"
    [ -n "${HTTP_PID:-}" ] && kill "$HTTP_PID" 2>/dev/null && wait "$HTTP_PID" 2>/dev/null
    local pid # other servers a scenario started on this machine (E2E_EXTRA_PIDS)
    for pid in ${E2E_EXTRA_PIDS[@]+"${E2E_EXTRA_PIDS[@]}"}; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
    if [ -n "${GNUPGHOME:-}" ] && [ -d "$GNUPGHOME" ]; then
        gpgconf --homedir "$GNUPGHOME" --kill all >/dev/null 2>&1
    fi
    kill_rooted_processes "$WORK"
    if ! unmount_all_under "$WORK"; then
        log "cleanup: WARNING mounts remain under $WORK, not deleting it:"
        mounts_under "$WORK"
        print_summary "$rc"
        return
    fi
    if [ -n "${ARTIFACTS:-}" ] && [ -d "$WORK/logs" ]; then
        mkdir -p "$ARTIFACTS" && cp -a "$WORK/logs/." "$ARTIFACTS/" 2>/dev/null &&
            log "cleanup: logs copied to $ARTIFACTS"
    fi
    if [ "${ROLLOUT_E2E_KEEP:-0}" = 1 ]; then
        log "cleanup: ROLLOUT_E2E_KEEP=1, keeping $WORK"
    else
        rm -rf --one-file-system "$WORK"
    fi
    print_summary "$rc"
}

print_summary() {
    local rc="$1" line
    echo
    echo "==================== timings ===================="
    for line in "${TIMINGS[@]}"; do echo "  $line"; done
    if [ "${#FAILURES[@]}" -gt 0 ]; then
        echo "==================== failures ==================="
        for line in "${FAILURES[@]}"; do echo "  $line"; done
    fi
    echo "================================================="
    if [ "$rc" -ne 0 ] && [ "$FAIL" -eq 0 ]; then
        # Aborted outside an assertion (setup error, timeout, signal).
        FAIL=1
    fi
    echo "$PASS passed, $FAIL failed"
    if [ "$FAIL" -gt 0 ]; then exit 1; fi
    exit 0
}

# dpkg status line of a package in a chroot ("" when unknown).
pkg_status() {
    dpkg-query --admindir="$(host_root "$1")/var/lib/dpkg" --show --showformat='${Status}' "$2" 2>/dev/null
}

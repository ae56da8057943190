#!/usr/bin/env bash
# Fleet-scale benchmark of the Datadog Agent rollout (not part of CI).
#
#   sudo scripts/bench/ansible-scale.sh [--sizes "6 12 24"] [--forks "3 50"] [--out FILE]
#
# On chroot test hosts built by test/e2e/ansible/run.sh's own machinery
# (sourced with ROLLOUT_E2E_SOURCE_ONLY=1: the cached debootstrap base, the
# fake 7.71.0/7.72.0 packages in a signed apt repository on 127.0.0.1), for
# each size N: N hosts in one batch, a first install of 7.71.0 (setup, not
# timed), then for each forks value F: deploy 7.72.0 (upgrade) and roll the
# batch back (rollback_mode=previous), each timed by the playbooks'
# ROLLOUT_TIMING / ROLLBACK_TIMING lines (the batch play only: no preflight,
# no gate). The results go to a TSV (N F waves op seconds) that
# ansible-scale-fit.py turns into the fit and the projection.
# Also times the preflight's duplicate check at 1,000 generated hosts.
set -uo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/../.." && pwd)"
SIZES="6 12 24"
FORKS_LIST="3 50"
OUT="$ROOT/.tmp/bench-ansible/results.tsv"
while [ $# -gt 0 ]; do
    case "$1" in
        --sizes) SIZES="$2"; shift 2 ;;
        --forks) FORKS_LIST="$2"; shift 2 ;;
        --out) OUT="$2"; shift 2 ;;
        -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "ansible-scale.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
if [ "$(id -u)" -ne 0 ]; then echo "ansible-scale.sh must run as root (chroot, mount); try sudo" >&2; exit 1; fi
mkdir -p "$(dirname "$OUT")"

export _ROLLOUT_E2E_BOUNDED=1 ROLLOUT_E2E_SOURCE_ONLY=1
export ROLLOUT_E2E_TIMEOUT="${ROLLOUT_E2E_TIMEOUT:-7200}"
export ROLLOUT_E2E_ARTIFACTS="${ROLLOUT_E2E_ARTIFACTS:-$ROOT/.tmp/bench-ansible/logs}"
# shellcheck source=../../test/e2e/ansible/run.sh
. "$ROOT/test/e2e/ansible/run.sh"

MAX_N=0
for n in $SIZES; do [ "$n" -gt "$MAX_N" ] && MAX_N="$n"; done
# shellcheck disable=SC2034 # HOSTS is read by run.sh's create_hosts
mapfile -t HOSTS < <(for i in $(seq 1 "$MAX_N"); do printf 'bench-h%04d\n' "$i"; done)

# rollout_skip_gate: the gate is not what is measured; events off likewise.
COMMON=(-e rollout_skip_gate=true -e "rollout_skip_gate_reason='scale benchmark'" -e rollout_events_command=)

bench_inventory() { # N
    "$PY" "$BENCH_DIR/ansible-scale-inventory.py" --hosts "$1" --batches 1 --chroot-dir "$HOSTS_DIR" --out "$INV" ||
        die "cannot write the benchmark inventory"
}

batch_seconds() { # LOGNAME KIND(ROLLOUT|ROLLBACK)
    flat_log "$1" | grep -oE "$2_TIMING [a-z=0-9 ]*batch=1( mode=[a-z]+)? seconds=[0-9.]+" | sed -n 's/.*seconds=//p' | tail -n 1
}

# CPU seconds (user + system) of the children this shell has reaped: the
# ansible-playbook process tree, its workers and the modules they ran in the
# chroots (all on this machine; on real hosts the modules run remotely).
children_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($16 + $17) / hz }' "/proc/$$/stat"; }

# CPU seconds of the main ansible-playbook process (the one whose parent is
# run_playbook's `timeout`): strategy, templating and results run there, in
# one process. Sampled every second while it runs; the last sample is kept.
sample_main_cpu() { # OUTFILE
    local p pp hz
    hz="$(getconf CLK_TCK)"
    while :; do
        for p in $(pgrep -f "^/usr/bin/python3 /usr/bin/ansible-playbook -i $INV"); do
            pp="$(awk '{ print $4 }' "/proc/$p/stat" 2>/dev/null)" || continue
            grep -qa '^timeout' "/proc/$pp/cmdline" 2>/dev/null || continue
            awk -v hz="$hz" '{ printf "%.2f\n", ($14 + $15) / hz }' "/proc/$p/stat" 2>/dev/null >"$1.tmp" && mv "$1.tmp" "$1"
        done
        sleep 1
    done
}

# run_playbook with the CPU it used in PB_CPU (process tree) and PB_MAIN_CPU.
cpu_playbook() {
    local c0 sampler
    c0="$(children_cpu)"
    rm -f "$WORK/main-cpu"
    sample_main_cpu "$WORK/main-cpu" &
    sampler=$!
    run_playbook "$@"
    kill "$sampler" 2>/dev/null
    wait "$sampler" 2>/dev/null
    PB_CPU="$(awk -v a="$c0" -v b="$(children_cpu)" 'BEGIN { printf "%.1f", b - a }')"
    PB_MAIN_CPU="$(cat "$WORK/main-cpu" 2>/dev/null || echo NA)"
}

record() { # N F OP LOGNAME KIND
    local secs waves
    secs="$(batch_seconds "$4" "$5")"
    waves=$((($1 + $2 - 1) / $2))
    [ -n "$secs" ] || { nok "N=$1 forks=$2 $3: no $5_TIMING line (rc=$PB_RC)"; show_log_tail "$4" 30; return; }
    [ "$PB_RC" = 0 ] || { nok "N=$1 forks=$2 $3: rc=$PB_RC"; show_log_tail "$4" 30; }
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$waves" "$3" "$secs" "$PB_SECONDS" "$PB_CPU" "$PB_MAIN_CPU" >>"$OUT"
    log "N=$1 forks=$2 waves=$waves $3: batch ${secs}s (playbook ${PB_SECONDS}s, ${PB_CPU} CPU-s, main process ${PB_MAIN_CPU} CPU-s)"
}

# The preflight's duplicate-batch check at ~1,000 generated hosts (never
# contacted: --limit localhost), the playbook before the fix (BEFORE_REF) and
# now, 3 runs each; per-task time from the profile_tasks callback.
BEFORE_REF="${BEFORE_REF:-c1dbf8b}"
preflight_dup_check() {
    local n inv cfg="$REPO/ansible/ansible.cfg" t which pb
    git -C "$REPO" show "$BEFORE_REF:ansible/playbooks/_rollout_preflight.yml" >"$REPO/ansible/playbooks/.bench-preflight-before.yml" 2>/dev/null ||
        log "preflight: $BEFORE_REF not found, measuring the current playbook only"
    for n in 997 1000; do
        inv="$WORK/preflight-$n.yml"
        "$PY" "$BENCH_DIR/ansible-scale-inventory.py" --hosts "$n" --with-localhost --out "$inv"
        for which in before after; do
            pb=playbooks/_rollout_preflight.yml
            [ "$which" = before ] && pb=playbooks/.bench-preflight-before.yml
            [ -s "$REPO/ansible/$pb" ] || continue
            for _ in 1 2 3; do
                t="$(cd "$REPO/ansible" && ANSIBLE_CONFIG="$cfg" ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks \
                    ansible-playbook -i "$inv" "$pb" --limit localhost -e datadog_api_key=bench "${COMMON[@]}" 2>&1 |
                    sed -n 's/^Check every host is in exactly one batch -* \([0-9.]*\)s$/\1/p')"
                printf 'dup-check-%s\t%s\t-\tpreflight\t%s\t-\n' "$which" "$n" "${t:-NA}" >>"$OUT"
                log "preflight duplicate check at $n hosts ($which): ${t:-NA}s"
            done
        done
    done
    rm -f "$REPO/ansible/playbooks/.bench-preflight-before.yml"
}

bench_main() {
    local n f t0
    : >"$OUT"
    printf '# %s load=%s cores=%s sizes=%s forks=%s\n' "$(date -u +%FT%TZ)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(nproc)" "$SIZES" "$FORKS_LIST" >>"$OUT"
    printf 'N\tforks\twaves\top\tbatch_seconds\tplaybook_seconds\tplaybook_cpu_seconds\tmain_process_cpu_seconds\n' >>"$OUT"
    [ "${BENCH_SKIP_PREFLIGHT:-0}" = 1 ] || preflight_dup_check
    build_base
    create_hosts
    build_repo
    start_http
    write_inventory # writes $VARS (repository, key, quick verify); $INV is replaced below
    for n in $SIZES; do
        # shellcheck disable=SC2034 # read by run.sh's nok (failure labels)
        SCENARIO="N=$n"
        bench_inventory "$n"
        t0="$(now)"
        cpu_playbook "n$n-install" deploy-datadog.yml "${COMMON[@]}" -e datadog_agent_version=7.71.0 -f 50
        [ "$PB_RC" = 0 ] || { show_log_tail "n$n-install" 40; die "first install on $n hosts failed"; }
        record "$n" 50 install "n$n-install" ROLLOUT
        log "N=$n first install 7.71.0 in ${PB_SECONDS}s"
        for f in $FORKS_LIST; do
            cpu_playbook "n$n-f$f-deploy" deploy-datadog.yml "${COMMON[@]}" -f "$f"
            record "$n" "$f" deploy "n$n-f$f-deploy" ROLLOUT
            cpu_playbook "n$n-f$f-rollback" rollback-datadog.yml -e rollback_batch=1 -e rollback_mode=previous -f "$f"
            record "$n" "$f" rollback "n$n-f$f-rollback" ROLLBACK
        done
        timing "N=$n (install + $(wc -w <<<"$FORKS_LIST") x deploy/rollback)" "$(elapsed "$t0")"
    done
    log "results in $OUT; fit: $BENCH_DIR/ansible-scale-fit.py $OUT"
    "$PY" "$BENCH_DIR/ansible-scale-fit.py" "$OUT" || true
    exit 0
}

bench_main

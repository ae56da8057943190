# shellcheck shell=bash
# shellcheck disable=SC2153 # REPO, HERE, WORK, LOGS, ... are run.sh's
# Issue 15: the playbook under AWS Systems Manager, on chroot test hosts.
# Sourced by run.sh (functions only; s_ssm is called from its main). Owner:
# the SSM executor (docs/ssm-executor.md).
#
# State Manager runs the stage's own document (plan/ssm/ssm-document.ts) on
# each instance of a batch: check the parameters, download the bundle
# (aws:downloadContent), check its SHA-256, install Ansible and boto3 from the
# distribution when missing, unpack, run
#   ansible-playbook -i "localhost," -c local -e "SSM=True rollout_stage=lab rollout_batch=1 rollout_ssm_mode=<mode>" -v playbooks/ssm-apply.yml
# on the host itself. This scenario does exactly that inside two fresh chroots
# of the ssm fixture stage `lab` (test/fixtures/ssm), batch 1:
#   lab-web-01  first install (no Agent)
#   lab-web-02  7.71.0 installed by hand earlier: an old unsigned apt source
#               line, its own datadog.yaml (another API key, site datadoghq.com)
# The bundle and the two shell steps come from the repository's code
# (lib/ssm-bundle.ts: cli/synthesize.ts ssmBundles, plan/ssm/ssm-plan.ts,
# plan/ssm/ssm-document.ts, parameters substituted by test/support/ssm-document.ts).
# The document's own step installs Ansible from Debian packages (apt-get,
# from a signed local mirror holding what apt would fetch: the host's mirror),
# and the API key comes from a fake Secrets Manager with instance-role
# credentials from a fake instance metadata service (lib/fake_aws.py), as
# on a real host: nothing of the controller's environment reaches the run.

SSM_HOSTS=(lab-web-01 lab-web-02)
SSM_FIRST=lab-web-01
SSM_OLD=lab-web-02
# What the stage document installs when missing (apt-get install --no-install-recommends
# ansible python3-boto3; plan/ssm/ssm-document.ts). The mirror holds these with their
# recommends (apt-get -s install), a superset.
SSM_DEBS=(ansible python3-boto3)
SSM_DIR="" # $WORK/ssm, set by s_ssm
SSM_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
declare -A SSM_BEFORE=()

# The .deb files apt would install on a base chroot, fetched once by this
# machine's apt (Debian bookworm, like the chroots) and cached.
ssm_fetch_debs() {
    local root="$1" list key dir
    list="$(apt-get -s -o Dir::State::status="$root/var/lib/dpkg/status" install "${SSM_DEBS[@]}" 2>"$LOGS/ssm-apt-simulate.log" |
        sed -n 's/^Inst \([^ ]*\) \(\[[^]]*\] \)\{0,1\}(\([^ ]*\) .*/\1=\3/p' | sort)"
    [ -n "$list" ] || die "apt-get -s found nothing to install for ${SSM_DEBS[*]} (apt lists missing? run apt-get update): $(tail -n 3 "$LOGS/ssm-apt-simulate.log")"
    key="$(printf '%s\n' "$list" | sha256sum | cut -c1-12)"
    dir="$CACHE/ssm-debs-$key"
    if [ ! -f "$dir/.complete" ]; then
        log "ssm: downloading $(wc -l <<<"$list") Debian packages for ${SSM_DEBS[*]} into $dir (one-time, cached afterwards)"
        rm -rf "$dir" && mkdir -p "$dir" && chown _apt "$dir" 2>/dev/null
        # shellcheck disable=SC2086 # one word per package=version
        (cd "$dir" && apt-get download $list) >"$LOGS/ssm-apt-download.log" 2>&1 || die "apt-get download failed: $(tail -n 3 "$LOGS/ssm-apt-download.log")"
        touch "$dir/.complete"
    fi
    SSM_DEB_DIR="$dir"
    SSM_DEB_COUNT="$(wc -l <<<"$list")"
}

# A signed Debian mirror on 127.0.0.1 with those packages (stands in for the
# host's Debian mirror; its own server and port, so the role never takes it
# for a Datadog source).
ssm_debian_mirror() {
    local repo="$SSM_DIR/debian" dist
    dist="$repo/dists/bookworm"
    mkdir -p "$repo/pool" "$dist/main/binary-$ARCH"
    cp "$SSM_DEB_DIR"/*.deb "$repo/pool/"
    (cd "$repo" && apt-ftparchive packages pool >"dists/bookworm/main/binary-$ARCH/Packages") || die "ssm: apt-ftparchive packages"
    gzip -9nk "$dist/main/binary-$ARCH/Packages"
    apt-ftparchive -o APT::FTPArchive::Release::Origin=Debian -o APT::FTPArchive::Release::Suite=bookworm \
        -o APT::FTPArchive::Release::Codename=bookworm -o APT::FTPArchive::Release::Architectures="$ARCH" \
        -o APT::FTPArchive::Release::Components=main release "$dist" >"$SSM_DIR/Release" || die "ssm: apt-ftparchive release"
    mv "$SSM_DIR/Release" "$dist/Release"
    gpg --batch --yes --local-user "$REPO_FPR" --clearsign -o "$dist/InRelease" "$dist/Release" || die "ssm: sign InRelease"
    gpg --batch --export "$REPO_FPR" >"$SSM_DIR/debian-mirror.gpg"
    chmod -R a+rX "$repo"
    "$PY" "$HERE/lib/serve.py" "$repo" "$SSM_DIR/debian.port" "${ROLLOUT_E2E_TIMEOUT:-2700}" "$LOGS/ssm-debian-access.log" 2>"$LOGS/ssm-debian-http.log" &
    SSM_DEBIAN_PID=$!
    E2E_EXTRA_PIDS+=("$SSM_DEBIAN_PID")
    for _ in $(seq 1 50); do [ -s "$SSM_DIR/debian.port" ] && break; sleep 0.1; done
    [ -s "$SSM_DIR/debian.port" ] || die "ssm: Debian mirror did not start"
    SSM_DEBIAN_URL="http://127.0.0.1:$(cat "$SSM_DIR/debian.port")/"
}

ssm_fake_aws() {
    "$PY" "$HERE/lib/fake_aws.py" "$SSM_DIR/aws.port" "$LOGS/ssm-fake-aws.log" "$SSM_ROLE" "$SSM_SECRET_ID" "$SSM_REGION" \
        "${ROLLOUT_E2E_TIMEOUT:-2700}" 2>"$LOGS/ssm-fake-aws.err" &
    SSM_AWS_PID=$!
    E2E_EXTRA_PIDS+=("$SSM_AWS_PID")
    for _ in $(seq 1 50); do [ -s "$SSM_DIR/aws.port" ] && break; sleep 0.1; done
    [ -s "$SSM_DIR/aws.port" ] || die "ssm: fake AWS did not start"
    SSM_AWS_URL="http://127.0.0.1:$(cat "$SSM_DIR/aws.port")"
}

# The e2e's apt repository and test key, and sysvinit (systemd is not PID 1
# in a chroot), as files of the bundled tree (playbooks/group_vars/all/):
# a fleet with its own mirror of Datadog's repository would carry the same
# settings in its tree. The bundle is then what synth produces for that tree.
ssm_overlay() {
    local d="$SSM_DIR/overlay/playbooks/group_vars/all"
    mkdir -p "$d"
    cat >"$d/e2e-test-environment.yml" <<EOF
---
# e2e only (test/e2e/ansible/lib/ssm-scenario.sh): local signed repository, test key, no systemd.
datadog_apt_repo_url: "$REPO_URL"
datadog_apt_key_urls:
  - "${REPO_URL}keys/E2E_APT_KEY.public"
datadog_apt_key_fingerprints:
  - "$REPO_FPR"
datadog_agent_verify_retries: 5
datadog_agent_verify_delay: 1
datadog_agent_service_manager: sysvinit
EOF
}

ssm_create_host() { # HOST
    local h="$1" root
    root="$(host_root "$h")"
    mkdir -p "$root"
    tar --numeric-owner -C "$root" -xzf "$BASE_TAR" || die "ssm: cannot extract $h"
    echo "$h" >"$root/etc/hostname"
    chroot "$root" groupadd --system systemd-journal || die "ssm: systemd-journal group in $h"
    mount -t proc proc "$root/proc" || die "ssm: cannot mount /proc in $h"
    # Instance metadata and the regional Secrets Manager endpoint: where botocore looks on an instance.
    mkdir -p "$root/var/lib/rollout-e2e"
    "$PY" "$HERE/lib/fake_aws.py" --ruleset "$root/var/lib/rollout-e2e/botocore-data" "$SSM_AWS_URL" || die "ssm: rule set"
}

# 7.71.0 installed by hand before the rollout: the package, an old source
# line without signed-by (its key in trusted.gpg.d), and a datadog.yaml the
# host owner wrote.
ssm_old_host_state() { # HOST
    local h="$1" root old_key
    root="$(host_root "$h")"
    cp "$REPO_DIR/pool/main/d/datadog-agent/datadog-agent_7.71.0-1_${ARCH}.deb" "$root/tmp/"
    chroot "$root" dpkg -i "/tmp/datadog-agent_7.71.0-1_${ARCH}.deb" >"$LOGS/ssm-$h-preinstall.log" 2>&1 || die "ssm: 7.71.0 on $h"
    rm -f "$root/tmp/datadog-agent_7.71.0-1_${ARCH}.deb"
    # The old install script's way: the line without signed-by, the key trusted for every source.
    echo "deb $REPO_URL stable 7" >"$root/etc/apt/sources.list.d/datadog.list"
    gpg --batch --export "$REPO_FPR" >"$root/etc/apt/trusted.gpg.d/datadog-by-hand.gpg"
    old_key="$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
    printf '# written by hand before the rollout\napi_key: %s\nsite: datadoghq.com\ntags:\n  - owner:by-hand\n' "$old_key" \
        >"$root/etc/datadog-agent/datadog.yaml"
    chroot "$root" chown root:dd-agent /etc/datadog-agent/datadog.yaml
    chmod 0640 "$root/etc/datadog-agent/datadog.yaml"
    chroot "$root" /etc/init.d/datadog-agent start >>"$LOGS/ssm-$h-preinstall.log" 2>&1 || die "ssm: start 7.71.0 on $h"
}

# In a chroot with the environment SSM Agent gives a script (no controller
# variables, no AWS keys): the instance metadata endpoint and the botocore
# data path point at the fakes (where an instance would reach AWS).
ssm_chroot() { # HOST COMMAND...
    local root
    root="$(host_root "$1")"
    shift
    # shellcheck disable=SC2086
    ${SSM_CHROOT_TIMEOUT:+timeout $SSM_CHROOT_TIMEOUT} chroot "$root" /usr/bin/env -i PATH="$SSM_PATH" HOME=/root LANG=C.UTF-8 \
        AWS_EC2_METADATA_SERVICE_ENDPOINT="$SSM_AWS_URL/" AWS_DATA_PATH=/var/lib/rollout-e2e/botocore-data "$@"
}

# The host's Debian mirror (here the local one, signed with the test key):
# what the document's apt-get install reads when Ansible is missing.
ssm_debian_source() { # HOST
    local root
    root="$(host_root "$1")"
    install -m 0644 "$SSM_DIR/debian-mirror.gpg" "$root/usr/share/keyrings/e2e-debian-mirror.gpg"
    echo "deb [signed-by=/usr/share/keyrings/e2e-debian-mirror.gpg] $SSM_DEBIAN_URL bookworm main" >"$root/etc/apt/sources.list.d/debian.list"
}

# One State Manager run of the stage document, its three steps in order, each
# stopping the run when it fails (onFailure: exit): checkParameters (creates
# the host's bundle directory), downloadBundle (aws:downloadContent: the
# object under its base name in that directory; here a copy of bundle.zip),
# runPlaybook (hash check, install when missing, unpack, ansible-playbook).
# Scripts are written where SSM Agent writes them, per command.
ssm_run() { # HOST apply|rollback NAME
    local h="$1" mode="$2" name="$3" root rel rc
    root="$(host_root "$h")"
    rel="var/lib/amazon/ssm/i-e2e${h//[^0-9]/}/document/orchestration/$name"
    mkdir -p "$root/$rel/checkParameters" "$root/$rel/runPlaybook"
    install -m 0700 "$SSM_DIR/out/check-$mode.sh" "$root/$rel/checkParameters/_script.sh"
    install -m 0700 "$SSM_DIR/out/run-$mode.sh" "$root/$rel/runPlaybook/_script.sh"
    {
        ssm_chroot "$h" bash "/$rel/checkParameters/_script.sh"
        rc=$?
        if [ "$rc" = 0 ]; then
            cp "${SSM_BUNDLE_FILE:-$SSM_DIR/out/bundle.zip}" "$root$SSM_HOST_BUNDLE_DIR$(basename "$SSM_BUNDLE_KEY")"
            # shellcheck disable=SC2016 # expanded by the inner bash
            SSM_CHROOT_TIMEOUT="${ROLLOUT_E2E_PLAYBOOK_TIMEOUT:-900}" \
                ssm_chroot "$h" bash -c 'cd "$1" && exec bash "$2" "$3"' _ "/$rel/runPlaybook" "/$rel/runPlaybook/_script.sh" "$h"
            rc=$?
        fi
    } >"$LOGS/$name.log" 2>&1
    echo "${rc:-1}" >"$SSM_DIR/$name.rc"
}

# Run FUNC for every SSM host at once (two cores: the hosts run in parallel as SSM runs a batch).
ssm_each_host() { # LABEL FUNC ARGS... ; FUNC gets HOST ARGS...
    local label="$1" fn="$2" t0 h pids=()
    shift 2
    t0="$(now)"
    for h in "${SSM_HOSTS[@]}"; do
        "$fn" "$h" "$@" &
        pids+=($!)
    done
    wait "${pids[@]}"
    timing "  ssm: $label (${#SSM_HOSTS[@]} hosts in parallel)" "$(elapsed "$t0")"
}
ssm_run_each() { ssm_run "$1" "$2" "ssm-$3-$1"; }

ssm_rc() { cat "$SSM_DIR/$1.rc" 2>/dev/null; }

ssm_recap() { awk '/^PLAY RECAP/ { f = 1; next } f && $1 == "localhost" { print; exit }' "$LOGS/$1.log"; }

ssm_tags_of() { # HOST -> datadog.yaml tags, space-separated
    "$PY" -c 'import sys, yaml; print(" ".join(yaml.safe_load(open(sys.argv[1])).get("tags") or []))' \
        "$(host_root "$1")/etc/datadog-agent/datadog.yaml" 2>/dev/null
}

ssm_api_key_of() {
    "$PY" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1])).get("api_key", ""))' \
        "$(host_root "$1")/etc/datadog-agent/datadog.yaml" 2>/dev/null
}

# Files of a chroot holding the API key, besides datadog.yaml and its rollback copy.
ssm_key_elsewhere() { # HOST
    local root
    root="$(host_root "$1")"
    grep -rlF -- "$DD_API_KEY" "$root/etc" "$root/root" "$root/tmp" "$root/var/tmp" "$root/var/log" "$root/var/lib/amazon" \
        "$root/var/backups" "$root/var/lib/observability-rollout" "$root/opt" "$root/run" 2>/dev/null | sed "s#^$root##" |
        grep -vxE '/etc/datadog-agent/datadog.yaml|/etc/datadog-agent/rollout-backup/datadog.yaml' | tr '\n' ' '
}

ssm_assert_applied() { # HOST NAME
    local h="$1" name="$2" tags
    check_eq "$h ($name): exit code of the document's shell step" "$(ssm_rc "$name")" 0
    [ "$(ssm_rc "$name")" = 0 ] || show_log_tail "$name" 30
    check "$h ($name): ran ssm-apply.yml with -c local in the unpacked bundle" log_has "$name" "PLAY [Datadog Agent on this host, run by State Manager for batch 1]"
    assert_agent "$h" "$NEW" "$SSM_SITE"
    tags="$(ssm_tags_of "$h")"
    check "$h ($name): datadog.yaml carries the batch tag rollout_batch:1 (tags: $tags)" grep -qw 'rollout_batch:1' <<<"$tags"
    check "$h ($name): the role took the key from AWS Secrets Manager" log_has "$name" "_datadog_agent_api_key_source: aws_secretsmanager"
    check "$h ($name): the API key from Secrets Manager is in datadog.yaml" test "$(ssm_api_key_of "$h")" = "$DD_API_KEY"
    check_eq "$h: datadog-agent held at the stage version" "$(pkg_selection "$h")" hold
}

s_ssm() {
    scenario "SSM: the document's command line inside 2 chroots of stage lab, batch 1 (first install; 7.71.0 with an old source line)"
    local t0 h line
    SSM_DIR="$WORK/ssm"
    mkdir -p "$SSM_DIR/out"

    t0="$(now)"
    ssm_overlay
    (cd "$REPO" && npx --no-install ts-node --transpile-only test/e2e/ansible/lib/ssm-bundle.ts "$SSM_DIR/out" "$SSM_DIR/overlay") \
        >"$LOGS/ssm-bundle.log" 2>&1 || { tail -n 20 "$LOGS/ssm-bundle.log"; die "ssm: building the bundle failed"; }
    # shellcheck source=/dev/null
    . "$SSM_DIR/out/ssm.env"
    check_eq "the bundle's S3 key is its SHA-256" "$SSM_BUNDLE_KEY" "bundles/$(sha256sum "$SSM_DIR/out/bundle.zip" | cut -d' ' -f1).zip"
    check_eq "batch 1 of the fixture stage holds the scenario's hosts" "$SSM_BATCH1_HOSTS" "${SSM_HOSTS[*]}"
    timing "  ssm: bundle + run steps (ts-node, repo code)" "$(elapsed "$t0")"

    t0="$(now)"
    ssm_fake_aws
    for h in "${SSM_HOSTS[@]}"; do ssm_create_host "$h"; done
    ssm_fetch_debs "$(host_root "$SSM_FIRST")"
    ssm_debian_mirror
    ssm_old_host_state "$SSM_OLD"
    SSM_BEFORE[sha]="$(config_sha "$SSM_OLD")"
    check_eq "$SSM_OLD: 7.71.0 installed and running before the run" "$(pkg_version "$SSM_OLD")/$(running_version "$SSM_OLD")" "$OLD/7.71.0"
    timing "  ssm: $SSM_DEB_COUNT .debs, mirror, fakes, 2 chroots" "$(elapsed "$t0")"

    for h in "${SSM_HOSTS[@]}"; do
        ssm_debian_source "$h"
        check "$h: no Ansible before the first run (the document installs it)" test ! -e "$(host_root "$h")/usr/bin/ansible-playbook"
    done

    # 1. apply (the batch is released); the document's step installs Ansible first
    ssm_each_host "apply run 1 (apt-get install ${SSM_DEBS[*]}, then install the Agent)" ssm_run_each apply apply1
    for h in "${SSM_HOSTS[@]}"; do
        check "$h: the document installed ansible-playbook and boto3 from Debian packages ($(ssm_chroot "$h" ansible --version 2>/dev/null | head -n 1))" \
            ssm_chroot "$h" sh -c '{ command -v ansible-playbook && python3 -c "import boto3"; } >/dev/null'
        ssm_assert_applied "$h" "ssm-apply1-$h"
    done
    check "$SSM_FIRST: SSM_RUN says action=apply (nothing installed)" log_has "ssm-apply1-$SSM_FIRST" \
        "SSM_RUN stage=lab batch=1 host=$SSM_FIRST mode=apply installed=none stage_version=$SSM_AGENT_VERSION action=apply"
    check "$SSM_OLD: SSM_RUN says action=apply (7.71.0 installed)" log_has "ssm-apply1-$SSM_OLD" \
        "SSM_RUN stage=lab batch=1 host=$SSM_OLD mode=apply installed=7.71.0 stage_version=$SSM_AGENT_VERSION action=apply"
    check "$SSM_FIRST: no rollback snapshot after a first install" test ! -e "$(host_root "$SSM_FIRST")/etc/datadog-agent/rollout-backup/previous_version"
    assert_backup "$SSM_OLD" "$OLD" "${SSM_BEFORE[sha]}"
    check "$SSM_OLD: the old unsigned source line is gone, only the role's source is left" \
        grep -qxF "deb [signed-by=/usr/share/keyrings/datadog-archive-keyring.gpg] $REPO_URL stable 7" "$(host_root "$SSM_OLD")/etc/apt/sources.list.d/datadog.list"
    check_eq "the key was read from Secrets Manager with the instance role, once per host" \
        "$(grep -c "secretsmanager secretsmanager.GetSecretValue secret=$SSM_SECRET_ID ok" "$LOGS/ssm-fake-aws.log")" 2
    check "no AWS request was refused (credentials from instance metadata, stage secret, stage region)" \
        bash -c "! grep -vE ' ok$' '$LOGS/ssm-fake-aws.log'"

    # 2. apply again: nothing to do
    ssm_each_host "apply run 2 (no change)" ssm_run_each apply apply2
    for h in "${SSM_HOSTS[@]}"; do
        check_eq "$h: second apply exit code" "$(ssm_rc "ssm-apply2-$h")" 0
        line="$(ssm_recap "ssm-apply2-$h")"
        if [[ "$line" =~ changed=0\  ]] && [[ "$line" =~ failed=0\  ]]; then ok "$h: second apply changed=0 failed=0"; else nok "$h: second apply recap: ${line:-missing}"; fi
        assert_agent "$h" "$NEW" "$SSM_SITE"
        check_eq "$h: the API key is on the host only in datadog.yaml (and its rollback copy)" "$(ssm_key_elsewhere "$h")" ""
    done

    # 3. the release commit reverted: batch 1's association in rollback mode
    ssm_each_host "rollback run (association reverted)" ssm_run_each rollback rollback
    for h in "${SSM_HOSTS[@]}"; do
        check_eq "$h: rollback exit code" "$(ssm_rc "ssm-rollback-$h")" 0
        [ "$(ssm_rc "ssm-rollback-$h")" = 0 ] || show_log_tail "ssm-rollback-$h" 30
        check "$h: SSM_RUN says action=rollback" log_has "ssm-rollback-$h" \
            "SSM_RUN stage=lab batch=1 host=$h mode=rollback installed=7.72.0 stage_version=$SSM_AGENT_VERSION action=rollback"
    done
    assert_removed "$SSM_FIRST"
    assert_agent "$SSM_OLD" "$OLD" datadoghq.com
    check_eq "$SSM_OLD: datadog.yaml restored byte for byte" "$(config_sha "$SSM_OLD")" "${SSM_BEFORE[sha]}"
    check_eq "$SSM_OLD: the stage's API key is gone from the host" "$(grep -rlF -- "$DD_API_KEY" "$(host_root "$SSM_OLD")/etc" 2>/dev/null | tr '\n' ' ')" ""

    # 4. a bundle whose bytes are not the ones its key names (a tampered or truncated download) runs nothing
    cp "$SSM_DIR/out/bundle.zip" "$SSM_DIR/tampered.zip"
    printf 'x' >>"$SSM_DIR/tampered.zip"
    SSM_BUNDLE_FILE="$SSM_DIR/tampered.zip" ssm_run "$SSM_OLD" apply "ssm-tampered-$SSM_OLD"
    check_eq "$SSM_OLD: a tampered bundle stops the document's run (exit 3)" "$(ssm_rc "ssm-tampered-$SSM_OLD")" 3
    check "$SSM_OLD: ... saying its SHA-256 is not the one its key names" log_has "ssm-tampered-$SSM_OLD" "not the one its key names"
    check "$SSM_OLD: ... before any playbook ran" bash -c "! grep -q 'PLAY \\[' '$LOGS/ssm-tampered-$SSM_OLD.log'"
    assert_agent "$SSM_OLD" "$OLD" datadoghq.com

    if grep -rqF -- "$DD_API_KEY" "$LOGS"/ssm-* "$SSM_DIR/out" 2>/dev/null; then
        nok "API key found in SSM run output: $(grep -rlF -- "$DD_API_KEY" "$LOGS"/ssm-* "$SSM_DIR/out" | tr '\n' ' ')"
    else
        ok "API key absent from every SSM run's output, the fake AWS log and the bundle"
    fi
    kill "$SSM_AWS_PID" "$SSM_DEBIAN_PID" 2>/dev/null
    wait "$SSM_AWS_PID" "$SSM_DEBIAN_PID" 2>/dev/null
    end_scenario
}

#!/bin/sh
### BEGIN INIT INFO
# Provides:          datadog-agent
# Required-Start:    $remote_fs $syslog
# Required-Stop:     $remote_fs $syslog
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: FAKE Datadog Agent (observability-rollout e2e test)
### END INIT INFO
# sysvinit script usable in a chroot without systemd: the daemon is a
# background loop detached by start-stop-daemon (all fds closed), tracked by
# a pidfile.
DAEMON=/opt/datadog-agent/bin/agent/agent
PIDFILE=/opt/datadog-agent/run/agent.pid

is_running() {
    pid=$(cat "$PIDFILE" 2>/dev/null || true)
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

do_start() {
    if is_running; then
        echo "datadog-agent is already running"
        return 0
    fi
    start-stop-daemon --start --quiet --background --make-pidfile --pidfile "$PIDFILE" \
        --chuid dd-agent:dd-agent --startas "$DAEMON" -- run
    # Up to 15 s: the test machine may be heavily loaded.
    i=0
    while [ $i -lt 150 ]; do
        sleep 0.1
        if is_running && [ -s /opt/datadog-agent/run/agent.state ]; then
            echo "datadog-agent started"
            return 0
        fi
        i=$((i + 1))
    done
    echo "datadog-agent failed to start" >&2
    return 1
}

do_stop() {
    start-stop-daemon --stop --quiet --pidfile "$PIDFILE" --retry TERM/5/KILL/2 --remove-pidfile
    rc=$?
    # 1 = nothing was running, which is fine for stop.
    [ $rc -eq 0 ] || [ $rc -eq 1 ]
}

case "${1:-}" in
    start) do_start ;;
    stop) do_stop ;;
    restart|force-reload) do_stop && do_start ;;
    status)
        if is_running; then
            echo "datadog-agent is running"
            exit 0
        fi
        echo "datadog-agent is not running"
        exit 3
        ;;
    *)
        echo "usage: $0 {start|stop|restart|force-reload|status}" >&2
        exit 3
        ;;
esac

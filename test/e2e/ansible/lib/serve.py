#!/usr/bin/env python3
"""Serve a directory over HTTP on 127.0.0.1 only, on an ephemeral port.

usage: serve.py ROOT PORT_FILE LIFETIME_SECONDS ACCESS_LOG

Writes the chosen port to PORT_FILE once listening and stops by itself after
LIFETIME_SECONDS (the e2e harness also kills it in its cleanup trap).
"""
import functools
import http.server
import os
import sys
import threading


class Handler(http.server.SimpleHTTPRequestHandler):
    log_file = None

    def log_message(self, fmt, *args):  # noqa: N802 (stdlib name)
        if self.log_file:
            self.log_file.write("%s %s\n" % (self.log_date_time_string(), fmt % args))
            self.log_file.flush()


def main() -> int:
    root, port_file, lifetime, access_log = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
    Handler.log_file = open(access_log, "a", encoding="utf-8")
    handler = functools.partial(Handler, directory=root)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    tmp = port_file + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(str(httpd.server_address[1]))
    os.replace(tmp, port_file)
    timer = threading.Timer(lifetime, httpd.shutdown)
    timer.daemon = True
    timer.start()
    try:
        httpd.serve_forever(poll_interval=0.5)
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

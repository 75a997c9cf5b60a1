#!/usr/bin/env python3
"""A throwaway HTTPS server on loopback for tests/plugins/remote.sh.

https_server.py ROOT CERT KEY PORTFILE [--stall | --fail-first N]

Serves ROOT over TLS with CERT/KEY on 127.0.0.1, on a free port written
to PORTFILE once it listens.  With --stall it accepts connections and
never answers (a server that stalls); with --fail-first N it answers its
first N requests 503 Service Unavailable (a server that recovers).  Honours If-None-Match (ETag)
through http.server's Last-Modified handling plus an ETag per file.
"""
import http.server
import os
import socket
import ssl
import sys
import time


class Handler(http.server.SimpleHTTPRequestHandler):
    fail_first = 0

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        if Handler.fail_first > 0:
            Handler.fail_first -= 1
            self.send_error(503)
            return
        super().do_GET()

    def end_headers(self):
        path = self.translate_path(self.path)
        if os.path.isfile(path):
            st = os.stat(path)
            self.send_header("ETag", '"%x-%x"' % (st.st_mtime_ns, st.st_size))
        super().end_headers()

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isfile(path) and "If-None-Match" in self.headers:
            st = os.stat(path)
            if self.headers["If-None-Match"] == '"%x-%x"' % (st.st_mtime_ns, st.st_size):
                self.send_response(304)
                self.end_headers()
                return None
        return super().send_head()


def main():
    root, cert, key, portfile = sys.argv[1:5]
    stall = "--stall" in sys.argv[5:]
    if "--fail-first" in sys.argv[5:]:
        Handler.fail_first = int(sys.argv[sys.argv.index("--fail-first") + 1])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    if stall:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        with open(portfile + ".tmp", "w") as f:
            f.write(str(s.getsockname()[1]))
        os.rename(portfile + ".tmp", portfile)
        held = []
        while True:
            c, _ = s.accept()
            held.append(c)
    os.chdir(root)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(httpd.server_address[1]))
    os.rename(portfile + ".tmp", portfile)
    httpd.serve_forever()


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Small HTTP/1.1 backend the e2e testbed puts behind nginx, HAProxy and stunnel.

Behaviour by path (query strings are ignored):
  .../checkout...   crash mid-request: read the request, then reset the connection (SO_LINGER 0),
                    no response, like a worker that dies while handling it
  .../reports...    slow: sleep --slow seconds (default 3) before answering 200
  .../upload, /import, anything else: read the body (Content-Length), answer 200 with a small JSON

--log FILE writes an application log (Python logging default-ish format) with start, one line per
request and the shutdown on SIGTERM: the "server's own log" for the server-unavailable case.
--reset-after-request: answer nothing and reset every connection once the request head is read (a
server outside the bundle that resets, for the unexplained case). Stops on SIGTERM/SIGINT.
Usage: backend.py --port N [--host 127.0.0.1] [--log FILE] [--slow S] [--reset-after-request] [--name N]
"""
import argparse
import http.server
import logging
import signal
import socket
import socketserver
import struct
import sys
import threading
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log")
    ap.add_argument("--slow", type=float, default=3.0)
    ap.add_argument("--name", default="backend")
    ap.add_argument("--reset-after-request", action="store_true")
    args = ap.parse_args()

    log = logging.getLogger(args.name)
    log.setLevel(logging.INFO)
    if args.log:
        h = logging.FileHandler(args.log)
        h.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(h)
    else:
        log.addHandler(logging.NullHandler())

    def rst(sock):
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "orders-api/2.3"
        sys_version = ""

        def log_message(self, fmt, *a):  # access lines go to --log only
            log.info("%s:%d %s", self.client_address[0], self.client_address[1], fmt % a)

        def _body(self):
            n = int(self.headers.get("Content-Length") or 0)
            left = n
            while left > 0:
                chunk = self.rfile.read(min(left, 65536))
                if not chunk:
                    break
                left -= len(chunk)

        def _answer(self, code=200, text='{"ok":true}\n'):
            data = text.encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def _crash(self):
            self._body()
            rst(self.connection)
            self.close_connection = True
            self.server.crashed.add(self.connection)
            log.error("worker crashed handling %s %s", self.command, self.path)

        def handle_one_request(self):
            if args.reset_after_request:
                self.raw_requestline = self.rfile.readline(65537)
                rst(self.connection)
                self.close_connection = True
                self.server.crashed.add(self.connection)
                return
            super().handle_one_request()

        def _dispatch(self):
            p = self.path.split("?", 1)[0]
            if "checkout" in p:
                return self._crash()
            self._body()
            if "reports" in p:
                time.sleep(args.slow)
            self._answer()

        do_GET = do_POST = do_PUT = do_HEAD = _dispatch

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
        allow_reuse_address = True
        crashed = set()

        def shutdown_request(self, request):
            if request in self.crashed:  # no FIN first: close with the RST set up by rst()
                self.crashed.discard(request)
                request.close()
                return
            super().shutdown_request(request)

        def handle_error(self, request, client_address):
            pass

    srv = Server((args.host, args.port), Handler)
    log.info("listening on %s:%d", args.host, args.port)

    def stop(signum, _frame):
        log.warning("received %s, shutting down", signal.Signals(signum).name)
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    srv.serve_forever(poll_interval=0.1)
    srv.server_close()
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())

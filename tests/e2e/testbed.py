#!/usr/bin/python3
"""End-to-end testbed: real nginx, HAProxy and stunnel, real clients, real failures, a recorded bundle.

Usage: testbed.py --out BUNDLE [--count N] [--rstscope PATH] [--no-firewall] [--quiet]

Starts, on free loopback ports (each checked free first), two nginx (`nginx/`: error_log at `info`,
access log with extra key=value fields; `nginx-legacy/`: default `error` level, default `combined`
access log), one HAProxy (`haproxy/`, logging over UDP syslog to a receiver in this process that writes
the file as rsyslog would), one stunnel (`stunnel/`) and small Python backends (tests/e2e/backend.py);
drives real clients (Python requests, urllib, http.client with persistent connections, curl, and
`rstscope probe` when the binary has it) and provokes every cause class of shared/spec/incidents.md a
fixed number of times among normal traffic. Optionally (root, network namespaces, readable /dev/kmsg)
a firewall reset between two namespaces joined by veth, with iptables LOG + REJECT --reject-with
tcp-reset; kernel lines go to firewall/kern.log.

Every provoked failure is checked here: the client really failed, and the server line that proves
the cause really appeared (or, where the server cannot log it, the test asserts that it did not and
names the config line instead). Normal requests must all succeed. Any deviation: exit 1.

Writes BUNDLE/ laid out as an operator would collect it, and its ground truth beside it
(BUNDLE.ground_truth.json, or --truth FILE; outside the bundle so analyze never reads it). See
docs/testbed.md. Exit 0 ok, 1 testbed failure, 77 skipped (a server binary is missing).
"""
import argparse
import ctypes
import datetime as dt
import http.client
import json
import logging
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"
BACKEND = os.path.join(HERE, "backend.py")
RUN_DEADLINE_S = 170          # the whole run must stay under 3 minutes
WAIT_LINE_S = 3.0             # how long to wait for a server log line to appear
LOGFMT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

try:
    import requests
    import urllib3
    urllib3.disable_warnings()
except ImportError:  # requests is a declared dependency (python3-requests)
    requests = None


class Skip(Exception):
    pass


class TestbedError(Exception):
    pass


def say(msg):
    print(f"[testbed {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------- ports and processes

class Ports:
    """Free loopback ports, each checked free (bind succeeds) before use and never handed out twice."""

    def __init__(self):
        self.used = set()

    def get(self):
        for _ in range(200):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            p = s.getsockname()[1]
            s.close()
            if p in self.used:
                continue
            t = socket.socket()
            try:
                t.bind(("127.0.0.1", p))
            except OSError:
                continue
            finally:
                t.close()
            self.used.add(p)
            return p
        raise TestbedError("no free loopback port")


class Procs:
    """Every process the testbed starts, stopped by PID (SIGTERM, then SIGKILL after 5 s)."""

    def __init__(self):
        self.procs = []

    def start(self, name, argv, stdout=None, stderr=None):
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                             stdout=stdout or subprocess.DEVNULL, stderr=stderr or subprocess.DEVNULL)
        self.procs.append((name, p))
        return p

    def stop(self, p):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)

    def stop_all(self):
        for _, p in reversed(self.procs):
            try:
                self.stop(p)
            except Exception:  # noqa: BLE001 - cleanup must go on
                pass


def wait_port(host, port, proc, name, timeout=8.0, netns=None):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise TestbedError(f"{name} exited at start (rc {proc.returncode})")
        try:
            if netns:
                r = subprocess.run(["ip", "netns", "exec", netns, PY, "-c",
                                    f"import socket;socket.create_connection(('{host}',{port}),0.5).close()"],
                                   capture_output=True, timeout=5)
                if r.returncode == 0:
                    return
            else:
                socket.create_connection((host, port), 0.5).close()
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise TestbedError(f"{name} did not listen on {host}:{port} within {timeout} s")


# --------------------------------------------------------------------------- log files

def read_lines(path):
    try:
        with open(path, "r", encoding="utf-8", errors="replace") as f:
            return f.read().split("\n")[:-1]
    except FileNotFoundError:
        return []


def count_lines(path):
    return len(read_lines(path))


def find_line(path, pattern, since=0, timeout=WAIT_LINE_S, must=True, what=""):
    """Wait until a line matching `pattern` appears at index >= since; return (1-based line, text)."""
    rx = re.compile(pattern)
    end = time.monotonic() + timeout
    while True:
        lines = read_lines(path)
        for i in range(since, len(lines)):
            if rx.search(lines[i]):
                return i + 1, lines[i]
        if time.monotonic() >= end:
            if must:
                tail = "\n    ".join(lines[since:][-6:])
                raise TestbedError(f"expected server line /{pattern}/ not written to {path} {what}\n"
                                   f"    new lines:\n    {tail}")
            return None
        time.sleep(0.03)


class SyslogReceiver(threading.Thread):
    """UDP syslog receiver writing lines as rsyslog's traditional file format does
    (`Nov 24 10:00:00 HOST haproxy[PID]: ...`), one flush per line."""

    def __init__(self, port, path, hostname):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", port))
        self.sock.settimeout(0.2)
        self.f = open(path, "a", encoding="utf-8")
        self.hostname = hostname
        self.stopping = False

    def run(self):
        while not self.stopping:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                break
            msg = data.decode("utf-8", "replace").rstrip("\n")
            m = re.match(r"<\d+>(\w{3} [ \d]\d \d\d:\d\d:\d\d) (.*)$", msg, re.S)
            line = f"{m.group(1)} {self.hostname} {m.group(2)}" if m else msg
            self.f.write(line.replace("\n", " ") + "\n")
            self.f.flush()

    def stop(self):
        self.stopping = True
        self.join(2)
        self.sock.close()
        self.f.close()


# --------------------------------------------------------------------------- client logs

class ClientLog:
    """One application log file. Records are written whole under a lock so their line numbers are known."""

    def __init__(self, bundle, rel, logger):
        self.rel = rel
        self.path = os.path.join(bundle, rel)
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        self.f = open(self.path, "a", encoding="utf-8")
        self.logger = logger
        self.lock = threading.Lock()
        self.n = 0
        self.fmt = logging.Formatter(LOGFMT)

    def record(self, level, msg, exc_info=None):
        rec = logging.LogRecord(self.logger, level, __file__, 0, msg, None, exc_info)
        return self.raw(self.fmt.format(rec))

    def raw(self, text):
        lines = text.rstrip("\n").split("\n")
        with self.lock:
            first = self.n + 1
            self.f.write("\n".join(lines) + "\n")
            self.f.flush()
            self.n += len(lines)
            return (self.rel, first, self.n)

    def close(self):
        self.f.close()


_tl = threading.local()


def _install_port_hooks():
    """Remember the local port of the last connection this thread opened (for ground truth)."""
    orig_cc = socket.create_connection

    def create_connection(*a, **kw):
        s = orig_cc(*a, **kw)
        try:
            _tl.lport = s.getsockname()[1]
        except OSError:
            pass
        return s
    socket.create_connection = create_connection
    if requests is not None:
        orig_new = urllib3.connection.HTTPConnection._new_conn

        def _new_conn(self):
            s = orig_new(self)
            try:
                _tl.lport = s.getsockname()[1]
            except OSError:
                pass
            return s
        urllib3.connection.HTTPConnection._new_conn = _new_conn


def last_lport():
    return getattr(_tl, "lport", None)


def tls_ctx(kind=None):
    """Client TLS context: None = modern defaults; 'old' = TLS 1.0-1.1 only; 'weak' = TLS 1.2, AES128-SHA only;
    'tls12' = at most TLS 1.2."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if kind == "old":
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    elif kind == "weak":
        ctx.set_ciphers("AES128-SHA:@SECLEVEL=0")
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    elif kind == "tls12":
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    return ctx


if requests is not None:
    class CtxAdapter(requests.adapters.HTTPAdapter):
        def __init__(self, ctx):
            self.ctx = ctx
            super().__init__(max_retries=0)

        def init_poolmanager(self, *a, **kw):
            kw["ssl_context"] = self.ctx
            return super().init_poolmanager(*a, **kw)


# --------------------------------------------------------------------------- the testbed

class Testbed:
    def __init__(self, args):
        self.args = args
        self.count = args.count
        self.bundle = os.path.abspath(args.out)
        self.tmp = tempfile.mkdtemp(prefix="rstscope-e2e-")
        self.ports = Ports()
        self.procs = Procs()
        self.failures = []
        self.normal = []
        self.skipped = []
        self.rid_n = 0
        self.rid_lock = threading.Lock()
        self.syslog = None
        self.t0 = time.monotonic()
        self.netns_cleanup = []
        self.nf_log_restore = None
        self.servers = {}
        self.rstscope = args.rstscope
        self.probe_ok = False

    # ---------------- helpers
    def rid(self, tag):
        with self.rid_lock:
            self.rid_n += 1
            return f"{tag}{self.rid_n:04d}"

    def p(self, *parts):
        return os.path.join(self.bundle, *parts)

    def check_deadline(self):
        if time.monotonic() - self.t0 > RUN_DEADLINE_S:
            raise TestbedError(f"run exceeded its {RUN_DEADLINE_S} s limit")

    def conf_line(self, rel, needle):
        """Evidence dict for the first line of a bundle config file containing `needle`."""
        src = os.path.join(self.tmp, "conf", rel)
        for i, line in enumerate(read_lines(src), 1):
            if needle in line:
                return {"source": rel, "line": i, "role": "config", "text": line.strip()}
        raise TestbedError(f"{rel}: no line with {needle!r}")

    def ev(self, rel, found, role):
        line, text = found
        return {"source": rel, "line": line, "role": role, "text": text}

    def add_failure(self, scenario, cls, loc, target, lport, evidence, server, note="", seen=""):
        self.failures.append({
            "id": f"F{len(self.failures) + 1:03d}", "scenario": scenario, "class": cls, "server": server,
            "client": {"source": loc[0], "line": loc[1], "last_line": loc[2]},
            "target": target, "local_port": lport, "evidence": evidence, "note": note, "client_saw": seen})

    def add_normal(self, loc, target, what):
        self.normal.append({"source": loc[0], "line": loc[1], "last_line": loc[2], "target": target,
                            "request": what})

    # ---------------- setup
    def setup(self):
        for b in ("nginx", "haproxy", "stunnel", "curl", "openssl"):
            # RSTSCOPE_E2E_MISSING=nginx,... pretends binaries are absent (to test the skip path)
            if not shutil.which(b) or b in os.environ.get("RSTSCOPE_E2E_MISSING", "").split(","):
                raise Skip(f"{b} not installed (make deps installs it)")
        if requests is None:
            raise Skip("python3-requests not installed for /usr/bin/python3 (make deps installs it)")
        if os.path.exists(self.bundle) and os.listdir(self.bundle):
            raise TestbedError(f"{self.bundle} exists and is not empty")
        for d in ("client", "nginx", "nginx-legacy", "haproxy", "stunnel", "backend", "firewall"):
            os.makedirs(self.p(d), exist_ok=True)
        os.makedirs(os.path.join(self.tmp, "conf"), exist_ok=True)
        _install_port_hooks()
        self.logs = {
            "orders": ClientLog(self.bundle, "client/orders-app.log", "orders.client"),
            "billing": ClientLog(self.bundle, "client/billing-job.log", "billing.http"),
            "sync": ClientLog(self.bundle, "client/sync-worker.log", "sync.worker"),
            "curl": ClientLog(self.bundle, "client/curl-checks.log", "healthcheck"),
        }
        # certificate
        crt, key = os.path.join(self.tmp, "api.crt"), os.path.join(self.tmp, "api.key")
        r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt,
                            "-days", "3", "-subj", "/CN=api.internal", "-addext", "subjectAltName=IP:127.0.0.1"],
                           capture_output=True, timeout=30)
        if r.returncode != 0:
            raise TestbedError("openssl req failed: " + r.stderr.decode(errors="replace"))
        self.pem = os.path.join(self.tmp, "api.pem")
        with open(self.pem, "w") as f:
            f.write(open(crt).read() + open(key).read())
        os.chmod(self.pem, 0o600)
        self.crt, self.key = crt, key

        P = self.ports.get
        self.port = {k: P() for k in (
            "b_ok", "b_down", "b_inv", "b_rogue", "ng", "ngs", "lg", "lgs",
            "h_api", "h_nl", "h_tls", "h_partner", "h_syslog", "st")}
        say("ports: " + " ".join(f"{k}={v}" for k, v in self.port.items()))
        self.start_backends()
        self.start_nginx("nginx", info=True)
        self.start_nginx("nginx-legacy", info=False)
        self.start_haproxy()
        self.start_stunnel()
        if self.rstscope:
            try:
                r = subprocess.run([self.rstscope, "probe", "--help"], capture_output=True, timeout=10)
                self.probe_ok = r.returncode == 0 and re.search(rb"Usage: \S*rstscope probe", r.stdout + r.stderr)
            except OSError:
                self.probe_ok = False
            if not self.probe_ok:
                self.skipped.append("rstscope probe client: the binary has no `probe` subcommand")
        else:
            self.skipped.append("rstscope probe client: no --rstscope given")

    def start_backend(self, name, port, extra=(), host="127.0.0.1", netns=None):
        argv = [PY, BACKEND, "--host", host, "--port", str(port), "--name", name, *extra]
        if netns:
            argv = ["ip", "netns", "exec", netns] + argv
        p = self.procs.start(name, argv)
        wait_port(host, port, p, name, netns=netns)
        return p

    def start_backends(self):
        po = self.port
        self.start_backend("orders-api", po["b_ok"], ["--slow", "3"])
        # b_down: reserved and never bound: the "backend down" target behind nginx and HAProxy
        self.inv = self.start_backend("inventory", po["b_inv"], ["--log", self.p("backend/inventory.log")])
        self.start_backend("partner-gw", po["b_rogue"], ["--reset-after-request"])

    def write_conf(self, rel, text):
        path = os.path.join(self.tmp, "conf", rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def start_nginx(self, name, info):
        po, t = self.port, self.tmp
        d = os.path.join(t, name)
        os.makedirs(d, exist_ok=True)
        logdir = self.p(name)
        if info:
            http_port, tls_port = po["ng"], po["ngs"]
            log_format = ("    log_format edge '$remote_addr - $remote_user [$time_local] \"$request\" $status "
                          "$body_bytes_sent \"$http_referer\" \"$http_user_agent\" rport=$remote_port "
                          "conn=$connection creq=$connection_requests rt=$request_time "
                          "urt=$upstream_response_time';\n")
            access = f"    access_log {logdir}/access.log edge;\n"
            error = f"error_log {logdir}/error.log info;\n"
            keepalive = "2s"
            tls = ("        ssl_protocols TLSv1.2 TLSv1.3;\n"
                   "        ssl_ciphers ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305;\n")
        else:
            http_port, tls_port = po["lg"], po["lgs"]
            log_format = ""
            access = f"    access_log {logdir}/access.log;\n"
            error = f"error_log {logdir}/error.log;\n"
            keepalive = "1s"
            tls = "        ssl_protocols TLSv1.3;\n"
        conf = (
            "worker_processes 1;\n"
            "daemon off;\n"
            f"pid {d}/nginx.pid;\n"
            f"{error}"
            "events {\n    worker_connections 256;\n}\n"
            "http {\n"
            f"{log_format}{access}"
            f"    client_body_temp_path {d}/body;\n    proxy_temp_path {d}/proxy;\n"
            f"    fastcgi_temp_path {d}/fcgi;\n    uwsgi_temp_path {d}/uwsgi;\n    scgi_temp_path {d}/scgi;\n"
            f"    keepalive_timeout {keepalive};\n"
            "    upstream orders_api {\n"
            f"        server 127.0.0.1:{po['b_ok']};\n        keepalive 4;\n    }}\n"
            "    upstream legacy_api {\n"
            f"        server 127.0.0.1:{po['b_down']};\n    }}\n"
            "    server {\n"
            f"        listen 127.0.0.1:{http_port};\n"
            "        server_name api.internal;\n"
            "        client_body_timeout 1s;\n"
            "        reset_timedout_connection on;\n"
            "        location /api/ {\n"
            "            proxy_pass http://orders_api;\n"
            "            proxy_http_version 1.1;\n"
            "            proxy_set_header Connection \"\";\n"
            "        }\n"
            "        location /api/reports/ {\n"
            "            proxy_pass http://orders_api;\n"
            "            proxy_read_timeout 1s;\n"
            "        }\n"
            "        location /legacy/ {\n"
            "            proxy_pass http://legacy_api;\n"
            "        }\n"
            "        location /upload {\n"
            "            client_max_body_size 1k;\n"
            "            proxy_pass http://orders_api;\n"
            "        }\n"
            "        location /wp-login.php {\n"
            "            return 444;\n"
            "        }\n"
            "    }\n"
            "    server {\n"
            f"        listen 127.0.0.1:{tls_port} ssl;\n"
            "        server_name api.internal;\n"
            f"        ssl_certificate {self.crt};\n"
            f"        ssl_certificate_key {self.key};\n"
            f"{tls}"
            "        location / {\n"
            "            proxy_pass http://orders_api;\n"
            "        }\n"
            "    }\n"
            "}\n")
        path = self.write_conf(f"{name}/nginx.conf", conf)
        errf = open(os.path.join(d, "stderr"), "w")
        p = self.procs.start(name, ["nginx", "-c", path, "-p", d + "/"], stderr=errf)
        try:
            wait_port("127.0.0.1", http_port, p, name)
            wait_port("127.0.0.1", tls_port, p, name)
        except TestbedError as e:
            raise TestbedError(f"{e}: {open(os.path.join(d, 'stderr')).read()}")
        self.servers[name] = p

    def start_haproxy(self):
        po = self.port
        self.syslog = SyslogReceiver(po["h_syslog"], self.p("haproxy/haproxy.log"), "lb1")
        self.syslog.start()
        cfg = (
            "global\n"
            f"    log 127.0.0.1:{po['h_syslog']} local0\n"
            "    maxconn 256\n"
            "\n"
            "defaults\n"
            "    log global\n"
            "    mode http\n"
            "    option httplog\n"
            "    timeout connect 1s\n"
            "    timeout client 10s\n"
            "    timeout server 1s\n"
            "    timeout http-request 5s\n"
            "    timeout http-keep-alive 2s\n"
            "\n"
            "frontend fe_api\n"
            f"    bind 127.0.0.1:{po['h_api']}\n"
            "    http-request reject if { path_beg /internal }\n"
            "    use_backend be_legacy if { path_beg /legacy }\n"
            "    default_backend be_orders\n"
            "\n"
            "frontend fe_api_nolinger\n"
            f"    bind 127.0.0.1:{po['h_nl']}\n"
            "    option nolinger\n"
            "    timeout http-keep-alive 1s\n"
            "    default_backend be_orders\n"
            "\n"
            "frontend fe_tls\n"
            f"    bind 127.0.0.1:{po['h_tls']} ssl crt {self.pem} ssl-min-ver TLSv1.2 "
            "ciphers ECDHE-RSA-AES256-GCM-SHA384\n"
            "    default_backend be_orders\n"
            "\n"
            "frontend fe_partner\n"
            f"    bind 127.0.0.1:{po['h_partner']}\n"
            "    tcp-request connection reject if { src 127.0.0.66 }\n"
            "    default_backend be_orders\n"
            "\n"
            "backend be_orders\n"
            f"    server app1 127.0.0.1:{po['b_ok']}\n"
            "\n"
            "backend be_legacy\n"
            f"    server legacy1 127.0.0.1:{po['b_down']}\n")
        path = self.write_conf("haproxy/haproxy.cfg", cfg)
        r = subprocess.run(["haproxy", "-c", "-f", path], capture_output=True, timeout=20)
        if r.returncode != 0:
            raise TestbedError("haproxy -c: " + r.stdout.decode() + r.stderr.decode())
        errf = open(os.path.join(self.tmp, "haproxy.stderr"), "w")
        p = self.procs.start("haproxy", ["haproxy", "-db", "-f", path], stderr=errf)
        for k in ("h_api", "h_nl", "h_tls", "h_partner"):
            wait_port("127.0.0.1", po[k], p, "haproxy")
        self.servers["haproxy"] = p

    def start_stunnel(self):
        po = self.port
        conf = (
            "foreground = yes\n"
            "pid =\n"
            f"output = {self.p('stunnel/stunnel.log')}\n"
            "debug = info\n"
            "\n"
            "[orders-tls]\n"
            f"accept = 127.0.0.1:{po['st']}\n"
            f"connect = 127.0.0.1:{po['b_ok']}\n"
            f"cert = {self.pem}\n"
            "sslVersionMin = TLSv1.2\n"
            "ciphers = ECDHE-RSA-AES256-GCM-SHA384\n"
            "TIMEOUTidle = 2\n")
        path = self.write_conf("stunnel/stunnel.conf", conf)
        p = self.procs.start("stunnel", ["stunnel", path])
        wait_port("127.0.0.1", po["st"], p, "stunnel")
        self.servers["stunnel"] = p

    # ---------------- clients (each writes one record and returns (ok, loc, lport, what-it-saw))
    def c_requests(self, method, url, ctx=None, data=None, log="orders", timeout=10):
        L = self.logs[log]
        _tl.lport = None
        s = requests.Session()
        s.mount("https://", CtxAdapter(ctx or tls_ctx()))
        s.mount("http://", requests.adapters.HTTPAdapter(max_retries=0))
        t0 = time.monotonic()
        try:
            r = s.request(method, url, data=data, timeout=timeout, verify=False)
            ms = int((time.monotonic() - t0) * 1000)
            r.raise_for_status()
            return True, L.record(logging.INFO, f"{method} {url} -> {r.status_code} in {ms} ms"), last_lport(), ""
        except requests.RequestException as e:
            ms = int((time.monotonic() - t0) * 1000)
            return False, L.record(logging.ERROR, f"{method} {url} failed after {ms} ms",
                                   exc_info=sys.exc_info()), last_lport(), f"{type(e).__name__}: {e}"
        finally:
            s.close()

    def c_urllib(self, method, url, ctx=None, data=None, log="billing", timeout=10):
        L = self.logs[log]
        _tl.lport = None
        t0 = time.monotonic()
        try:
            req = urllib.request.Request(url, data=data, method=method)
            with urllib.request.urlopen(req, timeout=timeout, context=ctx or tls_ctx()) as r:
                r.read()
                ms = int((time.monotonic() - t0) * 1000)
                return True, L.record(logging.INFO, f"{method} {url} -> {r.status} in {ms} ms"), last_lport(), ""
        except Exception as e:  # noqa: BLE001 - the app logs whatever urllib raises
            ms = int((time.monotonic() - t0) * 1000)
            return False, L.record(logging.ERROR, f"{method} {url} failed after {ms} ms",
                                   exc_info=sys.exc_info()), last_lport(), f"{type(e).__name__}: {e}"

    def c_curl(self, url, extra=(), netns=None, log="curl"):
        L = self.logs[log]
        wfmt = ("%{stderr}curl-result: url=%{url_effective} remote=%{remote_ip}:%{remote_port} "
                "local=%{local_ip}:%{local_port} http_code=%{http_code} exit=%{exitcode} "
                "time_total=%{time_total}s errormsg=\"%{errormsg}\"\n")
        argv = ["curl", "-sS", "-v", "--trace-time", "--fail", "-o", "/dev/null", "--max-time", "10",
                *extra, "-w", wfmt, url]
        if netns:
            argv = ["ip", "netns", "exec", netns] + argv
        shown = " ".join(a for a in argv[:] if a != wfmt and a != "-w")
        stamp = logging.Formatter(LOGFMT).format(
            logging.LogRecord(L.logger, logging.INFO, "", 0, f"run: {shown}", None, None))
        r = subprocess.run(argv, capture_output=True, timeout=30)
        err = r.stderr.decode("utf-8", "replace").replace("\r", "")
        m = re.search(r"local=[\d.]+:(\d+)", err)
        lport = int(m.group(1)) if m and m.group(1) != "0" else None
        loc = L.raw(stamp + "\n" + err)
        last = [ln for ln in err.splitlines() if ln.startswith("curl: (")]
        return r.returncode == 0, loc, lport, (last[-1] if last else f"exit {r.returncode}")

    def c_http(self, method, host, port, path, tls=None, body=None, log="sync", source=None):
        """One request on a fresh http.client connection (for source-address and TLS cases)."""
        L = self.logs[log]
        scheme = "https" if tls else "http"
        url = f"{scheme}://{host}:{port}{path}"
        conn = (http.client.HTTPSConnection(host, port, timeout=10, context=tls, source_address=source)
                if tls else http.client.HTTPConnection(host, port, timeout=10, source_address=source))
        lport = None
        t0 = time.monotonic()
        try:
            conn.connect()
            lport = conn.sock.getsockname()[1]
            conn.request(method, path, body=body)
            r = conn.getresponse()
            r.read()
            ms = int((time.monotonic() - t0) * 1000)
            ok = r.status < 400
            lvl = logging.INFO if ok else logging.ERROR
            return ok, L.record(lvl, f"{method} {url} -> {r.status} {r.reason} in {ms} ms "
                                     f"(local=127.0.0.1:{lport})"), lport, str(r.status)
        except Exception as e:  # noqa: BLE001
            ms = int((time.monotonic() - t0) * 1000)
            where = f" (local={source[0] if source else '127.0.0.1'}:{lport})" if lport else ""
            return False, L.record(logging.ERROR, f"{method} {url} failed after {ms} ms{where}",
                                   exc_info=sys.exc_info()), lport, f"{type(e).__name__}: {e}"
        finally:
            conn.close()

    # ---------------- normal traffic
    def normal_targets(self):
        po = self.port
        return [
            ("requests", f"http://127.0.0.1:{po['ng']}/api/orders", None),
            ("urllib", f"http://127.0.0.1:{po['lg']}/api/orders", None),
            ("curl", f"http://127.0.0.1:{po['h_api']}/api/orders", None),
            ("requests", f"https://127.0.0.1:{po['ngs']}/api/orders", None),
            ("urllib", f"https://127.0.0.1:{po['st']}/api/orders", None),
            ("curl", f"https://127.0.0.1:{po['h_tls']}/api/orders", ["-k"]),
            ("requests", f"http://127.0.0.1:{po['h_nl']}/api/orders", None),
            ("curl", f"https://127.0.0.1:{po['lgs']}/api/orders", ["-k"]),
            ("urllib", f"http://127.0.0.1:{po['b_inv']}/api/stock", None),
            ("requests", f"http://127.0.0.1:{po['h_partner']}/api/orders", None),
        ]

    def normal_one(self, i):
        client, url, extra = self.normal_targets()[i % len(self.normal_targets())]
        rid = self.rid("n")
        url = f"{url}?rid={rid}"
        if client == "requests":
            ok, loc, _, saw = self.c_requests("GET", url)
        elif client == "urllib":
            ok, loc, _, saw = self.c_urllib("GET", url)
        else:
            ok, loc, _, saw = self.c_curl(url, extra or ())
        if not ok:
            raise TestbedError(f"normal request failed: {client} {url}: {saw}")
        self.add_normal(loc, url.split("/")[2], f"GET {url} ({client})")

    # ---------------- phase 1: idle keep-alive reuse, in parallel
    def idle_session(self, label, port, tls, gap, out):
        """Request, short pause, request (both succeed), idle `gap` s, request on the same connection."""
        L = self.logs["sync"]
        host = "127.0.0.1"
        scheme = "https" if tls else "http"
        conn = (http.client.HTTPSConnection(host, port, timeout=10, context=tls_ctx()) if tls
                else http.client.HTTPConnection(host, port, timeout=10))
        rec = {"label": label, "port": port, "ok": [], "fail": None}
        try:
            conn.connect()
            lport = conn.sock.getsockname()[1]
            rec["lport"] = lport
            for pause in (0.0, 0.1, gap):
                time.sleep(pause)
                rid = self.rid("k" if pause < gap else "i")
                path = f"/api/orders?rid={rid}"
                url = f"{scheme}://{host}:{port}{path}"
                t0 = time.monotonic()
                try:
                    conn.request("GET", path)
                    r = conn.getresponse()
                    r.read()
                    ms = int((time.monotonic() - t0) * 1000)
                    loc = L.record(logging.INFO, f"GET {url} -> {r.status} {r.reason} in {ms} ms "
                                                 f"(local=127.0.0.1:{lport})")
                    rec["ok"].append((rid, loc, url))
                except Exception as e:  # noqa: BLE001
                    ms = int((time.monotonic() - t0) * 1000)
                    loc = L.record(logging.ERROR, f"GET {url} failed after {ms} ms (local=127.0.0.1:{lport})",
                                   exc_info=sys.exc_info())
                    rec["fail"] = (rid, loc, url, f"{type(e).__name__}: {e}", pause)
                    break
        except Exception as e:  # noqa: BLE001
            rec["error"] = f"{type(e).__name__}: {e}"
        finally:
            conn.close()
        out.append(rec)

    def phase_idle(self):
        po = self.port
        plan = [  # label, port, tls, idle gap, server
            ("nginx", po["ng"], None, 3.2),
            ("nginx-legacy", po["lg"], None, 2.2),
            ("haproxy", po["h_api"], None, 3.2),
            ("haproxy-nolinger", po["h_nl"], None, 2.2),
            ("stunnel", po["st"], tls_ctx(), 3.2),
        ]
        out = []
        threads = []
        for i in range(self.count):
            for label, port, tls, gap in plan:
                t = threading.Thread(target=self.idle_session, args=(label, port, tls, gap, out), daemon=True)
                threads.append(t)
        for i, t in enumerate(threads):
            t.start()
            time.sleep(0.05)
            if i % 5 == 4:
                self.normal_one(i)
        for t in threads:
            t.join(30)
        time.sleep(0.3)
        for rec in out:
            self.idle_evidence(rec)

    def idle_evidence(self, rec):
        label = rec["label"]
        if "error" in rec:
            raise TestbedError(f"idle session {label}: {rec['error']}")
        if not rec["fail"]:
            raise TestbedError(f"idle session {label}: the reuse after the idle gap did not fail")
        if len(rec["ok"]) != 2:
            raise TestbedError(f"idle session {label}: expected 2 good requests before the failure")
        for rid, loc, url in rec["ok"]:
            self.add_normal(loc, url.split("/")[2], f"GET {url} (http.client keep-alive)")
        rid, loc, url, saw, gap = rec["fail"]
        prev_rid = rec["ok"][-1][0]
        lport = rec["lport"]
        target = f"127.0.0.1:{rec['port']}"
        ev = []
        if label in ("nginx", "nginx-legacy"):
            acc = self.p(label, "access.log")
            ev.append(self.ev(f"{label}/access.log", find_line(acc, re.escape(prev_rid)), "proxy"))
            if find_line(acc, re.escape(rid), timeout=0.1, must=False):
                raise TestbedError(f"{label}: the failed reuse {rid} reached the server")
            ev.append(self.conf_line(f"{label}/nginx.conf", "keepalive_timeout"))
        elif label.startswith("haproxy"):
            hl = self.p("haproxy/haproxy.log")
            ev.append(self.ev("haproxy/haproxy.log", find_line(hl, rf":{lport} .*{re.escape(prev_rid)}"), "proxy"))
            if find_line(hl, re.escape(rid), timeout=0.1, must=False):
                raise TestbedError(f"{label}: the failed reuse {rid} reached HAProxy")
            if label == "haproxy":
                ev.append(self.conf_line("haproxy/haproxy.cfg", "timeout http-keep-alive 2s"))
            else:
                ev.append(self.conf_line("haproxy/haproxy.cfg", "timeout http-keep-alive 1s"))
                ev.append(self.conf_line("haproxy/haproxy.cfg", "option nolinger"))
        else:
            sl = self.p("stunnel/stunnel.log")
            acc_line = find_line(sl, rf"accepted connection from 127\.0\.0\.1:{lport}$")
            cid = re.search(r"LOG\d\[(\d+)\]", acc_line[1]).group(1)
            ev.append(self.ev("stunnel/stunnel.log", acc_line, "tls"))
            ev.append(self.ev("stunnel/stunnel.log", find_line(sl, rf"LOG\d\[{cid}\]: .*TIMEOUTidle exceeded"), "tls"))
            ev.append(self.conf_line("stunnel/stunnel.conf", "TIMEOUTidle"))
        self.add_failure(f"idle-reuse-{label}", "idle-timeout", loc, target, lport, ev, label,
                         note=f"connection reused after {gap:.1f} s idle", seen=saw)

    # ---------------- phase 2: one failure at a time, each with the server line it must produce
    def scenario(self, name, cls, server, client_call, expects, target, note="", level_limited_silent=None):
        """Run one provoked failure. expects: list of (bundle-relative log, regex, role) that must appear in lines
        written after the call, or ('config', rel, needle) for config evidence."""
        marks = {rel: count_lines(self.p(rel)) for kind, rel, *_ in expects if kind == "log"}
        silent_mark = count_lines(self.p(level_limited_silent[0])) if level_limited_silent else None
        ok, loc, lport, saw = client_call()
        if ok:
            raise TestbedError(f"{name}: the client did not fail ({saw})")
        ev = []
        for kind, rel, pat, role in expects:
            if kind == "log":
                pat = pat.replace("{LPORT}", str(lport))
                ev.append(self.ev(rel, find_line(self.p(rel), pat, since=marks[rel], what=f"({name})"), role))
            else:
                ev.append(self.conf_line(rel, pat))
        if level_limited_silent:
            time.sleep(0.15)
            rel, rx = level_limited_silent
            rx = rx.replace("{LPORT}", str(lport)) if lport else rx.replace(":{LPORT} ", "")
            extra = [ln for ln in read_lines(self.p(rel))[silent_mark:] if re.search(rx, ln)]
            if extra:
                raise TestbedError(f"{name}: expected {level_limited_silent} to stay silent, got {extra}")
        self.add_failure(name, cls, loc, target, lport, ev, server, note=note, seen=saw)
        self.check_deadline()

    def phase_serial(self, phases):
        po = self.port
        T = lambda k: f"127.0.0.1:{po[k]}"  # noqa: E731
        N, L_, H, S = "nginx", "nginx-legacy", "haproxy/haproxy.log", "stunnel/stunnel.log"
        NA, NE, LA, LE = "nginx/access.log", "nginx/error.log", "nginx-legacy/access.log", "nginx-legacy/error.log"
        cases = []

        def add(*a, **kw):
            cases.append((a, kw))

        def rid_url(base, tag):
            rid = self.rid(tag)
            return rid, f"{base}?rid={rid}" if "?" not in base else f"{base}&rid={rid}"

        # each entry builds its own request id at run time
        def tls_version(server, port_key, client, expects, **kw):
            def call():
                rid, url = rid_url(f"https://127.0.0.1:{po[port_key]}/api/orders", "t")
                if client == "requests":
                    return self.c_requests("GET", url, ctx=tls_ctx("old"))
                if client == "urllib":
                    return self.c_urllib("GET", url, ctx=tls_ctx("old"))
                return self.c_curl(url, ["-k", "--tlsv1.0", "--tls-max", "1.1", "--ciphers", "DEFAULT@SECLEVEL=0"])
            add(f"tls-version-{server}", "tls-mismatch", server, call, expects, T(port_key), **kw)

        def tls_cipher(server, port_key, client, expects):
            def call():
                rid, url = rid_url(f"https://127.0.0.1:{po[port_key]}/api/orders", "t")
                if client == "requests":
                    return self.c_requests("GET", url, ctx=tls_ctx("weak"))
                if client == "urllib":
                    return self.c_urllib("GET", url, ctx=tls_ctx("weak"))
                return self.c_curl(url, ["-k", "--tls-max", "1.2", "--ciphers", "AES128-SHA"])
            add(f"tls-cipher-{server}", "tls-mismatch", server, call, expects, T(port_key))

        clients = ["requests", "urllib", "curl"]
        for i in range(self.count):
            c = clients[i % 3]
            c2 = clients[(i + 1) % 3]
            # --- tls-mismatch
            tls_version(N, "ngs", c, [("log", NE, r"SSL_do_handshake\(\) failed .*unsupported protocol", "proxy")])
            tls_cipher(N, "ngs", c2, [("log", NE, r"SSL_do_handshake\(\) failed .*no shared cipher", "proxy")])
            tls_version(L_, "lgs", c2, [("config", "nginx-legacy/nginx.conf", "ssl_protocols", "config")],
                        note="nginx at error level logs no handshake failure; only the config shows the TLS floor",
                        level_limited_silent=(LE, r"."))
            tls_version("haproxy", "h_tls", c, [("log", H, r":{LPORT} .*fe_tls/\d+: SSL handshake failure", "proxy")])
            tls_cipher("haproxy", "h_tls", c2, [("log", H, r":{LPORT} .*fe_tls/\d+: SSL handshake failure", "proxy")])
            tls_version("stunnel", "st", c, [("log", S, r"SSL_accept: .*unsupported protocol", "tls")])
            tls_cipher("stunnel", "st", c2, [("log", S, r"SSL_accept: .*no shared cipher", "tls")])

            # --- protocol-mismatch
            def plain_to_tls(server, key, expects, c=c):
                def call():
                    rid, url = rid_url(f"http://127.0.0.1:{po[key]}/api/orders", "p")
                    if c == "curl":
                        return self.c_curl(url)
                    return self.c_requests("GET", url) if c == "requests" else self.c_urllib("GET", url)
                add(f"plain-http-to-tls-{server}", "protocol-mismatch", server, call, expects, T(key))

            def tls_to_plain(server, key, expects, c=c2):
                def call():
                    rid, url = rid_url(f"https://127.0.0.1:{po[key]}/api/orders", "p")
                    if c == "curl":
                        return self.c_curl(url, ["-k"])
                    return self.c_requests("GET", url) if c == "requests" else self.c_urllib("GET", url)
                add(f"tls-to-plain-port-{server}", "protocol-mismatch", server, call, expects, T(key))

            plain_to_tls(N, "ngs", [("log", NA, r'"GET /api/orders\?rid=p\d+ HTTP/1\.1" 400 .*rport={LPORT} ', "proxy"),
                                    ("log", NE, r"client sent plain HTTP request to HTTPS port", "proxy")])
            plain_to_tls(L_, "lgs", [("log", LA, r'"GET /api/orders\?rid=p\d+ HTTP/1\.1" 400 ', "proxy")])
            plain_to_tls("haproxy", "h_tls", [("log", H, r":{LPORT} .*fe_tls/\d+: SSL handshake failure", "proxy")])
            plain_to_tls("stunnel", "st", [("log", S, r"SSL_accept: .*http request", "tls")])
            tls_to_plain(N, "ng", [("log", NA, r'"\\x16\\x03.*" 400 .*rport={LPORT} ', "proxy")])
            tls_to_plain("haproxy", "h_api", [("log", H, r":{LPORT} .*fe_api/<NOSRV> .* 400 .*\"<BADREQ>\"", "proxy")])

            # --- upstream-failure (crash mid-request, backend down)
            def via(server, key, path, expects, c, method="GET"):
                def call():
                    rid, url = rid_url(f"http://127.0.0.1:{po[key]}{path}", "u")
                    call.rid = rid
                    if c == "curl":
                        return self.c_curl(url, ["-X", method] if method != "GET" else [])
                    if c == "requests":
                        return self.c_requests(method, url)
                    return self.c_urllib(method, url)
                return call

            add(f"backend-crash-{N}", "upstream-failure", N, via(N, "ng", "/api/checkout", [], c, "POST"),
                [("log", NE, r"(upstream prematurely closed connection|recv\(\) failed \(104: Connection reset by peer\))"
                             r".*/api/checkout\?rid=", "proxy"),
                 ("log", NA, r'/api/checkout\?rid=u\d+ HTTP/1\.1" 502 ', "proxy")], T("ng"))
            add(f"backend-down-{N}", "upstream-failure", N, via(N, "ng", "/legacy/status", [], c2),
                [("log", NE, r"connect\(\) failed \(111: Connection refused\) while connecting to upstream.*/legacy/", "proxy"),
                 ("log", NA, r'/legacy/status\?rid=u\d+ HTTP/1\.1" 502 ', "proxy")], T("ng"))
            add(f"backend-crash-{L_}", "upstream-failure", L_, via(L_, "lg", "/api/checkout", [], c2, "POST"),
                [("log", LE, r"(upstream prematurely closed connection|recv\(\) failed \(104: Connection reset by peer\))"
                             r".*/api/checkout\?rid=", "proxy"),
                 ("log", LA, r'/api/checkout\?rid=u\d+ HTTP/1\.1" 502 ', "proxy")], T("lg"))
            add(f"backend-down-{L_}", "upstream-failure", L_, via(L_, "lg", "/legacy/status", [], c),
                [("log", LE, r"connect\(\) failed \(111: Connection refused\) while connecting to upstream.*/legacy/", "proxy"),
                 ("log", LA, r'/legacy/status\?rid=u\d+ HTTP/1\.1" 502 ', "proxy")], T("lg"))
            add("backend-crash-haproxy", "upstream-failure", "haproxy", via("haproxy", "h_api", "/api/checkout", [], c, "POST"),
                [("log", H, r" 502 .* SH-- .*\"POST /api/checkout\?rid=u\d+ ", "proxy")], T("h_api"))
            add("backend-down-haproxy", "upstream-failure", "haproxy", via("haproxy", "h_api", "/legacy/status", [], c2),
                [("log", H, r" 503 .* SC-- .*\"GET /legacy/status\?rid=u\d+ ", "proxy")], T("h_api"))

            # --- server-timeout
            add(f"proxy-read-timeout-{N}", "server-timeout", N, via(N, "ng", "/api/reports/daily", [], c),
                [("log", NE, r"upstream timed out \(110: Connection timed out\) while reading response header.*/api/reports/", "proxy"),
                 ("log", NA, r'/api/reports/daily\?rid=u\d+ HTTP/1\.1" 504 ', "proxy")], T("ng"))
            add("timeout-server-haproxy", "server-timeout", "haproxy", via("haproxy", "h_api", "/api/reports/daily", [], c2),
                [("log", H, r" 504 .* sH-- .*\"GET /api/reports/daily\?rid=u\d+ ", "proxy"),
                 ("config", "haproxy/haproxy.cfg", "timeout server 1s", "config")], T("h_api"))
            add(f"client-body-timeout-{N}", "server-timeout", N, lambda: self.stalled_upload(),
                [("log", NA, r'"POST /api/import\?rid=s\d+ HTTP/1\.1" 408 .*rport={LPORT} ', "proxy"),
                 ("config", "nginx/nginx.conf", "client_body_timeout", "config")], T("ng"),
                note="nginx 1.22 writes no error.log line for client_body_timeout, even at info; the 408 shows it")

            # --- request-rejected
            big = b"x" * 4096

            def upload(key, c=c):
                def call():
                    rid, url = rid_url(f"http://127.0.0.1:{po[key]}/upload", "r")
                    if c == "curl":
                        return self.c_curl(url, ["--data-binary", "x" * 4096])
                    if c == "requests":
                        return self.c_requests("POST", url, data=big)
                    return self.c_urllib("POST", url, data=big)
                return call
            add(f"body-too-large-{N}", "request-rejected", N, upload("ng"),
                [("log", NE, r"client intended to send too large body: 4096 bytes", "proxy"),
                 ("log", NA, r'"POST /upload\?rid=r\d+ HTTP/1\.1" 413 ', "proxy")], T("ng"))
            add(f"body-too-large-{L_}", "request-rejected", L_, upload("lg", c2),
                [("log", LE, r"client intended to send too large body: 4096 bytes", "proxy"),
                 ("log", LA, r'"POST /upload\?rid=r\d+ HTTP/1\.1" 413 ', "proxy")], T("lg"))
            add(f"return-444-{N}", "request-rejected", N, via(N, "ng", "/wp-login.php", [], c),
                [("log", NA, r'"GET /wp-login\.php\?rid=u\d+ HTTP/1\.1" 444 ', "proxy")], T("ng"))
            add("http-request-reject-haproxy", "request-rejected", "haproxy",
                via("haproxy", "h_api", "/internal/metrics", [], c2),
                [("log", H, r"fe_api/<NOSRV> .* PR-- .*\"GET /internal/metrics\?rid=u\d+ ", "proxy"),
                 ("config", "haproxy/haproxy.cfg", "http-request reject", "config")], T("h_api"))

            def partner_reject(c=c):
                def call():
                    rid, url = rid_url(f"http://127.0.0.1:{po['h_partner']}/api/orders", "r")
                    if c == "curl":
                        return self.c_curl(url, ["--interface", "127.0.0.66"])
                    return self.c_http("GET", "127.0.0.1", po["h_partner"], url.split(str(po["h_partner"]))[1],
                                       source=("127.0.0.66", 0))
                return call
            add("tcp-connection-reject-haproxy", "request-rejected", "haproxy", partner_reject(),
                [("config", "haproxy/haproxy.cfg", "tcp-request connection reject", "config")], T("h_partner"),
                note="HAProxy logs nothing for tcp-request connection reject; only the config proves it",
                level_limited_silent=(H, r":{LPORT} .*fe_partner"))

            # --- unexplained: a reset from a server outside the bundle
            def rogue(c=c):
                def call():
                    rid, url = rid_url(f"http://127.0.0.1:{po['b_rogue']}/v2/partner/quote", "x")
                    return self.c_requests("GET", url) if c != "urllib" else self.c_urllib("GET", url)
                return call
            for cc in (c, c2):
                add("reset-outside-bundle", "unexplained", "partner-gw", rogue(cc), [], T("b_rogue"),
                    note="the partner gateway resets every request; none of its logs are in the bundle")

        # interleave normal traffic: one normal request after every failure
        cases = [(a, kw) for a, kw in cases if a[1] in phases]
        for i, (a, kw) in enumerate(cases):
            self.scenario(*a, **kw)
            self.normal_one(i + 3)

    def stalled_upload(self):
        """POST with Content-Length 4000, send 100 bytes, stall 2 s (nginx client_body_timeout 1s), send the rest."""
        L = self.logs["sync"]
        po = self.port
        rid = self.rid("s")
        path = f"/api/import?rid={rid}"
        url = f"http://127.0.0.1:{po['ng']}{path}"
        conn = http.client.HTTPConnection("127.0.0.1", po["ng"], timeout=10)
        lport = None
        t0 = time.monotonic()
        try:
            conn.connect()
            lport = conn.sock.getsockname()[1]
            conn.putrequest("POST", path)
            conn.putheader("Content-Type", "application/octet-stream")
            conn.putheader("Content-Length", "4000")
            conn.endheaders(b"y" * 100)
            time.sleep(2.0)
            for _ in range(4):
                conn.send(b"y" * 975)
                time.sleep(0.05)
            r = conn.getresponse()
            r.read()
            ms = int((time.monotonic() - t0) * 1000)
            return r.status < 400, L.record(logging.ERROR if r.status >= 400 else logging.INFO,
                                            f"POST {url} -> {r.status} {r.reason} in {ms} ms "
                                            f"(local=127.0.0.1:{lport})"), lport, str(r.status)
        except Exception as e:  # noqa: BLE001
            ms = int((time.monotonic() - t0) * 1000)
            return False, L.record(logging.ERROR, f"POST {url} failed after {ms} ms (local=127.0.0.1:{lport})",
                                   exc_info=sys.exc_info()), lport, f"{type(e).__name__}: {e}"
        finally:
            conn.close()

    # ---------------- server-unavailable: the inventory service restarts, no proxy in front
    def phase_unavailable(self):
        po = self.port
        invlog = self.p("backend/inventory.log")
        for i in range(2):
            self.normal_one(8)  # urllib -> inventory
        mark = count_lines(invlog)
        self.procs.stop(self.inv)
        stop_line = find_line(invlog, r"received SIGTERM, shutting down", since=mark)
        for i in range(2 * self.count):
            rid = self.rid("d")
            url = f"http://127.0.0.1:{po['b_inv']}/api/stock?rid={rid}"
            if i % 2 == 0:
                ok, loc, lport, saw = self.c_urllib("GET", url)
            else:
                ok, loc, lport, saw = self.c_curl(url)
            if ok:
                raise TestbedError("inventory down: the request did not fail")
            self.add_failure("server-down-inventory", "server-unavailable", loc, f"127.0.0.1:{po['b_inv']}", lport,
                             [self.ev("backend/inventory.log", stop_line, "server")], "inventory",
                             note="inventory service stopped (SIGTERM) and not yet restarted; no proxy in front",
                             seen=saw)
            time.sleep(0.1)
        self.inv = self.start_backend("inventory", po["b_inv"], ["--log", invlog])
        for i in range(2):
            self.normal_one(8)

    # ---------------- optional: rstscope probe as one more client
    def phase_probe(self):
        """`rstscope probe` as one more client (issue 10): normal requests, a stale keep-alive reuse at nginx
        and a TLS version mismatch at stunnel. Its --log lines are the client records."""
        if not self.probe_ok:
            return
        po = self.port
        rel = "client/probe.log"
        path = self.p(rel)

        def probe(args):
            before = count_lines(path)
            argv = [self.rstscope, "probe", *args, "--timeout", "5", "--log", path]
            r = subprocess.run(argv, capture_output=True, timeout=60)
            after = count_lines(path)
            if r.returncode not in (0, 2) or after == before:
                self.skipped.append(f"rstscope probe client: `{' '.join(argv[1:])}` gave rc {r.returncode}, "
                                    f"{after - before} log lines: {r.stderr.decode(errors='replace')[:200]}")
                return None
            return r.returncode, (rel, before + 1, after), r.stdout.decode(errors="replace")

        def lport(loc):
            for ln in read_lines(path)[loc[1] - 1:loc[2]]:
                m = re.search(r" local=[\d.]+:(\d+)", ln)
                if m:
                    return int(m.group(1))
            return None

        for i in range(self.count):
            rid = self.rid("q")
            got = probe([f"127.0.0.1:{po['ng']}", "--http", f"/api/orders?rid={rid}"])
            if got is None:
                return
            rc, loc, out = got
            if rc != 0:
                raise TestbedError(f"rstscope probe normal request failed (rc {rc}): {out[-300:]}")
            self.add_normal(loc, f"127.0.0.1:{po['ng']}", f"rstscope probe --http /api/orders?rid={rid}")
            self.normal_one(i)

            # stale reuse: first request ok, 3 s idle (> keepalive_timeout 2s), second request fails
            rid = self.rid("q")
            acc = self.p("nginx/access.log")
            mark = count_lines(acc)
            got = probe([f"127.0.0.1:{po['ng']}", "--http", f"/api/orders?rid={rid}", "--reuse-after", "3"])
            if got is None:
                return
            rc, loc, out = got
            if rc != 2:
                raise TestbedError(f"rstscope probe --reuse-after 3 did not fail at nginx (rc {rc}): {out[-300:]}")
            first = find_line(acc, re.escape(rid), since=mark)
            if len([ln for ln in read_lines(acc)[mark:] if rid in ln]) != 1:
                raise TestbedError("probe reuse: the reused request reached nginx")
            self.add_failure("idle-reuse-nginx-probe", "idle-timeout", loc, f"127.0.0.1:{po['ng']}", lport(loc),
                             [self.ev("nginx/access.log", first, "proxy"),
                              self.conf_line("nginx/nginx.conf", "keepalive_timeout")], "nginx",
                             note="rstscope probe --reuse-after 3 against keepalive_timeout 2s",
                             seen=out.strip().splitlines()[-1] if out.strip() else "")
            self.normal_one(i + 1)

            # TLS 1.0-1.1 only against stunnel (TLS 1.2 minimum)
            sl = self.p("stunnel/stunnel.log")
            mark = count_lines(sl)
            got = probe([f"127.0.0.1:{po['st']}", "--tls", "--tls-min", "1.0", "--tls-max", "1.1",
                         "--ciphers", "DEFAULT:@SECLEVEL=0", "--http", "/api/orders"])
            if got is None:
                return
            rc, loc, out = got
            if rc != 2:
                raise TestbedError(f"rstscope probe --tls-max 1.1 did not fail at stunnel (rc {rc}): {out[-300:]}")
            self.add_failure("tls-version-stunnel-probe", "tls-mismatch", loc, f"127.0.0.1:{po['st']}", lport(loc),
                             [self.ev("stunnel/stunnel.log",
                                      find_line(sl, r"SSL_accept: .*unsupported protocol", since=mark), "tls")],
                             "stunnel", note="rstscope probe --tls --tls-max 1.1",
                             seen=out.strip().splitlines()[-1] if out.strip() else "")
            self.normal_one(i + 2)

    # ---------------- phase 3: firewall reset between two network namespaces
    def phase_firewall(self):
        why = self.firewall_unavailable()
        if why:
            self.skipped.append(f"firewall part: {why}")
            say(f"SKIPPING firewall part: {why}")
            return
        tag = f"{os.getpid() % 100000}"
        nsc, nss = f"rsc{tag}", f"rss{tag}"
        vc, vs = f"rvc{tag}", f"rvs{tag}"
        cip, sip = "10.203.0.1", "10.203.0.2"

        def sh(*argv):
            r = subprocess.run(list(argv), capture_output=True, timeout=15)
            if r.returncode != 0:
                raise TestbedError(f"{' '.join(argv)}: {r.stderr.decode(errors='replace').strip()}")
            return r.stdout.decode()
        kfd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
        os.lseek(kfd, 0, os.SEEK_END)
        try:
            sh("ip", "netns", "add", nsc)
            self.netns_cleanup.append(nsc)
            sh("ip", "netns", "add", nss)
            self.netns_cleanup.append(nss)
            sh("ip", "link", "add", vc, "type", "veth", "peer", "name", vs)
            sh("ip", "link", "set", vc, "netns", nsc)
            sh("ip", "link", "set", vs, "netns", nss)
            sh("ip", "-n", nsc, "addr", "add", f"{cip}/30", "dev", vc)
            sh("ip", "-n", nss, "addr", "add", f"{sip}/30", "dev", vs)
            for ns, dev in ((nsc, vc), (nss, vs)):
                sh("ip", "-n", ns, "link", "set", "lo", "up")
                sh("ip", "-n", ns, "link", "set", dev, "up")
            with open("/proc/sys/net/netfilter/nf_log_all_netns") as f:
                self.nf_log_restore = f.read().strip()
            with open("/proc/sys/net/netfilter/nf_log_all_netns", "w") as f:
                f.write("1")
            ipt = ["ip", "netns", "exec", nss, "iptables"]
            # an IPS-like rule: requests with large packets to the API are reset; and port 8443 is closed by policy
            sh(*ipt, "-A", "INPUT", "-i", vs, "-p", "tcp", "--dport", "8080", "-m", "length", "--length", "600:65535",
               "-j", "LOG", "--log-prefix", "IPS-RESET: ")
            sh(*ipt, "-A", "INPUT", "-i", vs, "-p", "tcp", "--dport", "8080", "-m", "length", "--length", "600:65535",
               "-j", "REJECT", "--reject-with", "tcp-reset")
            sh(*ipt, "-A", "INPUT", "-i", vs, "-p", "tcp", "--dport", "8443", "-j", "LOG", "--log-prefix", "POLICY-DENY-8443: ")
            sh(*ipt, "-A", "INPUT", "-i", vs, "-p", "tcp", "--dport", "8443", "-j", "REJECT", "--reject-with", "tcp-reset")
            rules = sh("ip", "netns", "exec", nss, "iptables-save")
            rules = "\n".join(ln for ln in rules.splitlines() if not ln.startswith("#")) + "\n"
            self.write_conf("firewall/iptables.rules", rules)
            self.start_backend("fw-api", 8080, ["--host", sip], host=sip, netns=nss)
            self.start_backend("fw-api-tls", 8443, ["--host", sip], host=sip, netns=nss)

            results = []

            def in_ns():
                fd = os.open(f"/var/run/netns/{nsc}", os.O_RDONLY)
                libc = ctypes.CDLL(None, use_errno=True)
                if libc.setns(fd, 0x40000000) != 0:
                    results.append(("error", f"setns: errno {ctypes.get_errno()}"))
                    return
                os.close(fd)
                try:
                    for i in range(self.count):
                        for j in range(2):
                            rid = self.rid("n")
                            url = f"http://{sip}:8080/api/orders?rid={rid}"
                            results.append(("normal", url, self.c_requests("GET", url)))
                        rid = self.rid("w")
                        url = f"http://{sip}:8080/api/reports/upload?rid={rid}"
                        results.append(("ips", url, self.c_requests("POST", url, data=b"r" * 1200)))
                        rid = self.rid("w")
                        url = f"http://{sip}:8443/api/orders?rid={rid}"
                        results.append(("deny", url, self.c_urllib("GET", url)))
                except Exception:  # noqa: BLE001
                    results.append(("error", traceback.format_exc()))
            t = threading.Thread(target=in_ns, daemon=True)
            t.start()
            t.join(60)
            time.sleep(0.3)
            kern = self.read_kmsg(kfd, vs)
            with open(self.p("firewall/kern.log"), "w") as f:
                f.write("".join(ln + "\n" for ln in kern))
            kl = self.p("firewall/kern.log")
            deny_lines = [(i, ln) for i, ln in enumerate(read_lines(kl), 1)
                          if re.search(rf"POLICY-DENY-8443: IN={vs} .*DPT=8443 .*SYN", ln)]
            n_deny = 0
            for r in results:
                if r[0] == "error":
                    raise TestbedError(f"firewall client: {r[1]}")
                kind, url, (ok, loc, lport, saw) = r
                target = url.split("/")[2]
                if kind == "normal":
                    if not ok:
                        raise TestbedError(f"firewall normal request failed: {url}: {saw}")
                    self.add_normal(loc, target, f"GET {url} (requests, namespace)")
                    continue
                if ok:
                    raise TestbedError(f"firewall {kind}: the request did not fail: {url}")
                if kind == "ips":
                    if lport is None:
                        raise TestbedError(f"firewall {kind}: no local port known for {url}")
                    found = find_line(kl, rf"IPS-RESET: IN={vs} .*SPT={lport} DPT=8080 ", timeout=0.1,
                                      what="(firewall ips)")
                else:  # refused connect: the client never learns its port; the k-th SYN logged is the k-th attempt
                    if n_deny >= len(deny_lines):
                        raise TestbedError(f"firewall deny: only {len(deny_lines)} LOG lines for port 8443")
                    found = deny_lines[n_deny]
                    n_deny += 1
                    lport = int(re.search(r"SPT=(\d+)", found[1]).group(1))
                ev = [self.ev("firewall/kern.log", found, "firewall"),
                      self.conf_line("firewall/iptables.rules", "--reject-with tcp-reset" if kind == "ips"
                                     else "--dport 8443 -j REJECT")]
                self.add_failure(f"firewall-{kind}", "firewall", loc, target, lport, ev, "iptables",
                                 note=("iptables REJECT --reject-with tcp-reset on the server's namespace, "
                                       "LOG rule in front"), seen=saw)
        finally:
            os.close(kfd)

    def firewall_unavailable(self):
        if self.args.no_firewall:
            return "disabled by --no-firewall"
        if os.geteuid() != 0:
            return "needs root (network namespaces, iptables)"
        for b in ("ip", "iptables", "iptables-save"):
            if not shutil.which(b):
                return f"{b} not installed"
        if not os.access("/dev/kmsg", os.R_OK):
            return "/dev/kmsg is not readable (kernel log)"
        try:
            fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
            os.close(fd)
        except OSError as e:
            return f"/dev/kmsg: {e}"
        if not os.access("/proc/sys/net/netfilter/nf_log_all_netns", os.W_OK):
            return "/proc/sys/net/netfilter/nf_log_all_netns not writable (no kernel LOG lines from namespaces)"
        r = subprocess.run(["ip", "netns", "add", f"rsprobe{os.getpid() % 100000}"], capture_output=True)
        if r.returncode != 0:
            return "network namespaces forbidden: " + r.stderr.decode(errors="replace").strip()
        subprocess.run(["ip", "netns", "del", f"rsprobe{os.getpid() % 100000}"], capture_output=True)
        return None

    def read_kmsg(self, fd, iface):
        """Kernel records since the mark, for our interface, as Debian's rsyslog writes kern.log."""
        offset = time.time() - time.clock_gettime(time.CLOCK_MONOTONIC)
        out = []
        for _ in range(100000):
            try:
                rec = os.read(fd, 8192).decode("utf-8", "replace")
            except BlockingIOError:
                break
            except OSError:  # EPIPE: record overwritten; go on
                continue
            head, _, msg = rec.partition(";")
            msg = msg.split("\n", 1)[0]
            if f"IN={iface} " not in msg:
                continue
            usec = int(head.split(",")[2])
            wall = dt.datetime.fromtimestamp(offset + usec / 1e6)
            stamp = f"{wall:%b} {wall.day:2d} {wall:%H:%M:%S}"
            out.append(f"{stamp} fw1 kernel: [{usec // 1000000:5d}.{usec % 1000000:06d}] {msg}")
        return out

    # ---------------- finish
    def finish(self):
        """Stop servers, copy configs into the bundle (temp paths replaced, line numbers unchanged), write truth."""
        self.procs.stop_all()
        if self.syslog:
            time.sleep(0.2)
            self.syslog.stop()
            self.syslog = None
        for L in getattr(self, "logs", {}).values():
            L.close()
            # tracebacks name the app's own file, as they would in production (same line count)
            text = open(L.path, encoding="utf-8").read().replace(os.path.abspath(__file__), "/srv/app/client.py")
            with open(L.path, "w", encoding="utf-8") as f:
                f.write(text)
        conf_root = os.path.join(self.tmp, "conf")
        for root, _, files in os.walk(conf_root):
            for fn in files:
                src = os.path.join(root, fn)
                rel = os.path.relpath(src, conf_root)
                text = open(src).read().replace(self.tmp, "/etc/testbed").replace(self.bundle, "/var/log/testbed")
                os.makedirs(os.path.dirname(self.p(rel)), exist_ok=True)
                with open(self.p(rel), "w") as f:
                    f.write(text)
        for d in os.listdir(self.bundle):
            dp = self.p(d)
            if os.path.isdir(dp) and not os.listdir(dp):
                os.rmdir(dp)

    def cleanup(self):
        try:
            self.procs.stop_all()
        finally:
            for ns in self.netns_cleanup:
                subprocess.run(["ip", "netns", "del", ns], capture_output=True)
            if self.nf_log_restore is not None:
                try:
                    with open("/proc/sys/net/netfilter/nf_log_all_netns", "w") as f:
                        f.write(self.nf_log_restore)
                except OSError:
                    pass
            if self.syslog:
                self.syslog.stop()
            shutil.rmtree(self.tmp, ignore_errors=True)

    def write_truth(self, seconds):
        by_class = {}
        for f in self.failures:
            by_class[f["class"]] = by_class.get(f["class"], 0) + 1
        truth = {
            "about": "rstscope e2e testbed ground truth; see docs/testbed.md",
            "generated": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "run_seconds": round(seconds, 1),
            "count_per_scenario": self.count,
            "versions": versions(),
            "endpoints": {k: f"127.0.0.1:{v}" for k, v in self.port.items()},
            "failures_per_class": dict(sorted(by_class.items())),
            "skipped": self.skipped,
            "failures": self.failures,
            "normal": self.normal,
        }
        with open(self.args.truth, "w") as f:
            json.dump(truth, f, indent=1)
            f.write("\n")
        return by_class


ALL_CLASSES = ("tls-mismatch", "protocol-mismatch", "upstream-failure", "server-timeout", "request-rejected",
               "unexplained")
PROFILES = {
    "full": ("every cause class", ("idle", "unavailable", "firewall") + ALL_CLASSES),
    "keepalive": ("only keep-alive reuse after idle (idle-timeout)", ("idle",)),
    "tls": ("TLS version/cipher and protocol mismatches", ("tls-mismatch", "protocol-mismatch")),
    "backend": ("upstream crash/down, server timeouts, rejects, server restart",
                ("upstream-failure", "server-timeout", "request-rejected", "unavailable")),
}


def versions():
    out = {}
    for name, argv in (("nginx", ["nginx", "-v"]), ("haproxy", ["haproxy", "-v"]), ("stunnel", ["stunnel", "-version"]),
                       ("curl", ["curl", "--version"]), ("openssl", ["openssl", "version"])):
        try:
            r = subprocess.run(argv, capture_output=True, timeout=10)
            text = (r.stdout + r.stderr).decode(errors="replace").splitlines()
            line = next((ln for ln in text if re.search(r"\d+\.\d+", ln) and "inetd" not in ln), "")
            out[name] = line.strip()
        except OSError:
            out[name] = "missing"
    out["python"] = sys.version.split()[0]
    out["requests"] = requests.__version__ if requests else "missing"
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="bundle folder to create (must not exist or be empty)")
    ap.add_argument("--count", type=int, default=3, help="failures per scenario (default 3)")
    ap.add_argument("--rstscope", help="rstscope binary (used as a client if it has `probe`)")
    ap.add_argument("--no-firewall", action="store_true", help="skip the network-namespace firewall part")
    ap.add_argument("--truth", help="ground truth file (default: BUNDLE.ground_truth.json beside the bundle, "
                                    "so that analyze never reads it)")
    ap.add_argument("--profile", choices=sorted(PROFILES), default="full",
                    help="which failures to provoke: " + "; ".join(f"{k}: {v[0]}" for k, v in sorted(PROFILES.items())))
    args = ap.parse_args(argv)
    if not args.truth:
        args.truth = os.path.abspath(args.out).rstrip("/") + ".ground_truth.json"
    path = os.environ.get("PATH", "").split(os.pathsep)
    for d in ("/usr/sbin", "/sbin"):  # nginx, haproxy, ip, iptables live here on Debian
        if d not in path:
            path.append(d)
    os.environ["PATH"] = os.pathsep.join(p for p in path if p)
    if not 1 <= args.count <= 10:
        ap.error("--count must be 1..10")
    def on_term(signum, _frame):  # CTest timeout or kill: stop everything we started, then exit
        raise TestbedError(f"terminated by {signal.Signals(signum).name}")
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)
    tb = Testbed(args)
    t0 = time.monotonic()
    try:
        tb.setup()
        phases = PROFILES[args.profile][1]
        for i in range(3):
            tb.normal_one(i)
        if "idle" in phases:
            say("servers up; phase 1: keep-alive reuse after idle (parallel)")
            tb.phase_idle()
        say("phase 2: one provoked failure at a time, normal traffic between")
        tb.phase_serial(phases)
        if "unavailable" in phases:
            say("phase 3: server restart without a proxy")
            tb.phase_unavailable()
        tb.phase_probe()
        if "firewall" in phases:
            say("phase 4: firewall reset between network namespaces")
            tb.phase_firewall()
        for i in range(3):
            tb.normal_one(i + 5)
        tb.finish()
        secs = time.monotonic() - t0
        by_class = tb.write_truth(secs)
        say(f"done in {secs:.1f} s: {len(tb.failures)} failures, {len(tb.normal)} normal requests")
        for k, v in sorted(by_class.items()):
            say(f"  {k:20s} {v}")
        for s in tb.skipped:
            say(f"  skipped: {s}")
        return 0
    except Skip as e:
        print(f"SKIPPED: {e}", flush=True)
        return 77
    except (TestbedError, KeyboardInterrupt) as e:
        print(f"TESTBED FAILED: {e or 'interrupted'}", file=sys.stderr, flush=True)
        return 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        tb.cleanup()


if __name__ == "__main__":
    sys.exit(main())

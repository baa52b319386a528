#!/usr/bin/python3
"""End-to-end test: run the testbed, then judge `rstscope analyze` on the bundle it recorded.

Usage: run.py --rstscope PATH [--keep DIR] [--count N] [--no-firewall] [--min-share 0.95]

Exit 0 pass, 1 fail, 77 skipped (prints "SKIPPED: <reason>" when a server binary is missing; CTest:
set SKIP_RETURN_CODE 77). Without --keep the bundle lives in a temp folder removed at the end; with
--keep DIR it is written to DIR (which must not exist or be empty) and kept for inspection.
"""
import argparse
import os
import re
import signal
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"
TIME_LIMIT_S = 600  # testbed stays under 3 min; analyze gets the rest


CHILD = []


def run_child(argv, timeout):
    """subprocess.run that stops the child (by PID) if we are terminated or time out."""
    p = subprocess.Popen(argv)
    CHILD.append(p)
    try:
        return p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.terminate()
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        raise
    finally:
        CHILD.remove(p)


def on_term(signum, _frame):
    for p in list(CHILD):
        p.terminate()
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()
    raise SystemExit(1)


def main(argv=None):
    signal.signal(signal.SIGTERM, on_term)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rstscope", required=True)
    ap.add_argument("--keep", help="write the bundle here and keep it")
    ap.add_argument("--count", type=int, default=3)
    ap.add_argument("--no-firewall", action="store_true")
    ap.add_argument("--min-share", type=float, default=0.95)
    args = ap.parse_args(argv)

    rst = os.path.abspath(args.rstscope)
    if not os.access(rst, os.X_OK):
        print(f"FAIL: {rst} is not an executable rstscope binary")
        return 1
    r = subprocess.run([rst, "analyze", "--help"], capture_output=True, timeout=30)
    if r.returncode != 0 or not re.search(rb"Usage: \S*rstscope analyze", r.stdout + r.stderr):
        print(f"FAIL: `{rst} analyze --help` (rc {r.returncode}) shows no `analyze` subcommand: the correlation engine is not built in")
        return 1

    tmp = None
    if args.keep:
        bundle = os.path.abspath(args.keep)
    else:
        tmp = tempfile.mkdtemp(prefix="rstscope-e2e-run-")
        bundle = os.path.join(tmp, "bundle")
    t0 = time.monotonic()
    try:
        tb = [PY, os.path.join(HERE, "testbed.py"), "--out", bundle, "--count", str(args.count), "--rstscope", rst]
        if args.no_firewall:
            tb.append("--no-firewall")
        try:
            rc = run_child(tb, TIME_LIMIT_S)
        except subprocess.TimeoutExpired:
            print(f"FAIL: testbed exceeded {TIME_LIMIT_S} s")
            return 1
        if rc == 77:
            return 77  # the testbed printed SKIPPED: <reason>
        if rc != 0:
            print(f"FAIL: testbed exited {rc} (see above)")
            return 1
        t1 = time.monotonic()
        out = os.path.join(tmp or bundle + ".out", "incidents.json")
        os.makedirs(os.path.dirname(out), exist_ok=True)
        ck = [PY, os.path.join(HERE, "check.py"), bundle, "--rstscope", rst, "--json", out,
              "--min-share", str(args.min_share)]
        try:
            rc = run_child(ck, TIME_LIMIT_S)
        except subprocess.TimeoutExpired:
            print(f"FAIL: rstscope analyze exceeded {TIME_LIMIT_S} s")
            return 1
        print(f"e2e: testbed {t1 - t0:.1f} s, analyze + check {time.monotonic() - t1:.1f} s")
        if args.keep:
            print(f"e2e: bundle kept in {bundle}, incidents in {out}")
        return 0 if rc == 0 else 1
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Judge `rstscope analyze` against a testbed bundle's ground truth.

Usage: check.py --rstscope PATH BUNDLE [--truth FILE] [--json OUT] [--incidents FILE] [--min-share 0.95] [-v]

Runs `rstscope analyze BUNDLE --json OUT` (or reads an existing --incidents FILE), then per ground-truth
failure looks for the incident whose client_event.source is the failure's client log and whose
client_event.line lies inside the failure's record (first..last line). A failure is attributed right when
that incident's cause.class equals the true class and (except for class `unexplained`, which has no
evidence) at least one of its evidence entries names a true evidence line (same source and line).
Normal requests must give no incident, and no incident may sit on a line that is no client request at all
(e.g. a README quoting an error; --allow-stray to tolerate). Prints the per-class table; exit 0 when every
class reaches the minimum share and both counts are 0, 1 otherwise, 2 on usage or tool errors.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def load_incidents(args):
    if args.incidents:
        with open(args.incidents) as f:
            return json.load(f), None
    out = args.json or os.path.join(tempfile.mkdtemp(prefix="rstscope-check-"), "incidents.json")
    db = os.path.join(os.path.dirname(out), "check.db")
    argv = [args.rstscope, "analyze", args.bundle, "-o", db, "--json", out]
    r = subprocess.run(argv, capture_output=True, timeout=600)
    if r.returncode != 0 or not os.path.exists(out):
        sys.stderr.write(f"check: `{' '.join(argv)}` failed (rc {r.returncode})\n"
                         f"{r.stdout.decode(errors='replace')[-2000:]}{r.stderr.decode(errors='replace')[-2000:]}\n")
        return None, out
    with open(out) as f:
        return json.load(f), out


def norm(src):
    return (src or "").replace("\\", "/").lstrip("./")


def judge(truth, doc, verbose=False):
    incidents = doc.get("incidents", [])
    by_source = {}
    for inc in incidents:
        ce = inc.get("client_event") or {}
        by_source.setdefault(norm(ce.get("source")), []).append(inc)

    def find(src, first, last):
        return [i for i in by_source.get(norm(src), [])
                if isinstance(i.get("client_event", {}).get("line"), int) and first <= i["client_event"]["line"] <= last]

    used = set()
    rows = {}
    misses = []
    for f in truth["failures"]:
        cls = f["class"]
        row = rows.setdefault(cls, {"n": 0, "found": 0, "class_ok": 0, "right": 0})
        row["n"] += 1
        c = f["client"]
        hits = find(c["source"], c["line"], c["last_line"])
        for h in hits:
            used.add(id(h))
        if not hits:
            misses.append((f, "no incident for this client record"))
            continue
        row["found"] += 1
        true_ev = {(norm(e["source"]), e["line"]) for e in f["evidence"]}
        best = None
        for h in hits:
            got_cls = (h.get("cause") or {}).get("class")
            ev = {(norm(e.get("source")), e.get("line")) for e in h.get("evidence", [])}
            if got_cls == cls and (cls == "unexplained" or ev & true_ev):
                best = "right"
                break
            if got_cls == cls:
                best = best or "class-only"
        if best:
            row["class_ok"] += 1
        if best == "right":
            row["right"] += 1
        else:
            h = hits[0]
            misses.append((f, f"got {(h.get('cause') or {}).get('class')} ({(h.get('cause') or {}).get('rule')}), "
                              f"evidence {[(e.get('source'), e.get('line')) for e in h.get('evidence', [])][:4]}"
                              if best != "class-only" else "right class, but no true evidence line"))
    normal_hits = []
    for n in truth["normal"]:
        for h in find(n["source"], n["line"], n["last_line"]):
            used.add(id(h))
            normal_hits.append((n, h))
    stray = [i for i in incidents if id(i) not in used]
    return rows, misses, normal_hits, stray


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("bundle")
    ap.add_argument("--rstscope")
    ap.add_argument("--json", help="where analyze writes its JSON (default: a temp file)")
    ap.add_argument("--incidents", help="judge an existing incidents JSON instead of running analyze")
    ap.add_argument("--truth", help="ground truth (default: BUNDLE.ground_truth.json beside the bundle)")
    ap.add_argument("--min-share", type=float, default=0.95)
    ap.add_argument("--allow-stray", action="store_true",
                    help="do not fail on incidents that match no ground-truth record")
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args(argv)
    if not args.incidents and not args.rstscope:
        ap.error("--rstscope or --incidents is required")
    with open(args.truth or args.bundle.rstrip("/") + ".ground_truth.json") as f:
        truth = json.load(f)
    doc, out = load_incidents(args)
    if doc is None:
        return 2
    rows, misses, normal_hits, stray = judge(truth, doc)

    print(f"{'cause class':20s} {'failures':>8s} {'incident':>8s} {'class ok':>8s} {'right+ev':>8s} {'share':>7s}  verdict")
    ok = True
    for cls in sorted(rows):
        r = rows[cls]
        share = r["right"] / r["n"] if r["n"] else 0.0
        good = share >= args.min_share
        ok &= good
        print(f"{cls:20s} {r['n']:8d} {r['found']:8d} {r['class_ok']:8d} {r['right']:8d} {share:6.0%}  "
              f"{'ok' if good else 'FAIL'}")
    nn = len(truth["normal"])
    print(f"{'normal requests':20s} {nn:8d} {len(normal_hits):8d} {'':8s} {'':8s} {'':7s}  "
          f"{'ok' if not normal_hits else 'FAIL'} (incidents on normal requests must be 0)")
    ok &= not normal_hits
    print(f"{'other records':20s} {'':8s} {len(stray):8d} {'':8s} {'':8s} {'':7s}  "
          f"{'ok' if not stray or args.allow_stray else 'FAIL'} (incidents on lines that are no client request, "
          f"e.g. a README quoting an error; must be 0)")
    ok &= not stray or args.allow_stray
    if misses:
        print("\nmisattributed failures:")
        for f, why in misses[: (len(misses) if args.verbose else 25)]:
            c = f["client"]
            print(f"  {f['id']} {f['scenario']:32s} {c['source']}:{c['line']}  want {f['class']}: {why}")
        if not args.verbose and len(misses) > 25:
            print(f"  ... {len(misses) - 25} more (--verbose)")
    if normal_hits:
        print("\nincidents on normal requests:")
        for n, h in normal_hits[:25]:
            print(f"  {n['source']}:{n['line']} {n['request']}: {(h.get('cause') or {}).get('class')}")
    if stray:
        print("\nincidents matching no ground-truth record:")
        for h in stray[: (50 if args.verbose else 10)]:
            ce = h.get("client_event", {})
            print(f"  {ce.get('source')}:{ce.get('line')} {ce.get('kind')} -> {(h.get('cause') or {}).get('class')}")
    if out:
        print(f"\nincidents JSON: {out}")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

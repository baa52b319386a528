#!/usr/bin/env python3
"""Golden incident JSON for every recorded sample bundle.

For each samples/<name>/ runs `rstscope analyze samples/<name> --json OUT` and compares OUT with
samples/<name>.golden.json (tool.version ignored). RSTSCOPE_UPDATE_GOLDEN=1 (or --update) rewrites
the golden files; review the diff before committing them.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def normalise(doc):
    doc = dict(doc)
    doc.pop("tool", None)
    return doc


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rstscope", required=True)
    ap.add_argument("--update", action="store_true")
    args = ap.parse_args()
    args.rstscope = os.path.abspath(args.rstscope)
    update = args.update or os.environ.get("RSTSCOPE_UPDATE_GOLDEN") == "1"
    samples = os.path.join(ROOT, "samples")
    names = sorted(n for n in os.listdir(samples) if os.path.isdir(os.path.join(samples, n)))
    failed = 0
    for name in names:
        golden = os.path.join(samples, name + ".golden.json")
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "incidents.json")
            # Run from samples/ so that sources are relative to the bundle folder as given.
            r = subprocess.run([args.rstscope, "-q", "analyze", name, "--json", out], cwd=samples,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=300)
            if r.returncode not in (0, 2) or not os.path.exists(out):
                print(f"FAIL {name}: analyze exited {r.returncode}: {r.stderr.strip()[:500]}")
                failed += 1
                continue
            with open(out) as f:
                got = normalise(json.load(f))
        if update:
            with open(golden, "w") as f:
                json.dump(got, f, indent=2, sort_keys=True)
                f.write("\n")
            print(f"updated {golden}")
            continue
        if not os.path.exists(golden):
            print(f"FAIL {name}: no {golden}; create it with RSTSCOPE_UPDATE_GOLDEN=1")
            failed += 1
            continue
        with open(golden) as f:
            want = normalise(json.load(f))
        if got != want:
            failed += 1
            gi, wi = got.get("incidents", []), want.get("incidents", [])
            print(f"FAIL {name}: incidents differ from {os.path.basename(golden)} ({len(gi)} vs {len(wi)} expected)")
            for a, b in zip(gi, wi):
                if a != b:
                    print("  first difference:\n    got:  " + json.dumps(a)[:400] + "\n    want: " + json.dumps(b)[:400])
                    break
        else:
            print(f"ok   {name}: {len(got.get('incidents', []))} incidents as in the golden file")
    print(f"{len(names) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

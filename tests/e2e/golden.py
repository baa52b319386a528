#!/usr/bin/env python3
"""Golden reports for every recorded sample bundle.

For each samples/<name>/ runs `rstscope analyze <abs>/samples/<name> --json incidents.json --md
report.md` in a fresh folder and compares the incident JSON (tool.version ignored), the Markdown
report and the terminal summary with samples/<name>.golden.{json,md,txt}. RSTSCOPE_UPDATE_GOLDEN=1
(or --update) rewrites the golden files; review the diff before committing them.
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
            r = subprocess.run([args.rstscope, "-q", "analyze", os.path.join(samples, name), "--json", "incidents.json",
                                "--md", "report.md"], cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               timeout=300, env=dict(os.environ, NO_COLOR="1"))
            out = os.path.join(tmp, "incidents.json")
            if r.returncode not in (0, 2) or not os.path.exists(out):
                print(f"FAIL {name}: analyze exited {r.returncode}: {r.stderr.strip()[:500]}")
                failed += 1
                continue
            with open(out) as f:
                got = {"json": normalise(json.load(f))}
            with open(os.path.join(tmp, "report.md")) as f:
                got["md"] = f.read()
            got["txt"] = r.stdout
        paths = {k: os.path.join(samples, f"{name}.golden.{k}") for k in ("json", "md", "txt")}
        if update:
            for k, path in paths.items():
                with open(path, "w") as f:
                    if k == "json":
                        json.dump(got[k], f, indent=2, sort_keys=True)
                        f.write("\n")
                    else:
                        f.write(got[k])
            print(f"updated {name}: " + ", ".join(os.path.basename(p) for p in paths.values()))
            continue
        bad = []
        for k, path in paths.items():
            if not os.path.exists(path):
                bad.append(f"no {os.path.basename(path)} (create it with RSTSCOPE_UPDATE_GOLDEN=1)")
                continue
            with open(path) as f:
                want = normalise(json.load(f)) if k == "json" else f.read()
            if got[k] == want:
                continue
            if k == "json":
                gi, wi = got[k].get("incidents", []), want.get("incidents", [])
                msg = f"incident JSON differs ({len(gi)} incidents, {len(wi)} expected)"
                for a, b in zip(gi, wi):
                    if a != b:
                        msg += "\n    got:  " + json.dumps(a)[:400] + "\n    want: " + json.dumps(b)[:400]
                        break
                bad.append(msg)
            else:
                gl, wl = got[k].splitlines(), want.splitlines()
                for i, (a, b) in enumerate(zip(gl + [""] * len(wl), wl + [""] * len(gl))):
                    if a != b:
                        bad.append(f"{os.path.basename(path)} differs at line {i + 1}:\n    got:  {a[:200]}\n    want: {b[:200]}")
                        break
        if bad:
            failed += 1
            print(f"FAIL {name}: " + "\n  ".join(bad))
        else:
            print(f"ok   {name}: {len(got['json'].get('incidents', []))} incidents; json, md and text as in the golden files")
    print(f"{len(names) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env bash
# Correlation benchmark (issue 7): a generated incident bundle with SERVER_EVENTS server-side lines and
# FAILURES client failures (bench/gen_correlate.cpp), ingested once, then `rstscope correlate` timed with
# hyperfine and its peak RSS taken with /usr/bin/time -v; then the whole `rstscope analyze`.
# Target at 10,000,000 / 100,000: correlate under 60 s and 2 GiB. Figures in docs/performance.md.
# Usage: bench/correlate.sh BUILD_DIR [SERVER_EVENTS] [FAILURES] [RUNS]
#   quick run: bench/correlate.sh build 200000
set -euo pipefail
BUILD=${1:-build}
EVENTS=${2:-10000000}
FAILURES=${3:-$((EVENTS / 100))}
RUNS=${4:-3}
OUT=bench/out
RST="$BUILD/rstscope"
mkdir -p "$OUT"
bundle="$OUT/corr-$EVENTS-$FAILURES"
db="$OUT/corr.db"
if [ ! -s "$bundle/edge/access.log" ] || [ ! -s "$bundle.truth.tsv" ]; then
  echo "== generating $bundle"
  rm -rf "$bundle"
  "$BUILD/gen_correlate" "$bundle" "$EVENTS" "$FAILURES" 2> "$bundle.truth.txt"
fi
du -sh "$bundle"
cat "$bundle.truth.txt"  # what the generator wrote: the scenarios behind the failures
rss() { awk '/Maximum resident/ {printf "%.0f MiB", $6 / 1024}' "$1"; }
wall() { awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$1"; }

echo "== ingest (once), /usr/bin/time -v"
rm -f "$db" "$db.partial"
/usr/bin/time -v "$RST" -q ingest "$bundle" -o "$db" 2> "$OUT/corr-ingest-time.txt" || true
echo "ingest: wall $(wall "$OUT/corr-ingest-time.txt"), max RSS $(rss "$OUT/corr-ingest-time.txt")"

echo "== correlate, hyperfine, $RUNS runs (re-running replaces the results)"
hyperfine --runs "$RUNS" --export-json "$OUT/correlate.json" "$RST -q correlate $db"
python3 -c "import json;r=json.load(open('$OUT/correlate.json'))['results'][0];print('correlate: median %.2f s, min %.2f, max %.2f, CPU %.2f s' % (r['median'], r['min'], r['max'], r['user'] + r['system']))"
/usr/bin/time -v "$RST" -v correlate "$db" > "$OUT/corr-correlate-out.txt" 2> "$OUT/corr-correlate-time.txt"
grep -E '^correlate:' "$OUT/corr-correlate-time.txt" || true
echo "correlate: wall $(wall "$OUT/corr-correlate-time.txt"), max RSS $(rss "$OUT/corr-correlate-time.txt")"
echo "== incidents per cause class"
"$RST" query "$db" "SELECT cause_class, rule, count(*) AS n FROM incidents GROUP BY 1, 2 ORDER BY n DESC"
echo "== generated scenario (rows) -> cause class found (columns), from $bundle.truth.tsv"
"$RST" query "$db" --format csv "SELECT e.path, i.cause_class FROM incidents i JOIN events e ON e.id = i.event_id" |
  python3 -c '
import csv, sys, collections
truth = dict(l.rstrip("\n").split("\t") for l in open(sys.argv[1]))
m = collections.Counter()
for row in csv.reader(sys.stdin):
    if len(row) < 2 or "rid=" not in row[0]: continue
    m[(truth.get(row[0].split("rid=")[1], "?"), row[1])] += 1
rows = sorted({a for a, _ in m}); cols = sorted({b for _, b in m})
print("%-17s" % "" + "".join("%13s" % c[:12] for c in cols))
for r in rows: print("%-17s" % r + "".join("%13d" % m[(r, c)] for c in cols))
' "$bundle.truth.tsv"

python3 - "$OUT/correlate.json" "$OUT/corr-correlate-time.txt" "$EVENTS" <<'PY'
import json, re, sys
median = json.load(open(sys.argv[1]))['results'][0]['median']
rss_kib = int(re.search(r'Maximum resident set size \(kbytes\): (\d+)', open(sys.argv[2]).read()).group(1))
ok = median < 60 and rss_kib < 2 * 1024 * 1024
print('target (10,000,000 events: < 60 s, < 2 GiB): median %.1f s, peak RSS %.0f MiB -> %s%s'
      % (median, rss_kib / 1024, 'met' if ok else 'NOT met', '' if int(sys.argv[3]) >= 10000000 else ' (a smaller run: not the target size)'))
PY

echo "== analyze (ingest + correlate + summary), /usr/bin/time -v, 1 run"
rm -f "$db"
/usr/bin/time -v "$RST" -q analyze "$bundle" -o "$db" > /dev/null 2> "$OUT/corr-analyze-time.txt" || true
echo "analyze: wall $(wall "$OUT/corr-analyze-time.txt"), max RSS $(rss "$OUT/corr-analyze-time.txt")"
rm -f "$db"

#!/usr/bin/env bash
# make bench: end-to-end ingest speed and memory (hyperfine, /usr/bin/time -v) plus the Google
# Benchmark parse-only suite. Figures go to bench/out/ and are summarised in docs/performance.md.
# Usage: bench/run.sh BUILD_DIR [LINES] [CORRELATE_EVENTS]
set -euo pipefail
BUILD=${1:-build}
LINES=${2:-2000000}
CORR_EVENTS=${3:-10000000}
OUT=bench/out
mkdir -p "$OUT"
RST="$BUILD/rstscope"
data="$OUT/access-$LINES.log"
if [ ! -s "$data" ]; then
  echo "generating $LINES nginx combined lines into $data"
  "$BUILD/gen_nginx" "$LINES" > "$data"
fi
ls -l "$data"
db="$OUT/bench.db"
echo "== end-to-end ingest (indexed timeline), hyperfine, 5 runs"
hyperfine --warmup 1 --runs 5 --export-json "$OUT/ingest.json" \
  --prepare "rm -f $db $db.partial $db.fts.partial" "$RST -q ingest $data -o $db"
median=$(python3 -c "import json;print(json.load(open('$OUT/ingest.json'))['results'][0]['median'])")
python3 -c "print('median %.2f s -> %.0f lines/s' % ($median, $LINES / $median))"
# On a shared machine wall time depends on the neighbours; CPU time (both threads) does much less.
python3 - "$OUT/ingest.json" "$LINES" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))['results'][0]
cpu = r['user'] + r['system']
print('mean CPU (user+system, both threads) %.2f s -> %.2f us per line' % (cpu, cpu / int(sys.argv[2]) * 1e6))
PY
target() {  # target NAME VALUE MIN UNIT: prints whether a target of docs/performance.md is reached
  python3 -c "import sys; n,v,m,u=sys.argv[1:]; v=float(v); m=float(m); print('target %s: %.0f %s (>= %.0f): %s' % (n, v, u, m, 'reached' if v >= m else 'NOT reached'))" "$@"
}
target "issue 2, nginx combined end to end" "$(python3 -c "print($LINES / $median)")" 500000 lines/s
echo "== phases (-v: wall and CPU seconds per phase; parser and writer thread CPU)"
rm -f "$db" "$db.partial"
"$RST" -v ingest "$data" -o "$db" 2>&1 | grep -E '^(ingest|timeline):' || true
echo "== peak memory, /usr/bin/time -v"
for n in $((LINES / 4)) $LINES; do
  part="$OUT/access-part-$n.log"
  head -n "$n" "$data" > "$part"
  rm -f "$db"
  /usr/bin/time -v "$RST" -q ingest "$part" -o "$db" 2> "$OUT/time-$n.txt"
  rss=$(awk '/Maximum resident/ {print $6}' "$OUT/time-$n.txt")
  echo "$n lines: max RSS $rss KiB ($((rss / 1024)) MiB; target <= 200 MiB and flat)"
  rm -f "$part"
done
rm -f "$db"
for gen in "$BUILD"/gen_haproxy "$BUILD"/gen_client; do
  [ -x "$gen" ] || continue
  name=$(basename "$gen")
  f="$OUT/$name-$LINES.log"
  [ -s "$f" ] || "$gen" "$LINES" > "$f"
  echo "== end-to-end ingest of $name output"
  hyperfine --runs 5 --export-json "$OUT/ingest-$name.json" --prepare "rm -f $db $db.partial $db.fts.partial" "$RST -q ingest $f -o $db"
  m=$(python3 -c "import json;print(json.load(open('$OUT/ingest-$name.json'))['results'][0]['median'])")
  python3 -c "print('$name: median %.2f s -> %.0f lines/s' % ($m, $LINES / $m))"
  python3 - "$OUT/ingest-$name.json" "$LINES" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))['results'][0]
print('mean CPU (user+system, both threads) %.2f s -> %.2f us per line' % (r['user'] + r['system'], (r['user'] + r['system']) / int(sys.argv[2]) * 1e6))
PY
  if [ "$name" = gen_haproxy ]; then target "issue 4, HAProxy end to end" "$(python3 -c "print($LINES / $m)")" 500000 lines/s
  else target "issue 3, client logs end to end" "$(python3 -c "print($LINES / $m)")" 300000 lines/s; fi
  rm -f "$db" "$db.partial"
  "$RST" -v ingest "$f" -o "$db" 2>&1 | grep -E '^(ingest|timeline):' || true
  rm -f "$db"
  /usr/bin/time -v "$RST" -q ingest "$f" -o "$db" 2> "$OUT/time-$name.txt"
  echo "$name: max RSS $(awk '/Maximum resident/ {print int($6 / 1024)}' "$OUT/time-$name.txt") MiB"
  rm -f "$db" "$f"
done
if [ -x "$BUILD/rstscope_bench" ]; then
  echo "== parse-only (Google Benchmark)"
  "$BUILD/rstscope_bench" --benchmark_min_time=0.5 | tee "$OUT/parse.txt"
  # issue 4: parse-only >= 2,000,000 lines/s per core for nginx combined and HAProxy HTTP (CPU time).
  awk '/^BM_Nginx\/fmt:0 |^BM_Haproxy\/kind:[01] / { for (i = 1; i <= NF; ++i) if ($i ~ /^items_per_second=/) {
         v = substr($i, 18); m = 1; if (v ~ /M\/s$/) m = 1e6; else if (v ~ /k\/s$/) m = 1e3; v += 0; v *= m
         printf "target issue 4, parse-only %s: %.2fM lines/s per core (>= 2.00M): %s\n", $1, v / 1e6, (v >= 2e6 ? "reached" : "NOT reached") } }' "$OUT/parse.txt"
fi
echo "== correlation (bench/correlate.sh, $CORR_EVENTS server events)"
bench/correlate.sh "$BUILD" "$CORR_EVENTS"

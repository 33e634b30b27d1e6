#!/usr/bin/env bash
# The long-run check of docs/reliability.md: trains for ITERATIONS (default 5,000) with the
# release `quarry` and samples the process every 2 seconds: resident memory (VmRSS), threads and
# open file descriptors, against the iteration reached (the rows of losses.csv). At the end it
# prints the samples' summary and fails unless, after iteration 200, resident memory never
# exceeds its value at iteration 200 by more than 5%, the thread count stays constant, and the
# open descriptors end as they were at iteration 200 (a sample taken during a checkpoint write
# sees the atomic writer's temporary file and folder open: at most 2 more). Not part of CI: it
# takes 10-20 minutes.
#
#   bash scripts/longrun.sh [ITERATIONS] [extra quarry train arguments…]
#   e.g. bash scripts/longrun.sh 5000 --strategy hard-negative-buffer
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh >/dev/null

iterations=${1:-5000}
[ $# -gt 0 ] && shift
out=${LONGRUN_OUTPUT:-out/longrun}
rm -rf "$out"
mkdir -p "$out"
# The flags of scripts/test.sh, so that this reuses the test build rather than rebuilding it.
swift build -c release -Xswiftc -enable-testing --product quarry >&2
quarry=$(swift build -c release -Xswiftc -enable-testing --show-bin-path)/quarry

"$quarry" train --iterations "$iterations" --checkpoint-every 500 --output "$out/run" "$@" > "$out/train.log" 2>&1 &
pid=$!
samples=$out/samples.csv
echo "seconds,iteration,rss_kb,threads,fds" > "$samples"
start=$(date +%s)
while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    threads=$(awk '/^Threads:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l || true)
    rows=0
    [ -f "$out/run/losses.csv" ] && rows=$(($(wc -l < "$out/run/losses.csv") - 1))
    [ -n "$rss" ] && echo "$(($(date +%s) - start)),$rows,$rss,$threads,$fds" >> "$samples"
    sleep 2
done
wait "$pid" || { echo "longrun: quarry train failed:" >&2; tail -5 "$out/train.log" >&2; exit 1; }

python3 - "$samples" "$iterations" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["threads"]]
total = int(sys.argv[2])
# Samples while training (after the data is loaded, before the final evaluation).
training = [r for r in rows if 0 < int(r["iteration"]) < total]
base = [r for r in training if int(r["iteration"]) >= 200]
if not base:
    sys.exit("longrun: no sample after iteration 200")
rss0 = int(base[0]["rss_kb"])
peak = max(base, key=lambda r: int(r["rss_kb"]))
growth = (int(peak["rss_kb"]) - rss0) / rss0
threads = sorted({int(r["threads"]) for r in training})
fds = sorted({int(r["fds"]) for r in training})
print(f"longrun: {total} iterations, {len(rows)} samples over {rows[-1]['seconds']} s")
print(f"longrun: RSS at iteration {base[0]['iteration']}: {rss0 / 1024:.1f} MiB; peak after it: "
      f"{int(peak['rss_kb']) / 1024:.1f} MiB at iteration {peak['iteration']} ({growth:+.2%}); "
      f"last: {int(base[-1]['rss_kb']) / 1024:.1f} MiB at iteration {base[-1]['iteration']}")
print(f"longrun: RSS before iteration 200: {min(int(r['rss_kb']) for r in training) / 1024:.1f}"
      f"-{max(int(r['rss_kb']) for r in training if int(r['iteration']) < 200) / 1024 if any(int(r['iteration']) < 200 for r in training) else 0:.1f} MiB")
print(f"longrun: threads while training: {threads}; open descriptors while training: {fds}")
ok = (growth <= 0.05 and len(threads) == 1 and int(base[-1]["fds"]) == int(base[0]["fds"])
      and fds[-1] - fds[0] <= 2)
print("longrun: " + ("flat" if ok else "NOT flat"))
sys.exit(0 if ok else 1)
PY

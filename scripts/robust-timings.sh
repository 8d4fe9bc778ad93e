#!/usr/bin/env bash
# Times `ranksense robust` end to end on the synthetic indices of issue #15 (targets on 2 cores:
# 1,000 × 40 in under a minute, 33,000 × 39 in under ten minutes), with peak memory, and checks
# that each report is complete (report.md, report.html, summary.json, every chart named in it).
# A criterion bench would repeat a ten-minute run ten times, so the timings are this script:
#
#   cargo build --release --features highs   # the exact MILPs on HiGHS, with time budgets
#   scripts/robust-timings.sh target/release/ranksense /tmp/robust-timings [THREADS]
#
# Prints one line per index: units × indicators, wall time, peak resident memory, and the
# report's exactness notes (a bound that ran past its time budget is named there).
set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: $0 BINARY OUTDIR [THREADS]" >&2
    exit 2
fi
BIN=$(realpath "$1")
OUT=$2
THREADS=${3:-0}
mkdir -p "$OUT"
OUT=$(realpath "$OUT")

run() {
    local units=$1 indicators=$2 groups=$3
    local name="synth-${units}x${indicators}"
    local data="$OUT/$name"
    local report="$OUT/$name-report"
    "$BIN" synth --units "$units" --indicators "$indicators" --groups "$groups" --out "$data" \
        > /dev/null
    rm -rf "$report"
    local started ended
    started=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$OUT/$name.memory" \
        "$BIN" robust --data "$data" --threads "$THREADS" --out "$report" > "$OUT/$name.stdout" \
        2> "$OUT/$name.stderr"
    ended=$(date +%s.%N)
    for file in report.md report.html summary.json; do
        if [ ! -s "$report/$file" ]; then
            echo "$name: $file missing" >&2
            exit 1
        fi
    done
    # Every chart the Markdown report links to exists.
    grep -o '([^)]*\.svg)' "$report/report.md" | tr -d '()' | while read -r chart; do
        if [ ! -s "$report/$chart" ]; then
            echo "$name: chart $chart missing" >&2
            exit 1
        fi
    done
    local seconds memory
    seconds=$(awk "BEGIN { print $ended - $started }")
    memory=$(cat "$OUT/$name.memory")
    printf '%s × %s: %.1f s, peak %d MB\n' "$units" "$indicators" "$seconds" $((memory / 1024))
    grep -i "budget" "$report/report.md" || true
}

run 1000 40 7
run 33000 39 7

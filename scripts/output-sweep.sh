#!/usr/bin/env bash
# Records what a ranksense binary prints for a sweep of commands × formats × data sets, one file
# per case (stdout, stderr, exit code, and any files written with --out), so that a refactoring
# can be checked byte for byte:
#
#   scripts/output-sweep.sh /tmp/ranksense-before /tmp/sweep-before
#   scripts/output-sweep.sh target/release/ranksense /tmp/sweep-after
#   diff -r /tmp/sweep-before /tmp/sweep-after
#
# Run from the repository root (it reads scenarios/ and tests/fixtures/). Wall-clock times and
# rates are masked; everything else must match exactly. Small sample counts and fixed seeds keep
# it under two minutes.
set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 BINARY OUTDIR" >&2
    exit 2
fi
BIN=$(realpath "$1")
OUT=$2
rm -rf "$OUT"
mkdir -p "$OUT"
OUT=$(realpath "$OUT")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Times and rates vary from run to run; the masked text still shows where they were printed.
mask() {
    sed -E \
        -e 's/[0-9]+(\.[0-9]+)? ?(ms|µs|us|ns|s|min|h)\b/<TIME>/g' \
        -e 's/[0-9.,]+ ?(runs|samples|evaluations|rows)\/s\b/<RATE>/g' \
        -e 's/"(elapsed|seconds|wall|duration)[a-z_]*": ?[0-9.e+-]+/"\1": <TIME>/g' \
        -e "s#$WORK#<WORK>#g"
}

# run NAME ARGS...: one case; files written under $WORK/NAME (the --out folder) are kept too.
run() {
    local name=$1
    shift
    local dir="$WORK/$name"
    mkdir -p "$dir"
    (cd "$dir" && "$BIN" "$@" >"$dir.stdout" 2>"$dir.stderr")
    local code=$?
    {
        echo "\$ ranksense $*"
        echo "--- exit $code"
        echo "--- stdout"
        cat "$dir.stdout"
        echo "--- stderr"
        cat "$dir.stderr"
        find "$dir" -type f ! -name '*.png' | LC_ALL=C sort | while read -r file; do
            echo "--- file ${file#"$dir"/}"
            cat "$file"
        done
    } | mask >"$OUT/$name.txt"
}

ROOT=$(pwd)
SCEN="$ROOT/scenarios"
FIX="$ROOT/tests/fixtures"

"$BIN" synth --units 60 --indicators 12 --levels 3 --seed 5 --out "$WORK/synth-data" \
    >/dev/null 2>&1
# Relative to each case's folder, so paths printed (and hashed into derived scenarios) are the
# same on every run.
SYNTH="../synth-data"

for data in ieci2022 asem synth; do
    case $data in
    synth) d=$SYNTH ;;
    *) d=$data ;;
    esac
    for format in table csv json markdown; do
        run "score-$data-$format" score --data "$d" --format "$format"
        run "bounds-$data-$format" bounds --data "$d" --format "$format"
        run "stability-$data-$format" stability --data "$d" --format "$format"
        run "sweep-$data-$format" sweep --data "$d" --format "$format" --steps 11
        run "drop-$data-$format" drop --data "$d" --format "$format"
    done
    run "score-$data-level2" score --data "$d" --level 2 --format csv
    run "score-$data-geometric" score --data "$d" --aggregation geometric --format csv
    run "score-$data-zscore" score --data "$d" --normalisation "zscore(10,1)" --format csv
    run "validate-$data" validate --data "$d"
    run "bounds-$data-all-out" bounds --data "$d" --all --spread 0.3 --out out
    run "bounds-$data-indicators" bounds --data "$d" --indicators --format csv
    run "bounds-$data-level1" bounds --data "$d" --level 1 --format json
    run "stability-$data-out" stability --data "$d" --top-k 5 --out out
    run "stability-$data-indicators" stability --data "$d" --indicators --format csv
    run "sweep-$data-out" sweep --data "$d" --from 0.1 --to 0.6 --steps 6 --out out
    run "drop-$data-levels" drop --data "$d" --level 1,2 --format csv --out out
    run "uncertainty-$data" uncertainty --data "$d" --samples 300 --seed 3 --out out
    run "uncertainty-$data-json" uncertainty --data "$d" --samples 200 --seed 4 --format json
    run "sensitivity-$data" sensitivity --data "$d" --base-samples 32 --bootstrap 20 --out out
    run "robust-$data" robust --data "$d" --samples 200 --base-samples 32 --bootstrap 20 \
        --out out
done

# Shipped scenarios and region boxes on the embedded IECI data.
for s in ieci-full ieci-methods ieci-simplex ieci-weights; do
    run "validate-scenario-$s" validate --scenario "$SCEN/$s.toml"
    run "bounds-scenario-$s" bounds --scenario "$SCEN/$s.toml" --format json
    run "uncertainty-scenario-$s" uncertainty --scenario "$SCEN/$s.toml" --samples 200 --seed 9 \
        --format csv
done
run "validate-scenario-asem-coinr" validate --data asem --scenario "$SCEN/asem-coinr.toml"
printf 'code,lo,hi\nATT,0.5,2\nINF,1,1.5\nLIV,0.2,3\n' >"$WORK/region.csv"
run "bounds-region" bounds --region "$WORK/region.csv" --all --format csv
run "sweep-weight-INF" sweep --weight INF --steps 21 --format csv
run "sweep-simplex" sweep --simplex IECI --resolution 12 --out out
run "sweep-simplex-json" sweep --simplex ATT --resolution 8 --format json
run "stability-focus-tokyo" stability --focus Tokyo --format json
run "bounds-whatif" bounds --normalisation "minmax(1,100)" --aggregation geometric --all \
    --format csv
run "uncertainty-shard" uncertainty --samples 300 --seed 3 --shard 1/2 --state state.json
run "uncertainty-until-stable" uncertainty --samples 100 --max-samples 2000 --until-stable 0.05 \
    --seed 2 --format json

# The SALib-style workflow.
printf '[[factor]]\nname = "x1"\nkind = "uniform"\nlow = -1\nhigh = 1\n\n[[factor]]\nname = "x2"\nkind = "categorical"\nvalues = ["a", "b", "c"]\n' \
    >"$WORK/factors.toml"
run "sobol-sample" sobol sample --factors "$WORK/factors.toml" --n 8 --seed 3
run "sobol-analyze-coinr" sobol analyze --design "$FIX/coinr-asem/coinr_SA_N100_design.csv" \
    --outputs "$FIX/coinr-asem/coinr_SA_N100_design.csv" --column MeanAbsRankChange --format csv
run "sobol-analyze-coinr-json" sobol analyze \
    --design "$FIX/coinr-asem/coinr_SA_N100_design.csv" \
    --outputs "$FIX/coinr-asem/coinr_SA_N100_design.csv" --column MeanAbsRankChange \
    --bootstrap 50 --format json

# Bad inputs: located errors and exit code 2.
mkdir -p "$WORK/bad"
cp "$ROOT/data/ieci2022/"*.csv "$WORK/bad/"
sed -i '2s/,1,/,x,/' "$WORK/bad/meta.csv"
sed -i '3s/,[0-9.]*$/,NaN/' "$WORK/bad/data.csv"
run "validate-bad" validate --data "$WORK/bad"
run "score-bad" score --data "$WORK/bad"
run "bounds-bad-unit" bounds --focus Atlantis
run "sweep-bad-weight" sweep --weight NOPE
run "drop-bad-level" drop --level 9
run "score-bad-normalisation" score --normalisation "minmax(5,1)"
run "validate-missing" validate --data "$WORK/nowhere"

#!/usr/bin/env bash
# The HTML report in real browsers (issues #14.9 and #18): Debian's Chromium and Firefox ESR,
# each driven by run.js through puppeteer-core (Chromium over the DevTools protocol, Firefox over
# WebDriver BiDi; the system binaries, no browser downloaded; puppeteer-core's version is pinned
# by package-lock.json and installed with `npm ci` under target/browser-check/npm). Chosen over
# --dump-dom (Chromium only, no screenshot of the checked rendering) and a hand-rolled HTTP
# receiver (Firefox's own --screenshot would be a second, unchecked rendering): one protocol
# client gives both browsers exact viewport widths, the page's errors and screenshots.
# Each generated report.html is opened from file:// at 1400 px and 420 px and check.js checks
# that nothing is wider than the viewport outside a horizontally scrolling container, that chart
# text is at least 9 px as rendered and that no script error or console error occurs. IECI's
# report is saved as a full-page screenshot at both widths from that same rendering
# (target/browser-check/BROWSER-ieci-WIDTH.png, kept as CI artifacts), and each screenshot must be
# exactly as wide as the page's layout viewport (the window less a classic scrollbar, which
# Firefox draws): a page that overflows sideways gives a wider picture.
# At 1400 px each page is opened once more with ?explore, where check.js drives the weight
# explorer: for 20 random weight vectors per data set (IECI 2022 and ASEM, whose imputation and
# treatment are in the embedded data) it sets the weights through the URL fragment
# `#w=CODE:w,...`, reads the ranking from the page and compares it with `ranksense score` run on
# a copy of the index whose meta.csv holds the same weights (ranks exactly, scores to 1e-9); it
# checks that the bands drawn on the sliders are `ranksense stability`'s intervals, that moving a
# weight (through its number box) just inside a band keeps the focus's rank and just outside
# changes it, and that picking a unit highlights that unit's row, and only it, in the
# rank-intervals chart and the acceptability map.
# Usage: tests/browser/check.sh [REPORT_FOLDER] (default: fresh `ranksense robust` reports of
# IECI and ASEM; with a folder, only the layout and error checks run on its report.html).
# Installs what is missing with apt-get (chromium, firefox-esr, nodejs/npm) and puppeteer-core
# with npm. A browser that cannot be installed is skipped, saying so; the check is skipped only
# when neither browser (or no Node.js) can be had; a failed `npm ci` fails the check.
# Deterministic: fixed seeds, fixed weight vectors, no timings; every page waits for its verdict.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
out="$root/target/browser-check"

if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo -n"; fi
updated=""
apt_install() { # package...
  command -v apt-get >/dev/null 2>&1 || return 1
  if [ -z "$updated" ]; then
    $sudo apt-get update -qq >/dev/null 2>&1 || true
    updated=1
  fi
  echo "browser check: installing Debian's $* (apt-get)" >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1
}
find_command() { # candidates...
  for candidate in "$@"; do
    if command -v "$candidate" >/dev/null 2>&1; then command -v "$candidate"; return 0; fi
  done
  return 1
}

chromium=$(find_command chromium chromium-browser || { apt_install chromium || true; find_command chromium; } || true)
firefox=$(find_command firefox-esr firefox || { apt_install firefox-esr || true; find_command firefox-esr; } || true)
[ -n "$chromium" ] || echo "browser check: Chromium SKIPPED — not found and could not be installed (apt-get install chromium)"
[ -n "$firefox" ] || echo "browser check: Firefox SKIPPED — not found and could not be installed (apt-get install firefox-esr)"
if [ -z "$chromium$firefox" ]; then
  echo "browser check: SKIPPED — no browser found and none could be installed"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then apt_install nodejs npm || true; fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "browser check: SKIPPED — Node.js and npm not found and could not be installed (apt-get install nodejs npm)"
  exit 0
fi
# puppeteer-core at the locked version, reinstalled only when the lock file changes.
npm_dir="$out/npm"
mkdir -p "$npm_dir"
if ! cmp -s "$root/tests/browser/package-lock.json" "$npm_dir/package-lock.json" \
  || [ ! -d "$npm_dir/node_modules/puppeteer-core" ]; then
  cp "$root/tests/browser/package.json" "$root/tests/browser/package-lock.json" "$npm_dir/"
  if ! (cd "$npm_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
    rm -f "$npm_dir/package-lock.json"
    echo "browser check: FAILED — npm ci could not install puppeteer-core (tests/browser/package-lock.json)"
    exit 1
  fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin="$root/target/release/ranksense"
VECTORS=20

# A copy of meta.csv ($1) with the weights of the aggregates of levels 2 to top − 1 drawn at
# random (seed $2: 0.001 to 1 in steps of 0.001, as decimal text both the page and ranksense read
# exactly). Prints the fragment `w=CODE:w,...` on stdout, writes the copy to $3. Only the first
# five columns are parsed (Level, iCode, iName, Direction, Weight: both shipped files), quoted
# fields with commas included.
random_weights() {
  awk -v seed="$2" -v out="$3" '
    BEGIN { srand(seed); FS = "," }
    NR == 1 { header = $0; next }
    { lines[NR] = $0; level = $1 + 0; if (level > top) top = level }
    END {
      print header > out
      fragment = ""
      for (i = 2; i <= NR; i++) {
        line = lines[i]; split(line, f, ","); level = f[1] + 0
        if (level >= 2 && level < top && match(line, /^[^,]*,("[^"]*"|[^,"]*),("[^"]*"|[^,"]*),("[^"]*"|[^,"]*),/)) {
          prefix = substr(line, 1, RLENGTH); rest = substr(line, RLENGTH + 1)
          code = f[2]; gsub(/"/, "", code)
          w = sprintf("%.3f", (int(rand() * 1000) + 1) / 1000)
          line = prefix w substr(rest, index(rest, ","))
          fragment = fragment (fragment == "" ? "" : ",") code ":" w
        }
        print line > out
      }
      print "w=" fragment
    }' "$1"
}

# One data set: its robust report, and (unless only a folder is checked) the expected rankings
# and stability intervals, in expected.js next to the report.
prepare_set() { # name data-name data-folder
  local name=$1 data=$2 folder=$3
  "$bin" robust --data "$data" --out "$work/$name" >/dev/null
  {
    echo "window.RANKSENSE_STABILITY = $("$bin" stability --data "$data" --format json);"
    echo "window.RANKSENSE_EXPECTED = [];"
    for i in $(seq 1 "$VECTORS"); do
      rm -rf "$work/index"
      cp -r "$root/$folder" "$work/index"
      fragment=$(random_weights "$root/$folder/meta.csv" "$i" "$work/index/meta.csv")
      echo "window.RANKSENSE_EXPECTED.push({hash: \"$fragment\", score: $("$bin" score --data "$work/index" --format json)});"
    done
  } > "$work/$name/expected.js"
}

if [ $# -ge 1 ]; then
  # check.sh FOLDER: check an existing report folder instead of generating one.
  cp -r "$1" "$work/ieci"
  sets="ieci"
else
  cargo build --release --quiet
  prepare_set ieci ieci2022 data/ieci2022
  prepare_set asem asem data/asem
  sets="ieci asem"
fi

# Script errors and console errors are recorded from the first line of the page on.
errors='<script>window.RANKSENSE_ERRORS=[];addEventListener("error",function(e){RANKSENSE_ERRORS.push("script error: "+e.message)});(function(){var c=console.error;console.error=function(){RANKSENSE_ERRORS.push("console error: "+Array.prototype.join.call(arguments," "));c.apply(console,arguments)}})();</script>'
for set in $sets; do
  cp "$root/tests/browser/check.js" "$work/$set/check.js"
  extra=""
  [ -f "$work/$set/expected.js" ] && extra='<script src="expected.js"></script>'
  sed -e "s#<head>#<head>$errors#" -e "s#</body>#$extra<script src=\"check.js\"></script></body>#" \
    "$work/$set/report.html" > "$work/$set/checked.html"
done
status=0
for pair in "chromium:$chromium" "firefox:$firefox"; do
  name=${pair%%:*} executable=${pair#*:}
  [ -n "$executable" ] || continue
  NODE_PATH="$npm_dir/node_modules" node "$root/tests/browser/run.js" "$name" "$executable" "$work" "$out" $sets \
    || status=1
done
if [ "$status" -ne 0 ]; then
  echo "browser check: FAILED"
  exit 1
fi
echo "browser check: ok ($sets at 1400 px and 420 px in${chromium:+ Chromium}${firefox:+${chromium:+ and} Firefox}; screenshots in target/browser-check)"

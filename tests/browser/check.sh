#!/usr/bin/env bash
# The HTML report in a real browser (issues #14.9 and #18): renders generated report.html files
# in headless Chromium at 1400 px and 420 px and checks (check.js) that nothing is wider than the
# viewport outside a horizontally scrolling container, that chart text is at least 9 px as
# rendered and that no script error or console error occurs. In the 1400 px frames it also drives
# the weight explorer: for 20 random weight vectors per data set (IECI 2022 and ASEM, whose
# imputation and treatment are in the embedded data) it sets the weights through the URL fragment
# `#w=CODE:w,...`, reads the ranking from the page and compares it with `ranksense score` run on a
# copy of the index whose meta.csv holds the same weights (ranks exactly, scores to 1e-9); it
# checks that the bands drawn on the sliders are `ranksense stability`'s intervals and that
# moving a weight (through its number box) just inside a band keeps the focus's rank and just
# outside changes it.
# Usage: tests/browser/check.sh [REPORT_FOLDER] (default: fresh `ranksense robust` reports of
# IECI and ASEM; with a folder, only the layout and error checks run on its report.html).
# Installs Debian's chromium if it is missing; skips, saying so, only if no browser installs.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

browser=""
for candidate in chromium chromium-browser google-chrome; do
  if command -v "$candidate" >/dev/null 2>&1; then browser=$(command -v "$candidate"); break; fi
done
if [ -z "$browser" ] && command -v apt-get >/dev/null 2>&1; then
  echo "browser check: installing Debian's chromium (apt-get)"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo -n"; fi
  $sudo apt-get update -qq >/dev/null 2>&1 || true
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 || true
  command -v chromium >/dev/null 2>&1 && browser=$(command -v chromium)
fi
if [ -z "$browser" ]; then
  echo "browser check: SKIPPED — no Chromium found and none could be installed (apt-get install chromium)"
  exit 0
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
frames=""
for set in $sets; do
  cp "$root/tests/browser/check.js" "$work/$set/check.js"
  extra=""
  [ -f "$work/$set/expected.js" ] && extra='<script src="expected.js"></script>'
  sed -e "s#<head>#<head>$errors#" -e "s#</body>#$extra<script src=\"check.js\"></script></body>#" \
    "$work/$set/report.html" > "$work/$set/checked.html"
  # The explorer is driven in the wide frame; the narrow one checks the phone layout.
  frames="$frames $set/checked.html?explore=1@1400 $set/checked.html@420"
done
# The harness: one iframe per page and width; each posts its result, written here in arrival order.
{
  echo '<!DOCTYPE html><html><body style="margin:0">'
  echo '<script>addEventListener("message", function (e) { var p = document.createElement("pre");'
  echo 'p.className = "ranksense-check"; p.textContent = e.data; document.body.appendChild(p); });</script>'
  for frame in $frames; do
    echo "<iframe src=\"${frame%@*}\" width=\"${frame#*@}\" height=\"1000\" style=\"border:0;display:block\"></iframe>"
  done
  echo '</body></html>'
} > "$work/harness.html"
expected=$(printf '%s\n' $frames | grep -c .)

dom=$("$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --allow-file-access-from-files \
  --user-data-dir="$work/profile" --window-size=1500,2200 --virtual-time-budget=60000 \
  --dump-dom "file://$work/harness.html" 2>/dev/null || true)
results=$(printf '%s\n' "$dom" | sed 's#</pre>#&\n#g' | sed -n '/<pre class="ranksense-check">/,/<\/pre>/p' \
  | sed -e 's/<pre class="ranksense-check">//' -e 's#</pre>##' \
    -e 's/&quot;/"/g' -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g')
count=$(printf '%s\n' "$results" | grep -c '^\(OK\|FAIL\) ' || true)
printf '%s\n' "$results" | sed 's/^/browser check: /'
if [ "$count" -ne "$expected" ]; then
  echo "browser check: FAILED — expected a result from each of the $expected frames, got $count"
  exit 1
fi
if printf '%s\n' "$results" | grep -q '^FAIL '; then
  echo "browser check: FAILED"
  exit 1
fi
echo "browser check: ok ($sets at 1400 px and 420 px)"

#!/usr/bin/env bash
# The HTML report in a real browser (issue #14.9): renders a generated report.html in headless
# Chromium at 1400 px and 420 px and checks (check.js) that nothing is wider than the viewport
# outside a horizontally scrolling container and that chart text is at least 9 px as rendered.
# Usage: tests/browser/check.sh [REPORT_FOLDER] (default: a fresh `ranksense robust` report).
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
if [ $# -ge 1 ]; then
  # check.sh FOLDER: check an existing report folder instead of generating one.
  cp -r "$1" "$work/report"
else
  cargo build --release --quiet
  "$root/target/release/ranksense" robust --out "$work/report" >/dev/null
fi
cp "$root/tests/browser/check.js" "$work/report/check.js"
sed 's#</body>#<script src="check.js"></script></body>#' "$work/report/report.html" > "$work/report/checked.html"
# The harness: one iframe per width; each posts its result, written here in arrival order.
widths="1400 420"
{
  echo '<!DOCTYPE html><html><body style="margin:0">'
  echo '<script>addEventListener("message", function (e) { var p = document.createElement("pre");'
  echo 'p.className = "ranksense-check"; p.textContent = e.data; document.body.appendChild(p); });</script>'
  for width in $widths; do
    echo "<iframe src=\"checked.html\" width=\"$width\" height=\"1000\" style=\"border:0;display:block\"></iframe>"
  done
  echo '</body></html>'
} > "$work/report/harness.html"

dom=$("$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --window-size=1500,2200 --virtual-time-budget=10000 \
  --dump-dom "file://$work/report/harness.html" 2>/dev/null || true)
results=$(printf '%s\n' "$dom" | sed 's#</pre>#&\n#g' | sed -n '/<pre class="ranksense-check">/,/<\/pre>/p' \
  | sed -e 's/<pre class="ranksense-check">//' -e 's#</pre>##' \
    -e 's/&quot;/"/g' -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g')
count=$(printf '%s\n' "$results" | grep -c '^\(OK\|FAIL\) ' || true)
printf '%s\n' "$results" | sed 's/^/browser check: /'
if [ "$count" -ne 2 ]; then
  echo "browser check: FAILED — expected a result from each of the 2 frames, got $count"
  exit 1
fi
if printf '%s\n' "$results" | grep -q '^FAIL '; then
  echo "browser check: FAILED (widths $widths)"
  exit 1
fi
echo "browser check: ok at 1400 px and 420 px"

// Injected into a copy of report.html by check.sh; run.js opens that copy in Chromium and Firefox
// at each tested width, waits for the verdict this script appends (#ranksense-check) and reads it.
// Checks: (1) no element reaches past the viewport unless it sits in a horizontally scrolling
// container; (2) every chart text is at least 9 CSS px tall as rendered (font size × the SVG's
// scale), so a phone never shrinks labels to unreadable size; (3) no script or console error
// (recorded from the page's first line by check.sh); (4) in a page opened with `?explore`, the
// weight explorer against `ranksense score` and `ranksense stability` (expected.js, written by
// check.sh): the ranking read from the page for every weight vector set through the URL
// fragment, the stability bands drawn on the sliders, the focus's rank just inside and just
// outside each band, set through the weight's number box, and the unit picker's highlight in the
// rank-intervals chart and the acceptability map.
(function () {
  var MIN_TEXT_PX = 9;
  var viewport = document.documentElement.clientWidth;
  var problems = [];
  function describe(el) {
    var text = (el.textContent || "").trim().slice(0, 40);
    return el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined && el.className ? "." + el.className : "") + ' "' + text + '"';
  }
  function scrolls(el) {
    for (var p = el.parentElement; p; p = p.parentElement) {
      var overflow = getComputedStyle(p).overflowX;
      if (overflow === "auto" || overflow === "scroll") return true;
    }
    return false;
  }
  var all = document.body.querySelectorAll("*");
  for (var i = 0; i < all.length; i++) {
    var el = all[i];
    if (el.closest && el.closest("svg") && el.tagName.toLowerCase() !== "svg") continue;
    var r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if ((r.right > viewport + 0.5 || r.left < -0.5) && !scrolls(el)) {
      problems.push("wider than the " + viewport + " px viewport outside a scroll container: " +
        describe(el) + " spans " + Math.round(r.left) + ".." + Math.round(r.right) + " px");
    }
  }
  if (document.documentElement.scrollWidth > viewport + 1) {
    problems.push("the page scrolls sideways: " + document.documentElement.scrollWidth + " px wide");
  }
  var texts = document.querySelectorAll("svg text");
  var smallest = Infinity;
  for (var j = 0; j < texts.length; j++) {
    var t = texts[j];
    var ctm = t.getScreenCTM();
    if (!ctm) continue;
    var scale = Math.sqrt(ctm.a * ctm.a + ctm.b * ctm.b);
    var px = parseFloat(getComputedStyle(t).fontSize) * scale;
    smallest = Math.min(smallest, px);
    if (px < MIN_TEXT_PX - 0.01) {
      problems.push("chart text " + px.toFixed(1) + " px (< " + MIN_TEXT_PX + "): " + describe(t));
    }
  }
  function finish() {
    var errors = window.RANKSENSE_ERRORS || [];
    errors.forEach(function (e) { problems.push(e); });
    var out = document.createElement("pre");
    out.id = "ranksense-check";
    out.textContent = (problems.length ? "FAIL" : "OK") + " " + location.pathname.split("/").slice(-2, -1)[0] +
      " width=" + viewport + " texts=" + texts.length + " smallest=" + (isFinite(smallest) ? smallest.toFixed(1) : "none") +
      notes.map(function (n) { return " " + n; }).join("") +
      problems.slice(0, 40).map(function (p) { return "\n" + p; }).join("");
    document.body.appendChild(out);
    if (window.parent !== window) window.parent.postMessage(out.textContent, "*");
  }
  var notes = [];
  if (location.search.indexOf("explore") < 0 || !window.RANKSENSE_EXPECTED) return finish();
  explore().then(finish, function (error) { problems.push("explorer check threw: " + error); finish(); });

  // Sets the fragment and resolves once the page has handled it (listeners run in order).
  function setHash(hash) {
    return new Promise(function (resolve) {
      window.addEventListener("hashchange", function once() {
        window.removeEventListener("hashchange", once);
        resolve();
      });
      location.hash = hash;
    });
  }

  function ranking() {
    var rows = document.querySelectorAll("#ex-ranking tbody tr[data-code]"), out = {};
    Array.prototype.forEach.call(rows, function (row) {
      out[row.getAttribute("data-code")] = { rank: +row.getAttribute("data-rank"), score: Number(row.getAttribute("data-score")) };
    });
    return out;
  }

  function focusRank() {
    var b = document.getElementById("ex-rank");
    return b ? +b.getAttribute("data-rank") : NaN;
  }

  // The weight `code`'s share set through its number box (siblings rescale), from nominal.
  function setShare(code, value) {
    document.querySelector("button[data-preset='0']").click();
    var box = document.querySelector("input.ex-number[data-code='" + code + "']");
    box.value = String(value);
    box.dispatchEvent(new Event("change"));
    return focusRank();
  }

  function explore() {
    if (!document.getElementById("ex-ranking")) {
      problems.push("the weight explorer is missing");
      return Promise.resolve();
    }
    var vectors = window.RANKSENSE_EXPECTED, compared = 0;
    var chain = Promise.resolve();
    vectors.forEach(function (vector, i) {
      chain = chain.then(function () { return setHash("#" + vector.hash + (i % 2 ? "&n=" + i : "")); }).then(function () {
        var page = ranking(), expected = vector.score.ranking;
        if (Object.keys(page).length !== expected.length) {
          problems.push("vector " + (i + 1) + ": the page ranks " + Object.keys(page).length + " units, ranksense score " + expected.length);
        }
        expected.forEach(function (unit) {
          var got = page[unit.code];
          if (!got || got.rank !== unit.rank || !(Math.abs(got.score - unit.score) <= 1e-9)) {
            problems.push("vector " + (i + 1) + " (" + vector.hash + "): " + unit.code + " rank/score in the page " +
              (got ? got.rank + "/" + got.score : "missing") + ", ranksense score " + unit.rank + "/" + unit.score);
          }
        });
        compared++;
      });
    });
    return chain.then(function () {
      notes.push("vectors=" + compared);
      var stability = window.RANKSENSE_STABILITY.stability, intervals = {};
      stability.sets.forEach(function (set) {
        set.weights.forEach(function (w) { if (!w.fixed) intervals[w.weight] = w; });
      });
      var bands = document.querySelectorAll(".ex-band");
      if (bands.length !== Object.keys(intervals).length) {
        problems.push(bands.length + " stability bands drawn, ranksense stability has " + Object.keys(intervals).length + " movable weights");
      }
      var nominalRank = stability.nominal_rank, crossings = 0, delta = 1e-6;
      Array.prototype.forEach.call(bands, function (band) {
        var code = band.getAttribute("data-code"), w = intervals[code];
        if (!w) { problems.push("band " + code + ": no stability interval"); return; }
        var lo = Number(band.getAttribute("data-lo")), hi = Number(band.getAttribute("data-hi"));
        if (lo !== w.keep_rank_lo || hi !== w.keep_rank_hi) {
          problems.push("band " + code + " drawn " + lo + "–" + hi + ", ranksense stability " + w.keep_rank_lo + "–" + w.keep_rank_hi);
        }
        var left = parseFloat(band.style.left), width = parseFloat(band.style.width);
        // CSS keeps about six significant digits of a percentage.
        if (Math.abs(left - 100 * lo) > 1e-3 || Math.abs(width - 100 * (hi - lo)) > 1e-3) {
          problems.push("band " + code + " is drawn at " + left + "% + " + width + "%, not at its interval");
        }
        var ends = [[hi, w.first_change_above, 1], [lo, w.first_change_below, -1]];
        ends.forEach(function (end) {
          if (!end[1]) return;
          var inside = setShare(code, end[0] - end[2] * delta), outside = setShare(code, end[0] + end[2] * delta);
          crossings++;
          if (inside !== nominalRank) problems.push(code + " just inside its band (" + (end[0] - end[2] * delta) + "): rank " + inside + ", not " + nominalRank);
          if (outside === nominalRank) problems.push(code + " just outside its band (" + (end[0] + end[2] * delta) + "): rank still " + outside);
        });
      });
      notes.push("bands=" + bands.length + " band-ends=" + crossings);
      checkPicker();
    });
  }

  // The unit picker refocuses the charts: picking another unit than the focus highlights that
  // unit's row, and only it, in the rank-intervals chart (drawn by the page's style sheet, so the
  // band's computed fill is a colour) and in the acceptability map; picking the focus again
  // leaves the charts' own focus highlight alone.
  function checkPicker() {
    var select = document.getElementById("ex-unit");
    var rows = document.querySelectorAll("svg rect.unit-band[data-unit]");
    var focusRow = document.querySelector("svg rect.focus-band");
    if (!select || !rows.length) {
      problems.push("unit picker: " + (select ? "no rank-intervals rows with data-unit" : "no picker"));
      return;
    }
    var focusOption = select.value;
    // The last charted unit (never the focus, whose row is tinted already).
    var target = rows[rows.length - 1].getAttribute("data-unit");
    var option = Array.prototype.filter.call(select.options, function (o) {
      return o.textContent.slice(-(target.length + 2)) === "(" + target + ")";
    })[0];
    if (!option || option.value === focusOption) {
      problems.push("unit picker: no option for the last charted unit " + target + " other than the focus");
      return;
    }
    select.value = option.value;
    select.dispatchEvent(new Event("change"));
    var picked = document.querySelectorAll("svg rect.unit-band.picked");
    if (picked.length !== 1 || picked[0].getAttribute("data-unit") !== target) {
      problems.push("unit picker: picked " + target + ", rank-intervals rows highlighted: " +
        (Array.prototype.map.call(picked, function (band) { return band.getAttribute("data-unit"); }).join(",") || "none"));
    } else {
      var fill = getComputedStyle(picked[0]).fill;
      if (fill === "none" || fill === "") problems.push("unit picker: " + target + "'s row is marked but drawn without a highlight (fill " + fill + ")");
    }
    var frames = document.querySelectorAll("svg rect.unit-frame.picked");
    if (frames.length !== 1 || frames[0].getAttribute("data-unit") !== target) {
      problems.push("unit picker: picked " + target + ", " + frames.length + " acceptability rows outlined");
    }
    var pickedRow = document.querySelector("#ex-ranking tr.picked");
    if (!pickedRow || pickedRow.getAttribute("data-code") !== target) problems.push("unit picker: the ranking table does not mark " + target);
    select.value = focusOption;
    select.dispatchEvent(new Event("change"));
    if (document.querySelectorAll("svg .picked").length) problems.push("unit picker: back on the focus, charts still mark another unit");
    notes.push("picked=" + target + (focusRow ? "" : " (no focus row)"));
  }
})();

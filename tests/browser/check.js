// Injected into a copy of report.html by check.sh, which shows that copy in iframes of the tested
// widths (a headless window cannot be narrower than 500 px): measures the page at the frame's
// width and posts the verdict to the harness page, which writes it into its DOM (read back with
// --dump-dom).
// Checks: (1) no element reaches past the viewport unless it sits in a horizontally scrolling
// container; (2) every chart text is at least 9 CSS px tall as rendered (font size × the SVG's
// scale), so a phone never shrinks labels to unreadable size.
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
  var out = document.createElement("pre");
  out.id = "ranksense-check";
  out.textContent = (problems.length ? "FAIL" : "OK") + " width=" + viewport + " texts=" +
    texts.length + " smallest=" + (isFinite(smallest) ? smallest.toFixed(1) : "none") +
    problems.slice(0, 40).map(function (p) { return "\n" + p; }).join("");
  document.body.appendChild(out);
  if (window.parent !== window) window.parent.postMessage(out.textContent, "*");
})();

// ranksense report.html: the weight explorer and the table tools (sorting, search, unit picker).
// Inline, no dependencies, no network: works from file:// in Chromium and Firefox.
//
// Scoring repeats ranksense's scorer (src/pipeline/score.rs, src/pipeline/aggregate.rs) operation
// for operation, so that IEEE 754 doubles give the same bits: each aggregate combines its
// children's columns with raw weights renormalised within the parent — the weighted arithmetic
// mean Σ (w_c / W) x_c with W = Σ w_c (OECD/JRC Handbook 2008 §6.1; COINr a_amean), or, with
// missing values, Σ w_c x_c / Σ w_c over each unit's present children; the geometric mean is the
// same mean of the children's natural logarithms, exponentiated (COINr a_gmean). Indicator
// logarithms come from the page's data (computed by ranksense), so geometric levels combine the
// very same numbers. Ranks are the "sport" ranking of src/pipeline/rank.rs: 1 + the number of
// units with a higher score, ties sharing the best rank, missing scores last sharing one rank.
(function () {
  "use strict";

  // ---- Table tools: every table of the page sorts by any column; unit tables can be searched.
  function cellKey(cell) {
    var text = cell.getAttribute("data-sort");
    if (text === null) text = cell.textContent.trim();
    var number = parseFloat(text.replace(/[−–]/g, "-").replace(/[^0-9eE+\-.]/g, " ").trim().split(" ")[0]);
    return { text: text.toLowerCase(), number: number };
  }

  function sortRows(table, column, ascending) {
    var body = table.tBodies[0];
    if (!body) return;
    var rows = Array.prototype.slice.call(body.rows);
    var keys = rows.map(function (row, i) {
      var cell = row.cells[column];
      return { row: row, at: i, key: cell ? cellKey(cell) : { text: "", number: NaN } };
    });
    var numeric = keys.every(function (k) { return !isNaN(k.key.number) || k.key.text === "" || k.key.text === "na"; });
    keys.sort(function (a, b) {
      var order;
      if (numeric) {
        var x = isNaN(a.key.number) ? Infinity : a.key.number;
        var y = isNaN(b.key.number) ? Infinity : b.key.number;
        order = x < y ? -1 : x > y ? 1 : 0;
      } else {
        order = a.key.text < b.key.text ? -1 : a.key.text > b.key.text ? 1 : 0;
      }
      if (!ascending) order = -order;
      return order || a.at - b.at;
    });
    keys.forEach(function (k) { body.appendChild(k.row); });
  }

  function makeSortable(table, onSort) {
    var head = table.tHead;
    if (!head || !head.rows.length) return;
    var cells = head.rows[0].cells;
    Array.prototype.forEach.call(cells, function (th, column) {
      if (th.querySelector("button")) return;
      var label = th.textContent;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = label;
      button.setAttribute("aria-label", "Sort by " + label);
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(cells, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        table.setAttribute("data-sort-column", column);
        sortRows(table, column, ascending);
        if (onSort) onSort();
      });
    });
  }

  function resort(table) {
    var column = table.getAttribute("data-sort-column");
    if (column === null) return;
    var th = table.tHead.rows[0].cells[+column];
    sortRows(table, +column, th.getAttribute("aria-sort") === "ascending");
  }

  // Tables whose header names units (a "code" column): searchable and highlighted by the picker.
  function unitColumn(table) {
    if (!table.tHead || !table.tHead.rows.length) return -1;
    var cells = table.tHead.rows[0].cells;
    for (var i = 0; i < cells.length; i++) {
      var text = cells[i].textContent.trim().toLowerCase();
      if (text === "code" || text === "ucode" || text === "unit") return i;
    }
    return -1;
  }

  function filterRows(query) {
    var q = query.trim().toLowerCase();
    Array.prototype.forEach.call(document.querySelectorAll("table"), function (table) {
      if (unitColumn(table) < 0 || !table.tBodies[0]) return;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        row.hidden = q !== "" && row.textContent.toLowerCase().indexOf(q) < 0;
      });
    });
  }

  // Marks the picked unit in every table with a unit column and in every chart row that names
  // its unit (`data-unit`, written by the chart builders: the rank intervals' row bands, the
  // acceptability map's row frames); the style sheet draws the highlight. The charts already
  // draw the report's focus in the accent colour, so they mark only another picked unit.
  function highlightUnit(code, isFocus) {
    Array.prototype.forEach.call(document.querySelectorAll("table"), function (table) {
      var column = unitColumn(table);
      if (column < 0 || !table.tBodies[0]) return;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var cell = row.cells[column];
        row.classList.toggle("picked", !!cell && cell.textContent.trim() === code);
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("svg [data-unit]"), function (mark) {
      mark.classList.toggle("picked", !isFocus && mark.getAttribute("data-unit") === code);
    });
  }

  // The static rank histogram is drawn for the report's focus only (its marker of the nominal
  // rank, class `nominal-marker`, names it); when another unit is picked its caption says so and
  // points to the explorer's histogram, which is the picked unit's.
  function noteFocusOnlyCharts(pickedName, focusName) {
    Array.prototype.forEach.call(document.querySelectorAll("figure"), function (figure) {
      if (!figure.querySelector("svg .nominal-marker")) return;
      var caption = figure.querySelector("figcaption");
      if (!caption) return;
      var note = caption.querySelector(".ex-focus-only");
      if (!note) {
        note = document.createElement("span");
        note.className = "ex-focus-only";
        caption.appendChild(note);
      }
      note.textContent = pickedName === focusName ? "" : " This chart is " + focusName +
        "'s, the report's focus; the weight explorer's histogram shows " + pickedName + ".";
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("table"), function (table) {
    if (table.id !== "ex-ranking") makeSortable(table);
  });

  var source = document.getElementById("ex-data");
  var root = document.getElementById("ex-root");
  if (!source || !root) return;
  var D = JSON.parse(source.textContent);
  var nodes = D.nodes, m = D.n_indicators, n = D.units.length;

  // ---- Scoring (see the header comment for the definitions and their references).
  function column(values) {
    var out = new Float64Array(n);
    for (var u = 0; u < n; u++) out[u] = values[u] === null ? NaN : values[u];
    return out;
  }
  var X = D.values.map(column);
  var LOGS = D.logs ? D.logs.map(column) : null;
  var values = [], logs = [], isLog = [], empty = [];
  for (var k = 0; k < nodes.length; k++) {
    values.push(k < m ? X[k] : new Float64Array(n));
    logs.push(k < m ? (LOGS ? LOGS[k] : null) : new Float64Array(n));
    isLog.push(false);
    empty.push(false);
  }
  var sums = new Float64Array(n), scratchLogs = [];

  // Weighted mean of `columns` with raw weights `weights` into `out` (aggregate.rs `arithmetic`).
  function mean(columns, weights, out) {
    var c, u;
    out.fill(0);
    if (!D.has_missing) {
      var total = 0;
      for (c = 0; c < weights.length; c++) total += weights[c];
      if (!(total > 0)) { out.fill(NaN); return; }
      for (c = 0; c < columns.length; c++) {
        if (weights[c] === 0) continue;
        var w = weights[c] / total, x = columns[c];
        for (u = 0; u < n; u++) out[u] = out[u] + w * x[u];
      }
      return;
    }
    sums.fill(0);
    for (c = 0; c < columns.length; c++) {
      if (weights[c] === 0) continue;
      var wc = weights[c], col = columns[c];
      for (u = 0; u < n; u++) {
        var v = col[u];
        if (v === v) { out[u] += wc * v; sums[u] += wc; }
      }
    }
    for (u = 0; u < n; u++) out[u] = sums[u] > 0 ? out[u] / sums[u] : NaN;
  }

  function allMissing(a) {
    for (var u = 0; u < n; u++) if (a[u] === a[u]) return false;
    return true;
  }

  // Scores every aggregate bottom-up (nodes are stored in that order) under raw weights `w`.
  function score(w) {
    for (var node = m; node < nodes.length; node++) {
      var info = nodes[node], children = info.children;
      var geometric = D.aggregation[info.level - 2] === "geometric";
      var weights = children.map(function (c) {
        return c >= m && !D.has_missing && empty[c] ? 0 : w[c];
      });
      if (geometric) {
        var columns = children.map(function (c, i) {
          if (c < m || isLog[c]) return logs[c];
          if (!scratchLogs[i]) scratchLogs[i] = new Float64Array(n);
          for (var u = 0; u < n; u++) scratchLogs[i][u] = Math.log(values[c][u]);
          return scratchLogs[i];
        });
        mean(columns, weights, logs[node]);
        for (var v = 0; v < n; v++) values[node][v] = Math.exp(logs[node][v]);
      } else {
        mean(children.map(function (c) { return values[c]; }), weights, values[node]);
      }
      isLog[node] = geometric;
      empty[node] = allMissing(values[node]);
    }
  }

  // Sport ranks of `scores` (1 = highest; ties share the best rank; missing last, sharing one).
  function rank(scores) {
    var order = [], u;
    for (u = 0; u < n; u++) order.push(u);
    order.sort(function (a, b) {
      var x = scores[a], y = scores[b];
      if (x !== x) return y !== y ? 0 : 1;
      if (y !== y) return -1;
      return y - x;
    });
    var ranks = new Array(n);
    for (var i = 0; i < n; i++) {
      var s = scores[order[i]];
      if (i > 0) {
        var prev = scores[order[i - 1]];
        if (s === prev || (s !== s && prev !== prev)) { ranks[order[i]] = ranks[order[i - 1]]; continue; }
      }
      ranks[order[i]] = i + 1;
    }
    return ranks;
  }

  function evaluate(w) {
    score(w);
    var result = { scores: [], ranks: [] };
    for (var node = 0; node < nodes.length; node++) {
      var s = node < m ? X[node] : Float64Array.from(values[node]);
      result.scores.push(s);
      result.ranks.push(node < m ? null : rank(s));
    }
    return result;
  }

  // ---- State: raw weights of every node (meta.csv scale), nominal at first.
  var nominalWeights = nodes.map(function (node) { return node.weight; });
  var weights = nominalWeights.slice();
  var nominal = evaluate(nominalWeights);
  var focus = D.focus === null ? 0 : D.focus;
  var picked = focus;
  var codeIndex = {};
  nodes.forEach(function (node, i) { codeIndex[node.code] = i; });
  var varied = D.varied;
  var bands = {};
  D.bands.forEach(function (band) { bands[band.code] = band; });

  function share(node) {
    var siblings = nodes[nodes[node].parent].children, total = 0;
    siblings.forEach(function (s) { total += weights[s]; });
    return total > 0 ? weights[node] / total : 0;
  }

  // Sets `node`'s share of its parent to `v`; its siblings keep their proportions and share the
  // rest (as the stability analysis moves one weight).
  function setShare(node, v) {
    v = Math.min(1, Math.max(0, v));
    var siblings = nodes[nodes[node].parent].children;
    var old = share(node), rest = 1 - old, others = siblings.length - 1;
    var shares = siblings.map(function (s) { return share(s); });
    siblings.forEach(function (s, i) {
      if (s === node) weights[s] = v;
      else weights[s] = rest > 0 ? shares[i] * ((1 - v) / rest) : (1 - v) / others;
    });
  }

  function fmt(x, digits) {
    return x === x ? x.toFixed(digits) : "NA";
  }

  function ordinal(r) {
    var tens = r % 100, s = "th";
    if (tens < 11 || tens > 13) s = ["th", "st", "nd", "rd"][r % 10] || "th";
    return r + s;
  }

  function el(tag, attributes, text) {
    var e = document.createElement(tag);
    for (var key in attributes) if (Object.prototype.hasOwnProperty.call(attributes, key)) e.setAttribute(key, attributes[key]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // ---- The controls.
  var message = el("p", { id: "ex-message", class: "ex-message", role: "alert" });
  var status = el("div", { class: "ex-status", role: "status", "aria-live": "polite" });
  var unitLabel = el("label", { for: "ex-unit" }, "Unit ");
  var unitSelect = el("select", { id: "ex-unit" });
  D.units.forEach(function (unit, u) {
    unitSelect.appendChild(el("option", { value: String(u) }, unit[1] + " (" + unit[0] + ")"));
  });
  unitSelect.value = String(picked);
  var liveRank = el("span", { id: "ex-live-rank", class: "ex-live-rank" });
  var exact = el("span", { id: "ex-exact", class: "ex-exact" });
  var pickBox = el("div", { class: "ex-pick ex-control" });
  pickBox.appendChild(unitLabel);
  pickBox.appendChild(unitSelect);
  status.appendChild(pickBox);
  status.appendChild(liveRank);
  status.appendChild(exact);

  var presetBox = el("div", { class: "ex-presets ex-control", role: "group", "aria-label": "Weight presets" });
  D.presets.forEach(function (preset, i) {
    var button = el("button", { type: "button", "data-preset": String(i), title: preset.note, "aria-description": preset.note }, preset.label);
    button.addEventListener("click", function () {
      weights = nominalWeights.slice();
      preset.weights.forEach(function (pair) {
        var node = codeIndex[pair[0]];
        if (node !== undefined) weights[node] = pair[1];
      });
      update(true);
    });
    presetBox.appendChild(button);
  });

  var controls = el("div", { class: "ex-controls ex-control" });
  var sliders = {};
  var groups = {};
  varied.forEach(function (node) {
    var parent = nodes[node].parent;
    if (!groups[parent]) {
      var fieldset = el("fieldset", { class: "ex-group" });
      fieldset.appendChild(el("legend", {}, D.level_names[nodes[node].level - 1] + " weights within " + nodes[parent].name));
      groups[parent] = fieldset;
      controls.appendChild(fieldset);
    }
    var row = el("div", { class: "ex-slider" });
    var id = "ex-w-" + node;
    var label = el("label", { for: id, id: id + "-label" }, nodes[node].name + " (" + nodes[node].code + ")");
    var track = el("div", { class: "ex-track" });
    // The band's scale runs between the thumb's centre at 0 and at 1 (inset by half a thumb).
    var scale = el("div", { class: "ex-scale" });
    track.appendChild(scale);
    var band = bands[nodes[node].code];
    if (band) {
      var drawn = el("div", {
        class: "ex-band", "data-code": nodes[node].code, "data-lo": String(band.lo), "data-hi": String(band.hi),
        title: "The focus keeps its rank for shares " + fmt(band.lo, 3) + " to " + fmt(band.hi, 3) + " (other weights nominal)"
      });
      drawn.style.left = (100 * band.lo) + "%";
      drawn.style.width = (100 * (band.hi - band.lo)) + "%";
      scale.appendChild(drawn);
      scale.appendChild(el("div", { class: "ex-nominal", style: "left:" + (100 * band.nominal) + "%" }));
    }
    var range = el("input", { type: "range", id: id, min: "0", max: "1", step: "0.01", "data-code": nodes[node].code, "aria-describedby": id + "-band" });
    var number = el("input", { type: "number", min: "0", max: "1", step: "any", class: "ex-number", "data-code": nodes[node].code, "aria-label": nodes[node].name + " share (0 to 1)" });
    var bandText = el("span", { id: id + "-band", class: "ex-band-text" }, band ? "keeps rank " + fmt(band.lo, 3) + "–" + fmt(band.hi, 3) : "");
    track.appendChild(range);
    row.appendChild(label);
    row.appendChild(track);
    row.appendChild(number);
    row.appendChild(bandText);
    groups[parent].appendChild(row);
    function moved(value) {
      var v = parseFloat(value);
      if (!(v >= 0 && v <= 1)) {
        message.textContent = nodes[node].name + ": a share must be a number from 0 to 1 (got \"" + value + "\").";
        return;
      }
      setShare(node, v);
      update(true);
    }
    range.addEventListener("input", function () { moved(range.value); });
    number.addEventListener("change", function () { moved(number.value); });
    sliders[node] = { range: range, number: number };
  });

  var printWeights = el("p", { class: "ex-print-weights" });
  var results = el("div", { class: "ex-results" });
  var dimensionTitle = el("h3", {});
  var dimensionBox = el("div", { class: "scroll" });
  var dimensionTable = el("table", { id: "ex-dimensions" });
  dimensionBox.appendChild(dimensionTable);
  var histogramTitle = el("h3", {});
  var histogram = el("div", { class: "ex-histogram" });
  results.appendChild(dimensionTitle);
  results.appendChild(dimensionBox);
  if (D.histogram) {
    results.appendChild(histogramTitle);
    results.appendChild(histogram);
  }

  var searchBox = el("div", { class: "ex-search ex-control" });
  var search = el("input", { type: "search", id: "ex-search", placeholder: "code or name", autocomplete: "off" });
  searchBox.appendChild(el("label", { for: "ex-search" }, "Search units in every table "));
  searchBox.appendChild(search);
  search.addEventListener("input", function () { filterRows(search.value); });

  var shown = nodes.filter(function (node) { return node.level === nodes[D.top].level - 1; });
  var ranking = el("table", { id: "ex-ranking" });
  var head = el("thead");
  var headRow = el("tr");
  ["rank", "change", "code", "name", "score"].concat(shown.map(function (node) { return node.code; }))
    .forEach(function (text, i) { headRow.appendChild(el("th", { class: i === 2 || i === 3 ? "l" : "r" }, text)); });
  head.appendChild(headRow);
  ranking.appendChild(head);
  ranking.appendChild(el("tbody"));
  makeSortable(ranking);
  var rankingBox = el("div", { class: "scroll ex-ranking-box" });
  rankingBox.appendChild(ranking);

  var main = el("div", { class: "ex-main" });
  main.appendChild(controls);
  main.appendChild(results);
  root.appendChild(message);
  root.appendChild(status);
  root.appendChild(presetBox);
  root.appendChild(main);
  root.appendChild(printWeights);
  root.appendChild(el("h3", {}, "Ranking under these weights"));
  root.appendChild(searchBox);
  root.appendChild(rankingBox);

  unitSelect.addEventListener("change", function () {
    picked = +unitSelect.value;
    update(false);
  });

  // ---- Drawing.
  var current = nominal;
  function rankChange(now, before) {
    if (now === before) return "=";
    return before > now ? "▲" + (before - now) : "▼" + (now - before);
  }

  function drawRanking() {
    var body = ranking.tBodies[0];
    var order = [];
    for (var u = 0; u < n; u++) order.push(u);
    var top = D.top, ranks = current.ranks[top], scores = current.scores[top];
    order.sort(function (a, b) { return ranks[a] - ranks[b] || a - b; });
    var rows = document.createDocumentFragment();
    order.forEach(function (u) {
      var row = el("tr", { "data-code": D.units[u][0], "data-rank": String(ranks[u]), "data-score": String(scores[u]) });
      if (u === picked) row.className = "picked";
      if (u === focus) row.classList.add("focus");
      var before = nominal.ranks[top][u];
      var cells = [[String(ranks[u]), "r"], [rankChange(ranks[u], before), "r", String(before - ranks[u])], [D.units[u][0], "l"], [D.units[u][1], "l"], [fmt(scores[u], 2), "r", String(scores[u])]];
      shown.forEach(function (node) {
        var i = codeIndex[node.code];
        cells.push([fmt(current.scores[i][u], 2), "r", String(current.scores[i][u])]);
      });
      cells.forEach(function (cell) {
        var td = el("td", { class: cell[1] }, cell[0]);
        if (cell[2] !== undefined) td.setAttribute("data-sort", cell[2]);
        row.appendChild(td);
      });
      rows.appendChild(row);
    });
    body.textContent = "";
    body.appendChild(rows);
    resort(ranking);
    if (search.value) filterRows(search.value);
  }

  function drawDimensions() {
    var unit = D.units[picked];
    dimensionTitle.textContent = "Scores of " + unit[1] + " under these weights";
    dimensionTable.textContent = "";
    var thead = el("thead"), tr = el("tr");
    ["level", "code", "name", "score", "rank", "nominal rank"].forEach(function (text, i) {
      tr.appendChild(el("th", { class: i < 3 ? "l" : "r" }, text));
    });
    thead.appendChild(tr);
    dimensionTable.appendChild(thead);
    var body = el("tbody");
    for (var level = nodes[D.top].level; level >= 2; level--) {
      nodes.forEach(function (node, i) {
        if (node.level !== level) return;
        var row = el("tr", { "data-code": node.code, "data-rank": String(current.ranks[i][picked]) });
        [[D.level_names[level - 1], "l"], [node.code, "l"], [node.name, "l"], [fmt(current.scores[i][picked], 2), "r"],
          [String(current.ranks[i][picked]), "r"], [String(nominal.ranks[i][picked]), "r"]].forEach(function (cell) {
          row.appendChild(el("td", { class: cell[1] }, cell[0]));
        });
        body.appendChild(row);
      });
    }
    dimensionTable.appendChild(body);
  }

  function drawHistogram() {
    if (!D.histogram) return;
    var unit = D.units[picked], p = D.histogram[picked], live = current.ranks[D.top][picked];
    var nominalRank = nominal.ranks[D.top][picked];
    histogramTitle.textContent = unit[1] + "'s rank over the " + D.samples + " Monte Carlo samples";
    var highest = Math.max.apply(null, p.concat([1e-12]));
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + n + " 50");
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "Probability of each rank for " + unit[1] + "; nominal rank " + nominalRank + ", rank under these weights " + live);
    p.forEach(function (probability, r) {
      var bar = document.createElementNS(ns, "rect");
      var h = 48 * probability / highest;
      bar.setAttribute("x", String(r + 0.1));
      bar.setAttribute("width", "0.8");
      bar.setAttribute("y", String(50 - h));
      bar.setAttribute("height", String(h));
      bar.setAttribute("class", r + 1 === nominalRank ? "nominal" : r + 1 === live ? "live" : "bar");
      var title = document.createElementNS(ns, "title");
      title.textContent = "rank " + (r + 1) + ": " + (100 * probability).toFixed(1) + "%";
      bar.appendChild(title);
      svg.appendChild(bar);
    });
    var marker = document.createElementNS(ns, "rect");
    marker.setAttribute("x", String(live - 1));
    marker.setAttribute("width", "1");
    marker.setAttribute("y", "0");
    marker.setAttribute("height", "50");
    marker.setAttribute("class", "marker");
    svg.appendChild(marker);
    histogram.textContent = "";
    histogram.appendChild(svg);
    var axis = el("div", { class: "ex-axis" });
    axis.appendChild(el("span", {}, "rank 1"));
    axis.appendChild(el("span", {}, "dark: nominal rank " + nominalRank + "; outlined: rank " + live + " under these weights"));
    axis.appendChild(el("span", {}, "rank " + n));
    histogram.appendChild(axis);
  }

  function drawStatus() {
    var live = current.ranks[D.top][picked], before = nominal.ranks[D.top][picked];
    liveRank.textContent = "";
    liveRank.appendChild(document.createTextNode(D.units[picked][1] + ": rank "));
    liveRank.appendChild(el("b", { id: "ex-rank", "data-rank": String(live) }, String(live)));
    liveRank.appendChild(document.createTextNode(" of " + n + " (nominal " + before + ")"));
    if (D.exact_range && picked === focus) {
      exact.textContent = "Exact range over the scenario's weights: " + ordinal(D.exact_range.best) + " to " +
        ordinal(D.exact_range.worst) + (D.exact_range.exact ? "" : " (not proven optimal)");
      exact.setAttribute("data-best", String(D.exact_range.best));
      exact.setAttribute("data-worst", String(D.exact_range.worst));
    } else {
      exact.textContent = D.focus === null ? "" : "Bands, presets and the exact range are for " + D.units[focus][1] + ", the report's focus.";
    }
  }

  function drawSliders() {
    var parts = [];
    varied.forEach(function (node) {
      var s = share(node);
      sliders[node].range.value = String(s);
      if (document.activeElement !== sliders[node].number) sliders[node].number.value = String(+s.toFixed(6));
      sliders[node].range.setAttribute("aria-valuetext", (100 * s).toFixed(1) + "% of " + nodes[nodes[node].parent].name);
      parts.push(nodes[node].code + " " + s.toFixed(3));
    });
    printWeights.textContent = "Weights (share of parent): " + parts.join(", ");
  }

  function writeAddress() {
    var parts = varied.map(function (node) { return nodes[node].code + ":" + String(+share(node).toFixed(6)); });
    try {
      history.replaceState(null, "", "#w=" + parts.join(","));
    } catch (e) {
      // Some file:// setups refuse history changes: the weights then stay out of the address.
    }
  }

  function update(moved) {
    current = evaluate(weights);
    message.textContent = message.getAttribute("data-keep") ? message.textContent : "";
    message.removeAttribute("data-keep");
    drawSliders();
    drawStatus();
    drawDimensions();
    drawHistogram();
    drawRanking();
    highlightUnit(D.units[picked][0], D.focus !== null && picked === focus);
    noteFocusOnlyCharts(D.units[picked][1], D.units[focus][1]);
    if (moved) writeAddress();
  }

  // #w=CODE:value,...: raw weights (meta.csv scale) for the named nodes, every other nominal.
  function readAddress() {
    var match = /(?:^#|&)w=([^&]*)/.exec(location.hash);
    if (!match) return false;
    var next = nominalWeights.slice(), problems = [];
    decodeURIComponent(match[1]).split(",").forEach(function (part) {
      if (!part) return;
      var pair = part.split(":"), node = codeIndex[pair[0]], v = Number(pair[1]);
      if (node === undefined || node === D.top) problems.push("\"" + pair[0] + "\" is not a weight code (use e.g. " + varied.slice(0, 3).map(function (k) { return nodes[k].code; }).join(", ") + ")");
      else if (pair.length !== 2 || !(v >= 0) || !isFinite(v)) problems.push(pair[0] + ": \"" + pair.slice(1).join(":") + "\" is not a weight (a number ≥ 0)");
      else next[node] = v;
    });
    if (problems.length) {
      message.textContent = "Address #w: " + problems.join("; ") + ". Those entries were left nominal.";
      message.setAttribute("data-keep", "1");
    }
    weights = next;
    return true;
  }

  window.addEventListener("hashchange", function () {
    if (readAddress()) update(false);
  });
  readAddress();
  update(false);
})();

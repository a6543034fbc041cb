/* integridad — client-side search over self.INTEGRIDAD_SEARCH (loaded just before this script).
   Accent- and case-insensitive; every query word must match; title matches rank first. */
(function () {
  "use strict";
  var app = document.getElementById("search-app");
  var form = document.querySelector(".search-form");
  var input = document.getElementById("search-input");
  var summary = document.getElementById("search-summary");
  var list = document.getElementById("search-list");
  if (!app || !form || !input || !summary || !list) return;

  var root = app.getAttribute("data-root") || "";
  function msg(name, vars) {
    var s = app.getAttribute("data-msg-" + name) || "";
    Object.keys(vars || {}).forEach(function (k) { s = s.split("{" + k + "}").join(String(vars[k])); });
    return s;
  }

  // Lowercase, strip accents; returns the folded string and, for each folded char, its index in the original.
  function fold(text) {
    var out = "", map = [];
    for (var i = 0; i < text.length; i++) {
      var f = text[i].normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
      for (var j = 0; j < f.length; j++) { out += f[j]; map.push(i); }
    }
    return { text: out, map: map };
  }
  function words(query) {
    return fold(query).text.split(/[^0-9a-zñ]+/).filter(function (w) { return w.length > 0; });
  }

  var data = self.INTEGRIDAD_SEARCH;
  var docs = null;
  if (data && Array.isArray(data.docs)) {
    docs = data.docs.map(function (d) {
      var text = String(d.text || "");
      return {
        doc: d,
        title: fold(String(d.title || "")).text,
        description: fold(String(d.description || "")).text,
        body: fold(text),
        raw: text
      };
    });
  }

  function count(hay, w) {
    var n = 0, i = hay.indexOf(w);
    while (i !== -1 && n < 50) { n++; i = hay.indexOf(w, i + w.length); }
    return n;
  }

  function search(ws) {
    var results = [];
    docs.forEach(function (d) {
      var titleHits = 0, score = 0;
      for (var i = 0; i < ws.length; i++) {
        var w = ws[i];
        var t = d.title.indexOf(w) !== -1, s = d.description.indexOf(w) !== -1, b = count(d.body.text, w);
        if (!t && !s && !b) return;
        if (t) titleHits++;
        score += (t ? 10 : 0) + (s ? 3 : 0) + Math.min(b, 10);
      }
      results.push({ d: d, titleHits: titleHits, score: score });
    });
    results.sort(function (a, b) {
      return b.titleHits - a.titleHits || b.score - a.score || (a.d.doc.title < b.d.doc.title ? -1 : 1);
    });
    return results;
  }

  // A ~200-character excerpt around the first body match, with the matched words in <mark>.
  function snippet(d, ws) {
    var folded = d.body.text, first = -1;
    ws.forEach(function (w) { var i = folded.indexOf(w); if (i !== -1 && (first === -1 || i < first)) first = i; });
    var frag = document.createDocumentFragment();
    if (first === -1) {
      frag.appendChild(document.createTextNode(String(d.doc.description || d.raw.slice(0, 200))));
      return frag;
    }
    var start = Math.max(0, first - 80), end = Math.min(folded.length, first + 140);
    var ranges = [];
    ws.forEach(function (w) {
      var i = folded.indexOf(w, start);
      while (i !== -1 && i < end) { ranges.push([i, Math.min(i + w.length, end)]); i = folded.indexOf(w, i + w.length); }
    });
    ranges.sort(function (a, b) { return a[0] - b[0]; });
    var o = function (i) { return i >= d.body.map.length ? d.raw.length : d.body.map[i]; };
    var pos = start;
    if (start > 0) frag.appendChild(document.createTextNode("… "));
    ranges.forEach(function (r) {
      if (r[0] < pos) return;
      frag.appendChild(document.createTextNode(d.raw.slice(o(pos), o(r[0]))));
      var m = document.createElement("mark");
      m.textContent = d.raw.slice(o(r[0]), o(r[1]));
      frag.appendChild(m);
      pos = r[1];
    });
    frag.appendChild(document.createTextNode(d.raw.slice(o(pos), o(end))));
    if (end < folded.length) frag.appendChild(document.createTextNode(" …"));
    return frag;
  }

  function show(query) {
    list.textContent = "";
    if (!docs) { summary.textContent = msg("unavailable"); return; }
    var ws = words(query);
    if (!ws.length) { summary.textContent = query.trim() ? msg("none", { q: query.trim() }) : msg("empty"); return; }
    var results = search(ws);
    var q = query.trim();
    summary.textContent = results.length === 0 ? msg("none", { q: q }) : results.length === 1 ? msg("one", { q: q }) : msg("many", { n: results.length, q: q });
    results.slice(0, 50).forEach(function (r) {
      var li = document.createElement("li");
      if (r.d.doc.section) {
        var sec = document.createElement("span");
        sec.className = "search-section";
        sec.textContent = r.d.doc.section;
        li.appendChild(sec);
      }
      var a = document.createElement("a");
      a.href = root + String(r.d.doc.url || "").replace(/^\//, "");
      a.textContent = r.d.doc.title;
      li.appendChild(a);
      var p = document.createElement("p");
      p.className = "search-snippet";
      p.appendChild(snippet(r.d, ws));
      li.appendChild(p);
      list.appendChild(li);
    });
  }

  function currentQuery() {
    var params = new URLSearchParams(window.location.search);
    return params.get("q") || "";
  }
  function updateUrl(q) {
    try {
      var url = new URL(window.location.href);
      if (q) url.searchParams.set("q", q); else url.searchParams.delete("q");
      window.history.replaceState(null, "", url.toString());
    } catch (e) { /* file:// or sandboxed: the URL simply does not change */ }
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { show(input.value); updateUrl(input.value.trim()); }, 200);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    show(input.value);
    updateUrl(input.value.trim());
  });

  var initial = currentQuery();
  input.value = initial;
  if (initial) show(initial); else summary.textContent = docs ? "" : msg("unavailable");
})();

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

  // Short words ("de", "of") must match too, but only longer ones rank and get highlighted.
  function significant(ws) {
    var long = ws.filter(function (w) { return w.length >= 3; });
    return long.length ? long : ws;
  }

  function search(ws) {
    var results = [], sig = significant(ws), phrase = ws.join(" ");
    docs.forEach(function (d) {
      for (var i = 0; i < ws.length; i++) {
        var w = ws[i];
        if (d.title.indexOf(w) === -1 && d.description.indexOf(w) === -1 && d.body.text.indexOf(w) === -1) return;
      }
      var titleHits = 0, score = 0;
      sig.forEach(function (w) {
        var t = d.title.indexOf(w) !== -1;
        if (t) titleHits++;
        score += (t ? 10 : 0) + (d.description.indexOf(w) !== -1 ? 3 : 0) + Math.min(count(d.body.text, w), 10);
      });
      if (ws.length > 1) {
        if (d.title.indexOf(phrase) !== -1) titleHits += sig.length;
        if (d.body.text.indexOf(phrase) !== -1 || d.description.indexOf(phrase) !== -1) score += 15;
      }
      results.push({ d: d, titleHits: titleHits, score: score });
    });
    results.sort(function (a, b) {
      return b.titleHits - a.titleHits || b.score - a.score || (a.d.doc.title < b.d.doc.title ? -1 : 1);
    });
    return results;
  }

  // A ~200-character excerpt around the first body match, with the matched words in <mark>.
  function snippet(d, all) {
    var folded = d.body.text, ws = significant(all);
    // Centre on the whole query if it appears as a phrase, else on the longest word.
    var first = all.length > 1 ? folded.indexOf(all.join(" ")) : -1;
    ws.slice().sort(function (a, b) { return b.length - a.length; }).forEach(function (w) {
      if (first === -1) first = folded.indexOf(w);
    });
    var frag = document.createDocumentFragment();
    if (first === -1) {
      frag.appendChild(document.createTextNode(String(d.doc.description || d.raw.slice(0, 200))));
      return frag;
    }
    var start = Math.max(0, first - 80), end = Math.min(folded.length, first + 140);
    // Snap to word boundaries so the excerpt never starts or ends mid-word.
    if (start > 0) { var sp = folded.indexOf(" ", start); if (sp !== -1 && sp < first) start = sp + 1; }
    if (end < folded.length) { var ep = folded.lastIndexOf(" ", end); if (ep > first) end = ep; }
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

  // Index URLs are relative to the site root; opened from disk (file://) a folder needs its index.html.
  function href(url) {
    var u = root + String(url || "").replace(/^\//, "");
    if (window.location.protocol === "file:") u = u.replace(/(^|\/)(#|$)/, "$1index.html$2");
    return u;
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
      a.href = href(r.d.doc.url);
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

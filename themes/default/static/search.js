/* integridad — client-side search over a split index. self.INTEGRIDAD_SEARCH (the manifest,
   loaded just before this script) names the index's other scripts: term shards by prefix,
   chunks of titles and links, and one text per result. A query loads only the shards of its
   words and the texts of the results it shows, each by a <script> element, so search works
   from file:// and under default-src 'self'. Words are folded here exactly as the build folds
   them (case, accents, ñ → n); the shards map every folded word to its Snowball stem, so
   "denuncias" finds "denunciar". The last word of the query also matches as a prefix. */
(function () {
  "use strict";
  var app = document.getElementById("search-app");
  var form = document.querySelector(".search-form");
  var input = document.getElementById("search-input");
  var summary = document.getElementById("search-summary");
  var list = document.getElementById("search-list");
  var more = document.getElementById("search-more");
  if (!app || !form || !input || !summary || !list) return;

  var PAGE = 10;          // results shown at a time
  var MIN_PREFIX = 3;     // the last word matches as a prefix from this many letters
  var MAX_SHARDS = 8;     // a prefix never loads more shards than this

  var root = app.getAttribute("data-root") || "";
  function msg(name, vars) {
    var s = app.getAttribute("data-msg-" + name) || "";
    Object.keys(vars || {}).forEach(function (k) { s = s.split("{" + k + "}").join(String(vars[k])); });
    return s;
  }

  var manifest = self.INTEGRIDAD_SEARCH;
  if (!manifest || !manifest.shards || !Array.isArray(manifest.meta)) manifest = null;
  var parts = self.INTEGRIDAD_SEARCH_PARTS = self.INTEGRIDAD_SEARCH_PARTS || {};
  var keys = manifest ? Object.keys(manifest.shards) : [];
  var pending = {};
  // How many index scripts failed to load so far: a query during which one failed says so
  // instead of claiming that nothing matches (a mirror copied by crawling may lack shards).
  var failures = 0;

  // Loads one script of the index (once) and resolves to its data, or null when it failed
  // (it is tried again by the next query).
  function load(file) {
    var id = manifest.lang + "/" + file.replace(/\.[0-9a-f]+\.js$/, "");
    if (parts[id]) return Promise.resolve(parts[id]);
    if (!pending[id]) {
      pending[id] = new Promise(function (resolve) {
        var s = document.createElement("script");
        s.src = root + manifest.dir + file;
        s.async = true;
        s.onload = function () { resolve(parts[id] || null); };
        s.onerror = function () { delete pending[id]; failures++; resolve(null); };
        document.head.appendChild(s);
      });
    }
    return pending[id];
  }

  // The same folding as the build: decompose, drop combining marks, lowercase.
  function fold(text) {
    return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  }
  function words(query) {
    return fold(query).split(/[^\p{L}\p{N}]+/u).filter(function (w) { return Array.from(w).length >= 2; });
  }

  // A term lives in the shard of the longest prefix of it that names a shard.
  function shardOf(term) {
    var best = null;
    keys.forEach(function (k) { if (term.indexOf(k) === 0 && (best === null || k.length > best.length)) best = k; });
    return best;
  }
  function loadShard(key) {
    return key === null ? Promise.resolve(null) : load(manifest.shards[key]);
  }

  // The stems a query word stands for: its own stem, those of the words it begins (the last
  // word, as the reader types), or else the longest stem that begins it ("denunciaremos").
  function stemsOf(word, prefix) {
    var shardKeys = [shardOf(word)];
    if (prefix) {
      keys.filter(function (k) { return k.length > word.length && k.indexOf(word) === 0; })
        .slice(0, MAX_SHARDS).forEach(function (k) { shardKeys.push(k); });
    }
    return Promise.all(shardKeys.map(loadShard)).then(function (shards) {
      var stems = {};
      shards.forEach(function (shard) {
        if (!shard) return;
        Object.keys(shard.w).forEach(function (surface) {
          if (surface === word || (prefix && surface.indexOf(word) === 0)) stems[shard.w[surface] || surface] = true;
        });
      });
      var found = Object.keys(stems);
      if (found.length) return found;
      return longestStem(word, word.length - 1);
    });
  }
  function longestStem(word, length) {
    if (length < 4 || length < word.length - 6) return Promise.resolve([]);
    var stem = word.slice(0, length);
    return loadShard(shardOf(stem)).then(function (shard) {
      return shard && shard.p[stem] ? [stem] : longestStem(word, length - 1);
    });
  }

  // For one query word: doc → {score, head} over all its stems, and whether it is too common to
  // narrow the results (every stem of it had its postings cut at build time).
  function postingsOf(stems) {
    return Promise.all(stems.map(function (stem) { return loadShard(shardOf(stem)); })).then(function (shards) {
      var docs = {}, common = stems.length > 0;
      shards.forEach(function (shard, i) {
        var flat = shard && shard.p[stems[i]];
        if (!flat) return;
        if (shard.c.indexOf(stems[i]) === -1) common = false;
        for (var j = 0, doc = 0; j + 2 < flat.length; j += 3) {
          doc += flat[j];
          var old = docs[doc];
          if (!old || flat[j + 1] > old.score) docs[doc] = { score: flat[j + 1], head: flat[j + 2] };
        }
      });
      // Rare words weigh more: "de" is on nearly every page, "regalos" on few.
      var df = Object.keys(docs).length;
      return { docs: docs, common: common, weight: df ? Math.log((manifest.count + 1) / df) : 0 };
    });
  }

  function search(ws) {
    return Promise.all(ws.map(function (w, i) {
      var prefix = i === ws.length - 1 && w.length >= MIN_PREFIX;
      return stemsOf(w, prefix).then(function (stems) {
        return postingsOf(stems).then(function (p) { p.stems = stems; return p; });
      });
    })).then(function (perWord) {
      var narrowing = perWord.filter(function (p) { return !p.common; });
      var required = narrowing.length ? narrowing : perWord;
      var candidates = Object.keys(required[0].docs);
      required.slice(1).forEach(function (p) { candidates = candidates.filter(function (d) { return p.docs[d]; }); });
      var results = candidates.map(function (d) {
        var score = 0, head = 0, best = -1;
        perWord.forEach(function (p) {
          var hit = p.docs[d];
          if (!hit) return;
          var weighted = hit.score * p.weight;
          score += weighted;
          if (weighted > best) { best = weighted; head = hit.head; }
        });
        return { doc: Number(d), score: score, head: head };
      });
      results.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
      // A word on very many pages keeps only its best postings: the count is then a lower bound.
      results.atLeast = required.some(function (p) { return p.common; });
      // Short words ("de", "of") must match too, but only longer ones are highlighted.
      var long = ws.filter(function (w) { return w.length >= 3; });
      var marks = long.length ? long : ws.slice();
      perWord.forEach(function (p) { p.stems.forEach(function (s) { if (s.length >= 3) marks.push(s); }); });
      return { results: results, marks: marks, atLeast: results.atLeast };
    });
  }

  // Title, link and heading ids of each result, from its chunk of titles.
  function describe(result) {
    var chunk = Math.floor(result.doc / manifest.chunk);
    return load(manifest.meta[chunk]).then(function (meta) {
      var entry = meta && meta[result.doc % manifest.chunk];
      if (!entry) return null;
      return { title: entry[0], url: entry[1], section: entry[2], file: entry[3], heads: entry[4] || [], head: result.head };
    });
  }

  function marked(token, marks) {
    var f = fold(token);
    return marks.some(function (m) { return m.length >= 3 ? f.indexOf(m) === 0 : f === m; });
  }

  // A ~200-character excerpt around the first match at or after the result's heading, with the
  // matched words in <mark>.
  function excerpt(doc, text, marks) {
    var body = text.b || "", frag = document.createDocumentFragment();
    var from = doc.head > 0 && text.h[doc.head - 1] ? text.h[doc.head - 1][1] : 0;
    var first = -1, re = /[\p{L}\p{N}]+/gu, m;
    for (var pass = 0; pass < 2 && first === -1; pass++) {
      re.lastIndex = pass === 0 ? from : 0;
      while ((m = re.exec(body)) !== null) { if (marked(m[0], marks)) { first = m.index; break; } }
    }
    if (first === -1) {
      frag.appendChild(document.createTextNode(text.d || body.slice(0, 200)));
      return frag;
    }
    var start = Math.max(0, first - 80), end = Math.min(body.length, first + 140);
    if (start > 0) { var sp = body.indexOf(" ", start); if (sp !== -1 && sp < first) start = sp + 1; }
    if (end < body.length) { var ep = body.lastIndexOf(" ", end); if (ep > first) end = ep; }
    var window_ = body.slice(start, end), pos = 0;
    if (start > 0) frag.appendChild(document.createTextNode("… "));
    re.lastIndex = 0;
    while ((m = re.exec(window_)) !== null) {
      if (!marked(m[0], marks)) continue;
      frag.appendChild(document.createTextNode(window_.slice(pos, m.index)));
      var mark = document.createElement("mark");
      mark.textContent = m[0];
      frag.appendChild(mark);
      pos = m.index + m[0].length;
    }
    frag.appendChild(document.createTextNode(window_.slice(pos)));
    if (end < body.length) frag.appendChild(document.createTextNode(" …"));
    return frag;
  }

  // Index URLs are relative to the site root; opened from disk (file://) a folder needs its index.html.
  function href(doc) {
    var url = String(doc.url || "");
    if (doc.head > 0 && url.indexOf("#") === -1 && doc.heads[doc.head - 1]) url += "#" + doc.heads[doc.head - 1];
    var u = root + url.replace(/^\//, "");
    if (window.location.protocol === "file:") u = u.replace(/(^|\/)(#|$)/, "$1index.html$2");
    return u;
  }

  function item(doc, marks) {
    var li = document.createElement("li");
    if (doc.section) {
      var sec = document.createElement("span");
      sec.className = "search-section";
      sec.textContent = doc.section;
      li.appendChild(sec);
    }
    var a = document.createElement("a");
    a.href = href(doc);
    a.textContent = doc.title;
    li.appendChild(a);
    // The excerpt follows when the result's text has arrived; the list does not wait for it.
    var p = document.createElement("p");
    p.className = "search-snippet";
    li.appendChild(p);
    load(doc.file).then(function (text) {
      p.appendChild(excerpt(doc, text || { d: "", b: "", h: [] }, marks));
    });
    return li;
  }

  var current = null, shown = 0, generation = 0;

  // Appends the next PAGE results of `found` to `target`; resolves to the first new link.
  function showMore(target, found) {
    var batch = found.results.slice(shown, shown + PAGE), gen = generation;
    shown += batch.length;
    return Promise.all(batch.map(describe)).then(function (docs) {
      if (gen !== generation) return null;
      var first = null;
      docs.forEach(function (doc) {
        if (!doc) return;
        var li = item(doc, found.marks);
        target.appendChild(li);
        if (!first) first = li.querySelector("a");
      });
      if (more) more.hidden = shown >= found.results.length;
      return first;
    });
  }

  function show(query) {
    var gen = ++generation, q = query.trim(), failedBefore = failures;
    if (!manifest) { list.textContent = ""; summary.textContent = msg("unavailable"); return Promise.resolve(); }
    var ws = words(query);
    if (!ws.length) {
      list.textContent = "";
      if (more) more.hidden = true;
      summary.textContent = q ? msg("none", { q: q }) : msg("empty");
      return Promise.resolve();
    }
    return search(ws).then(function (found) {
      if (gen !== generation) return null;
      current = found;
      shown = 0;
      var n = found.results.length;
      var text = n === 0 ? msg("none", { q: q }) : n === 1 ? msg("one", { q: q })
        : msg(found.atLeast ? "atleast" : "many", { n: n, q: q });
      if (failures > failedBefore) text = msg("failed", { q: q });
      // The new list replaces the old one only when its first results are ready, so it never
      // flickers empty while the reader types.
      var fresh = list.cloneNode(false);
      return showMore(fresh, found).then(function () {
        if (gen !== generation) return;
        list.parentNode.replaceChild(fresh, list);
        list = fresh;
        app.setAttribute("data-results", String(n));
        summary.textContent = text;
      });
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
    timer = setTimeout(function () { show(input.value); updateUrl(input.value.trim()); }, 60);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    show(input.value);
    updateUrl(input.value.trim());
  });
  if (more) {
    more.addEventListener("click", function () {
      if (!current) return;
      showMore(list, current).then(function (first) { if (first) first.focus(); });
    });
  }

  var initial = currentQuery();
  input.value = initial;
  if (initial) show(initial); else summary.textContent = manifest ? "" : msg("unavailable");
})();

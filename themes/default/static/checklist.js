/* integridad — sector checklist self-assessment (progressive enhancement).
   The scoring rules come from the page (#scoring-rules), defined once in Rust; this file holds no numbers.
   Answers live in localStorage under "integridad:checklist:<id>" so both languages share them.
   Exports are version 2 (answers, checklist version, scores, optional size and state); version 1 still imports. */
(function () {
  "use strict";
  var app = document.getElementById("checklist-app");
  var rulesEl = document.getElementById("scoring-rules");
  if (!app || !rulesEl) return;

  var ANSWERS = ["yes", "partly", "no", "not-applicable"];
  var checklistId = app.getAttribute("data-checklist");
  var itemsHash = app.getAttribute("data-items-hash") || "";
  var storageKey = "integridad:checklist:" + checklistId;
  var lang = app.getAttribute("data-lang") || document.documentElement.lang || "es";

  function normKey(k) {
    k = String(k).replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase().replace(/[_\s]+/g, "-");
    return k === "notapplicable" || k === "n-a" || k === "na" ? "not-applicable" : k;
  }
  function numberMap(obj) {
    var out = {};
    Object.keys(obj || {}).forEach(function (k) {
      if (typeof obj[k] === "number") out[normKey(k)] = obj[k];
    });
    return out;
  }
  // Accepts {weights:{high:3,…}, values:{yes:1,…,"not-applicable":null}, bands:[{id,min_percent},…]};
  // a band threshold may also be given as `min` (fraction 0–1 or percentage), and bands as a map id → min.
  function parseRules(raw) {
    var weights = numberMap(raw.weights), values = numberMap(raw.values);
    var bands = raw.bands || [];
    if (!Array.isArray(bands)) {
      bands = Object.keys(bands).map(function (k) { return { id: k, min: bands[k] }; });
    }
    var percentScale = false;
    bands = bands.map(function (b) {
      if (typeof b === "number") b = { min: b };
      if (typeof b.min_percent === "number") { percentScale = true; b = { id: b.id, min: b.min_percent }; }
      var min = [b.min, b.from, b.threshold, b.min_score, b.lower].filter(function (x) { return typeof x === "number"; })[0];
      return { id: String(b.id || b.name || b.key || b.band), min: min || 0 };
    });
    if (percentScale || bands.some(function (b) { return b.min > 1; })) bands.forEach(function (b) { b.min = b.min / 100; });
    bands.sort(function (a, b) { return a.min - b.min; });
    if (!Object.keys(weights).length || !Object.keys(values).length || !bands.length) throw new Error("rules");
    return { weights: weights, values: values, bands: bands };
  }

  var rules;
  try { rules = parseRules(JSON.parse(rulesEl.textContent)); } catch (e) { return; }

  function msg(name, vars) {
    var s = app.getAttribute("data-msg-" + name) || "";
    Object.keys(vars || {}).forEach(function (k) { s = s.split("{" + k + "}").join(String(vars[k])); });
    return s;
  }
  var pct = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
  // Shown percentages are floored so that the shown number and the band never disagree at a boundary.
  function percent(x) { return pct.format(Math.floor(x * 100 + 1e-9) / 100); }
  function bandName(id) { return app.getAttribute("data-band-" + id) || id; }
  function bandFor(score) {
    var found = rules.bands[0];
    rules.bands.forEach(function (b) { if (score + 1e-9 >= b.min) found = b; });
    return found;
  }

  var items = Array.prototype.map.call(app.querySelectorAll("fieldset.item[data-item]"), function (el, index) {
    var section = el.closest("[data-section]");
    return { el: el, id: el.getAttribute("data-item"), risk: el.getAttribute("data-risk"), element: el.getAttribute("data-element") || "", section: section ? section.getAttribute("data-section") : "", index: index };
  });
  var known = {};
  items.forEach(function (it) { known[it.id] = it; });

  var answers = {};
  var status = document.getElementById("checklist-status");
  var alertBox = document.getElementById("checklist-alert");
  function say(text, isError) {
    status.textContent = isError ? "" : text;
    alertBox.textContent = isError ? text : "";
  }

  function cleanAnswers(obj) {
    var out = {};
    Object.keys(obj || {}).forEach(function (k) {
      if (known[k] && ANSWERS.indexOf(obj[k]) !== -1) out[k] = obj[k];
    });
    return out;
  }
  function sortedAnswers() {
    var out = {};
    items.forEach(function (it) { if (answers[it.id]) out[it.id] = answers[it.id]; });
    return out;
  }
  // The optional size and state of an export: only values offered by the page's own lists.
  var profileFields = Array.prototype.slice.call(app.querySelectorAll("select[data-profile]"));
  var profile = {};
  function cleanProfile(obj) {
    var out = {};
    profileFields.forEach(function (select) {
      var key = select.getAttribute("data-profile"), value = obj && obj[key];
      var offered = Array.prototype.some.call(select.options, function (o) { return o.value && o.value === value; });
      if (offered) out[key] = value;
    });
    return out;
  }
  function applyProfile() {
    profileFields.forEach(function (select) { select.value = profile[select.getAttribute("data-profile")] || ""; });
  }
  // The export id is kept while the answers and profile stay the same, so sending the same
  // export twice counts once in a chamber's report; any change gives the next export a new id.
  var lastExport = null;
  function load() {
    lastExport = null;
    try {
      var data = JSON.parse(window.localStorage.getItem(storageKey) || "null");
      if (data && data.version === 1 && data.answers && typeof data.answers === "object") {
        profile = cleanProfile(data.profile);
        if (data.exported && typeof data.exported.id === "string") lastExport = data.exported;
        return cleanAnswers(data.answers);
      }
    } catch (e) { /* unreadable or blocked storage: start empty */ }
    profile = {};
    return {};
  }
  var storageWarned = false;
  function save() {
    try {
      if (Object.keys(answers).length || Object.keys(profile).length) {
        var stored = { version: 1, answers: sortedAnswers(), profile: profile };
        if (lastExport) stored.exported = lastExport;
        window.localStorage.setItem(storageKey, JSON.stringify(stored));
      } else {
        window.localStorage.removeItem(storageKey);
      }
    } catch (e) {
      if (!storageWarned) { storageWarned = true; say(msg("storage-unavailable"), true); }
    }
  }

  function applyToForm() {
    items.forEach(function (it) {
      var radios = it.el.querySelectorAll('input[type="radio"]');
      for (var i = 0; i < radios.length; i++) radios[i].checked = radios[i].value === answers[it.id];
    });
  }

  function score(list) {
    var num = 0, den = 0, answered = 0;
    list.forEach(function (it) {
      var a = answers[it.id];
      if (!a) return;
      answered++;
      var v = rules.values[a], w = rules.weights[it.risk];
      if (typeof v !== "number" || typeof w !== "number") return; // not applicable
      num += w * v;
      den += w;
    });
    return { answered: answered, total: list.length, value: den > 0 ? num / den : null };
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function renderLegend() {
    var ul = document.getElementById("band-legend");
    if (!ul) return;
    ul.textContent = "";
    rules.bands.forEach(function (b, i) {
      var next = rules.bands[i + 1];
      var max = next ? Math.max(b.min, next.min - 0.01) : 1;
      ul.appendChild(el("li", null, msg("band-range", { band: bandName(b.id), min: percent(b.min), max: percent(max) })));
    });
  }

  function renderPriority() {
    var ol = document.getElementById("priority-actions");
    if (!ol) return;
    ol.textContent = "";
    var open = items.filter(function (it) { return answers[it.id] === "no" || answers[it.id] === "partly"; });
    open.sort(function (a, b) {
      return (rules.weights[b.risk] || 0) - (rules.weights[a.risk] || 0) ||
        (rules.values[answers[a.id]] || 0) - (rules.values[answers[b.id]] || 0) ||
        a.index - b.index;
    });
    if (!open.length) {
      ol.appendChild(el("li", "pa-empty", msg("no-actions")));
      return;
    }
    open.forEach(function (it) {
      var li = el("li");
      var head = el("p", "pa-head");
      var badge = it.el.querySelector(".badge-risk");
      if (badge) head.appendChild(badge.cloneNode(true));
      var chosen = it.el.querySelector('input[value="' + answers[it.id] + '"]');
      var label = chosen && chosen.parentNode.textContent.trim();
      head.appendChild(el("span", "badge", msg("your-answer") + " " + label));
      li.appendChild(head);
      var q = el("p", "pa-question");
      var link = el("a");
      link.href = "#item-" + it.id;
      var qText = it.el.querySelector(".question-text");
      if (qText) link.appendChild(qText.cloneNode(true));
      q.appendChild(link);
      li.appendChild(q);
      var guidance = it.el.querySelector(".item-guidance");
      if (guidance) {
        var g = guidance.cloneNode(true);
        g.removeAttribute("id");
        g.className = "pa-guidance";
        li.appendChild(g);
      }
      ol.appendChild(li);
    });
  }

  function render() {
    var total = score(items);
    var answeredText = msg("answered", { answered: total.answered, total: total.total });
    document.getElementById("progress-text").textContent = answeredText;
    var valueEl = document.getElementById("score-value");
    var bandEl = document.getElementById("score-band");
    var answeredEl = document.getElementById("score-answered");
    var fill = document.getElementById("score-bar-fill");
    if (total.value === null) {
      valueEl.textContent = "–";
      bandEl.textContent = "";
      bandEl.removeAttribute("data-band");
      fill.parentNode.removeAttribute("data-band");
      answeredEl.textContent = answeredText + ". " + msg("no-score");
      fill.style.setProperty("--score", "0");
    } else {
      var band = bandFor(total.value);
      valueEl.textContent = percent(total.value);
      bandEl.textContent = bandName(band.id);
      bandEl.setAttribute("data-band", band.id);
      fill.parentNode.setAttribute("data-band", band.id);
      answeredEl.textContent = answeredText;
      fill.style.setProperty("--score", String(total.value));
    }
    var rows = document.querySelectorAll("[data-section-row]");
    for (var i = 0; i < rows.length; i++) {
      var sid = rows[i].getAttribute("data-section-row");
      var s = score(items.filter(function (it) { return it.section === sid; }));
      rows[i].querySelector(".section-score").textContent = s.value === null ? "" : percent(s.value) + " ·";
      if (s.value === null) rows[i].removeAttribute("data-band"); else rows[i].setAttribute("data-band", bandFor(s.value).id);
      rows[i].querySelector(".section-answered").textContent = msg("section-answered", { answered: s.answered, total: s.total });
      var bar = rows[i].querySelector(".score-bar-fill");
      if (bar) bar.style.setProperty("--score", String(s.value || 0));
    }
    renderPriority();
  }

  // --- events ---
  app.addEventListener("change", function (event) {
    var input = event.target;
    if (input && input.hasAttribute && input.hasAttribute("data-profile")) {
      profile = cleanProfile(Object.assign({}, profile, { [input.getAttribute("data-profile")]: input.value }));
      save();
      return;
    }
    if (!input || input.type !== "radio") return;
    var fieldset = input.closest("fieldset.item");
    if (!fieldset || !known[fieldset.getAttribute("data-item")]) return;
    answers[fieldset.getAttribute("data-item")] = input.value;
    save();
    render();
  });

  function download(name, text) {
    var blob = new Blob([text], { type: "application/json" });
    var url = URL.createObjectURL(blob);
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }
  function today() {
    var d = new Date();
    var p = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate());
  }

  function percent2(value) { return value === null ? null : Math.round(value * 10000) / 100; }
  function scoresBy(key) {
    var out = {};
    items.forEach(function (it) { if (it[key]) out[it[key]] = true; });
    Object.keys(out).sort().forEach(function (k) {
      out[k] = percent2(score(items.filter(function (it) { return it[key] === k; })).value);
    });
    return out;
  }
  function randomId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }
  // Version 2 of the export: what the page's "share" box describes in plain words, nothing more.
  function exportPayload() {
    var total = score(items).value;
    var fingerprint = JSON.stringify([sortedAnswers(), profile]);
    if (!lastExport || lastExport.fingerprint !== fingerprint) lastExport = { id: randomId(), fingerprint: fingerprint };
    save();
    var payload = {
      format: "integridad-checklist",
      version: 2,
      checklist: checklistId,
      items_hash: itemsHash,
      export_id: lastExport.id,
      date: today(),
      language: lang,
      score: percent2(total),
      band: total === null ? null : bandFor(total).id,
      sections: scoresBy("section"),
      elements: scoresBy("element"),
    };
    if (profile.size) payload.size = profile.size;
    if (profile.state) payload.state = profile.state;
    payload.answers = sortedAnswers();
    return payload;
  }

  function importText(text) {
    var data;
    try { data = JSON.parse(text); } catch (e) { return say(msg("import-unreadable"), true); }
    if (!data || typeof data !== "object" || data.format !== "integridad-checklist") return say(msg("import-foreign"), true);
    if (data.version !== 1 && data.version !== 2) return say(msg("import-version"), true);
    if (data.checklist !== checklistId) return say(msg("import-other-checklist", { id: String(data.checklist) }), true);
    var raw = data.answers;
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) return say(msg("import-invalid"), true);
    var keys = Object.keys(raw);
    var bad = keys.some(function (k) { return ANSWERS.indexOf(raw[k]) === -1; });
    var clean = cleanAnswers(raw);
    if (bad || (keys.length && !Object.keys(clean).length)) return say(msg("import-invalid"), true);
    answers = clean;
    if (data.version === 2) profile = cleanProfile(data);
    lastExport = null;
    save();
    applyToForm();
    applyProfile();
    render();
    say(msg("import-done", { n: Object.keys(clean).length }), false);
  }

  app.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-action]") : null;
    if (!button) return;
    var action = button.getAttribute("data-action");
    if (action === "print") {
      window.print();
    } else if (action === "export" || action === "export-share") {
      var name = "integridad-" + checklistId + "-" + today() + ".json";
      download(name, JSON.stringify(exportPayload(), null, 2) + "\n");
      say(msg("export-done", { file: name }), false);
    } else if (action === "reset") {
      if (!window.confirm(msg("confirm-reset"))) return;
      answers = {};
      profile = {};
      lastExport = null;
      save();
      applyToForm();
      applyProfile();
      render();
      say(msg("reset-done"), false);
    }
  });

  var fileInput = document.getElementById("import-file");
  if (fileInput) {
    fileInput.addEventListener("change", function () {
      var file = fileInput.files && fileInput.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () { importText(String(reader.result)); fileInput.value = ""; };
      reader.onerror = function () { say(msg("import-unreadable"), true); fileInput.value = ""; };
      reader.readAsText(file);
    });
  }

  // Answers saved in another tab (or the other language's page) show up here too.
  window.addEventListener("storage", function (event) {
    if (event.key !== storageKey) return;
    answers = load();
    applyToForm();
    applyProfile();
    render();
  });

  // The printed record carries the date it was printed (the sign-off block is print-only).
  var printedOn = document.getElementById("printed-on");
  function stampDate() {
    if (!printedOn) return;
    var date;
    try { date = new Intl.DateTimeFormat(lang, { dateStyle: "long" }).format(new Date()); } catch (e) { date = today(); }
    printedOn.textContent = msg("printed-on", { date: date });
  }
  window.addEventListener("beforeprint", stampDate);

  // --- start ---
  answers = load();
  applyToForm();
  applyProfile();
  renderLegend();
  render();
  stampDate();
  var toolbar = app.querySelector(".checklist-toolbar");
  if (toolbar) toolbar.hidden = false;
  document.getElementById("results").hidden = false;
  var share = document.getElementById("share");
  if (share) share.hidden = false;
})();

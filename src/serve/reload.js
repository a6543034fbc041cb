// integridad dev server: reloads this tab once a rebuild is complete and swapped in, swaps only
// the stylesheets when only styles changed, and shows build errors over the page in the page's
// language. Served by `integridad serve` only; never part of a published site. No inline code and
// no style attributes, so it runs under `Content-Security-Policy: default-src 'self'`.
(function () {
  'use strict';
  if (window.__integridadReload) { return; }
  window.__integridadReload = true;

  var TEXT = {
    es: {
      title: 'La compilación falló',
      one: '1 error',
      many: '{n} errores',
      kept: 'Se sigue mostrando la última versión que se compiló bien. Corrija el archivo y guarde: esta página se actualizará sola.',
      first: 'Todavía no hay ninguna versión que se haya compilado bien. Corrija el archivo y guarde: esta página se actualizará sola.',
      close: 'Cerrar',
      help: 'Ayuda:'
    },
    en: {
      title: 'The build failed',
      one: '1 error',
      many: '{n} errors',
      kept: 'The last good build is still shown. Fix the file and save: this page updates by itself.',
      first: 'No build has succeeded yet. Fix the file and save: this page updates by itself.',
      close: 'Close',
      help: 'Help:'
    }
  };
  var STYLES = '/__integridad/overlay.css';
  var lang = (document.documentElement.getAttribute('lang') || '').toLowerCase().split('-')[0];
  var text = TEXT[lang] || TEXT.en;
  var marker = document.querySelector('meta[name="integridad-build"]');
  var page = marker ? marker.getAttribute('content') : null;
  var dismissed = null;
  var last = null;

  function element(tag, className, content) {
    var node = document.createElement(tag);
    node.className = className;
    if (content !== undefined) { node.textContent = content; }
    return node;
  }

  function addStyles() {
    if (document.querySelector('link[href="' + STYLES + '"]')) { return; }
    var link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = STYLES;
    document.head.appendChild(link);
  }

  function hideErrors() {
    var old = document.getElementById('integridad-overlay');
    if (old) { old.remove(); }
  }

  function showErrors(status) {
    hideErrors();
    if (dismissed === status.event || !document.body) { return; }
    addStyles();
    var overlay = element('div', 'integridad-overlay');
    overlay.id = 'integridad-overlay';
    overlay.setAttribute('role', 'alert');
    overlay.lang = TEXT[lang] ? lang : 'en';
    var panel = element('div', 'integridad-panel');
    var head = element('div', 'integridad-head');
    var count = status.errors.length === 1 ? text.one : text.many.replace('{n}', status.errors.length);
    head.appendChild(element('h2', 'integridad-title', text.title + ' · ' + count));
    var close = element('button', 'integridad-close', text.close);
    close.type = 'button';
    close.addEventListener('click', function () {
      dismissed = status.event;
      hideErrors();
    });
    head.appendChild(close);
    panel.appendChild(head);
    panel.appendChild(element('p', 'integridad-kept', status.generation > 0 ? text.kept : text.first));
    var list = element('ol', 'integridad-errors');
    list.lang = 'en';
    status.errors.forEach(function (error) {
      var item = element('li', 'integridad-error');
      item.appendChild(element('p', 'integridad-message', error.message));
      if (error.location) { item.appendChild(element('p', 'integridad-location', error.location)); }
      if (error.source) { item.appendChild(element('pre', 'integridad-source', error.source)); }
      if (error.help) { item.appendChild(element('p', 'integridad-help', text.help + ' ' + error.help)); }
      list.appendChild(item);
    });
    panel.appendChild(list);
    overlay.appendChild(panel);
    document.body.appendChild(overlay);
  }

  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape' && last && document.getElementById('integridad-overlay')) {
      dismissed = last.event;
      hideErrors();
    }
  });

  function stylesheets(doc) {
    return Array.prototype.filter.call(doc.querySelectorAll('link[rel~="stylesheet"]'), function (link) {
      return link.getAttribute('href') !== STYLES;
    });
  }

  // Only stylesheets changed: take their new (hashed) names from a fresh copy of this page.
  function swapStyles(status) {
    fetch(location.href, { cache: 'no-store' }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      var fresh = stylesheets(new DOMParser().parseFromString(html, 'text/html'));
      var current = stylesheets(document);
      if (fresh.length !== current.length) { location.reload(); return; }
      current.forEach(function (link, i) {
        var href = fresh[i].getAttribute('href');
        if (link.getAttribute('href') === href) { return; }
        var next = link.cloneNode(false);
        next.setAttribute('href', href);
        var drop = function () { link.remove(); };
        next.addEventListener('load', drop);
        next.addEventListener('error', drop);
        link.after(next);
      });
      page = status.build;
    }).catch(function () { location.reload(); });
  }

  function apply(status) {
    last = status;
    if (status.errors && status.errors.length) { showErrors(status); } else { hideErrors(); }
    if (page === null) { page = status.build; return; }
    if (status.build === page) { return; }
    var shown = page.split(':');
    var now = status.build.split(':');
    var generation = Number(shown[1]);
    if (shown[0] === now[0] && generation > 0 && generation >= status.full_since) {
      swapStyles(status);
    } else {
      location.reload();
    }
  }

  // One tab per browser holds the event stream and passes each status on to the others, so
  // many open tabs do not use up the browser's few connections per server.
  var channel = 'BroadcastChannel' in window ? new BroadcastChannel('integridad-reload') : null;
  var leader = false;

  function connect() {
    var source = new EventSource('/__integridad/events');
    source.onmessage = function (event) {
      var status;
      try { status = JSON.parse(event.data); } catch (e) { return; }
      if (channel) { channel.postMessage({ status: status }); }
      apply(status);
    };
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED) { setTimeout(connect, 1000); }
    };
  }

  if (channel && navigator.locks && navigator.locks.request) {
    channel.onmessage = function (event) {
      if (event.data && event.data.status) {
        apply(event.data.status);
      } else if (event.data === 'hello' && leader && last) {
        channel.postMessage({ status: last });
      }
    };
    navigator.locks.request('integridad-reload', function () {
      leader = true;
      connect();
      return new Promise(function () {});
    });
    channel.postMessage('hello');
  } else {
    connect();
  }
}());

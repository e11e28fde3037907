/**
 * The pages' only script (vanilla, no build step). It sends changes to the JSON API with the
 * session's CSRF token and shows the API's answer: on a 400, every problem next to its field
 * (`details[].path` such as `submission.outputIndicators[0].target` → the input whose
 * `data-path` is `outputIndicators[0].target`, else its nearest enclosing row or group) and all
 * of them in a summary at the top of the form.
 */
export const appJs = String.raw`
(function () {
  'use strict';
  var M = {};
  try { M = JSON.parse(document.getElementById('i18n').textContent || '{}'); } catch (e) { M = {}; }
  var LANG = document.documentElement.lang === 'en' ? 'en' : 'zh';

  function tr(key, params) {
    var s = M[key] || key;
    if (params) Object.keys(params).forEach(function (k) { s = s.split('{' + k + '}').join(String(params[k])); });
    return s;
  }
  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute('content') || '' : '';
  }

  /** Calls the API; always resolves to { ok, status, data }. */
  function api(method, url, body) {
    var headers = { 'x-csrf-token': csrf(), accept: 'application/json' };
    var init = { method: method, headers: headers, credentials: 'same-origin' };
    if (method !== 'GET') { headers['content-type'] = 'application/json'; init.body = JSON.stringify(body === undefined ? {} : body); }
    return fetch(url, init).then(function (r) {
      var type = r.headers.get('content-type') || '';
      var read = type.indexOf('application/json') === 0
        ? r.json()
        : r.text().then(function (text) { return r.ok ? { html: text } : { message: text, messageZh: text, details: [] }; });
      return read.then(function (data) { return { ok: r.ok, status: r.status, data: data }; });
    }, function () {
      return { ok: false, status: 0, data: { message: tr('network'), messageZh: tr('network'), details: [] } };
    });
  }

  // ── Errors next to their fields ────────────────────────────────────────────────────────────
  function normalisePath(path) {
    var p = String(path || '');
    p = p.replace(/^(body|submission|querystring|params)(\.|$)/, '');
    p = p.replace(/\.(\d+)(?=\.|\[|$)/g, '[$1]');
    return p;
  }
  function parentPath(p) {
    var m = /^(.*?)(\[\d+\]|\.[^.\[]+)$/.exec(p);
    return m ? m[1] : '';
  }
  /** Rows left out because they were blank: the sent index → the row on the page. */
  function remapIndex(form, p) {
    var maps = form._indexMaps;
    if (!maps) return p;
    return p.replace(/^(\w+)\[(\d+)\]/, function (all, list, i) {
      var map = maps[list];
      return map && map[Number(i)] !== undefined ? list + '[' + map[Number(i)] + ']' : all;
    });
  }
  function findField(form, path) {
    var p = path;
    while (p) {
      var el = form.querySelector('[data-path="' + CSS.escape(p) + '"]') || form.querySelector('[name="' + CSS.escape(p) + '"]');
      if (el) return el;
      p = parentPath(p);
    }
    return null;
  }
  function labelOf(form, el) {
    var text = '';
    if (el.matches('fieldset')) { var legend = el.querySelector('legend'); return legend ? legend.textContent.trim() : ''; }
    if (el.hasAttribute('data-row')) return el.getAttribute('data-label') || '';
    var label = el.id ? form.querySelector('label[for="' + CSS.escape(el.id) + '"]') : null;
    if (label) text = label.textContent.trim();
    var row = el.closest('[data-row]');
    if (row && row.getAttribute('data-label')) text = row.getAttribute('data-label') + ' · ' + text;
    return text;
  }
  function clearErrors(form) {
    form.querySelectorAll('.field-error').forEach(function (e) { e.remove(); });
    form.querySelectorAll('[aria-invalid]').forEach(function (e) {
      e.removeAttribute('aria-invalid');
      var d = (e.getAttribute('aria-describedby') || '').split(' ').filter(function (x) { return x && x.indexOf('err-') !== 0; }).join(' ');
      if (d) e.setAttribute('aria-describedby', d); else e.removeAttribute('aria-describedby');
    });
    var box = form.querySelector('.form-errors');
    if (box) { box.hidden = true; box.innerHTML = ''; }
  }
  function flatten(details) {
    var out = [];
    (details || []).forEach(function (d) { if (Array.isArray(d)) out = out.concat(flatten(d)); else if (d && typeof d === 'object') out.push(d); });
    return out;
  }
  function showErrors(form, data) {
    clearErrors(form);
    var box = form.querySelector('.form-errors');
    var details = flatten(data && data.details);
    var message = (LANG === 'en' ? data && data.message : (data && (data.messageZh || data.message))) || tr('network');
    var list = document.createElement('ul');
    details.forEach(function (d, i) {
      var text = LANG === 'en' ? (d.en || d.zh) : (d.zh || d.en);
      var el = findField(form, remapIndex(form, normalisePath(d.path)));
      var li = document.createElement('li');
      if (el) {
        var err = document.createElement('p');
        err.className = 'field-error';
        err.id = 'err-' + i + '-' + (el.id || 'x');
        err.textContent = text;
        if (el.matches('fieldset') || el.hasAttribute('data-row')) {
          var head = el.querySelector(':scope > legend, :scope > .row-head');
          if (head) head.insertAdjacentElement('afterend', err); else el.insertBefore(err, el.firstChild);
        } else {
          (el.closest('.field') || el.parentElement).appendChild(err);
        }
        el.setAttribute('aria-invalid', 'true');
        el.setAttribute('aria-describedby', ((el.getAttribute('aria-describedby') || '') + ' ' + err.id).trim());
        var target = el.id ? el : el.querySelector('input, textarea, select');
        var a = document.createElement('a');
        a.textContent = (labelOf(form, el) ? labelOf(form, el) + '：' : '') + text;
        if (target && target.id) {
          a.href = '#' + target.id;
          a.addEventListener('click', function (ev) { ev.preventDefault(); target.focus(); target.scrollIntoView({ block: 'center' }); });
        }
        li.appendChild(a);
      } else {
        li.textContent = (d.path && d.path !== 'body' ? d.path + '：' : '') + text;
      }
      list.appendChild(li);
    });
    if (!box) { window.alert(message); return; }
    var strong = document.createElement('strong');
    strong.textContent = message;
    box.appendChild(strong);
    if (details.length) {
      var p = document.createElement('p');
      p.className = 'small';
      p.style.margin = '4px 0 0';
      p.textContent = tr('problems', { n: details.length });
      box.appendChild(p);
      box.appendChild(list);
    }
    box.hidden = false;
    box.setAttribute('tabindex', '-1');
    box.focus();
    box.scrollIntoView({ block: 'start', behavior: 'auto' });
  }

  function busy(form, on) {
    form.querySelectorAll('button, input[type=submit]').forEach(function (b) { b.disabled = on; });
    form.setAttribute('aria-busy', on ? 'true' : 'false');
  }
  function status(form, text) {
    var s = form.querySelector('.form-status');
    if (s) s.textContent = text;
  }
  function nextUrl(form) {
    var next = new URLSearchParams(location.search).get('next');
    if (next && next.charAt(0) === '/' && next.charAt(1) !== '/') return next;
    return form.getAttribute('data-next') || '/';
  }
  function after(form) {
    var then = form.getAttribute('data-then') || 'reload';
    if (then === 'go') location.assign(nextUrl(form));
    else location.reload();
  }

  // ── Plain forms: <form data-api="METHOD /api/..."> ─────────────────────────────────────────
  function collectPlain(form) {
    var body = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.name === '_csrf' || el.type === 'file' || el.type === 'submit' || el.type === 'button') return;
      var v = el.value.trim();
      if (v === '' && !el.hasAttribute('data-keep-empty')) return;
      body[el.name] = el.getAttribute('data-type') === 'number' ? Number(v) : v;
    });
    return body;
  }
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.hasAttribute('data-api')) {
      ev.preventDefault();
      var spec = form.getAttribute('data-api').split(' ');
      busy(form, true);
      status(form, tr('working'));
      api(spec[0], spec[1], collectPlain(form)).then(function (r) {
        busy(form, false);
        status(form, '');
        if (r.ok) after(form); else showErrors(form, r.data);
      });
    } else if (form.hasAttribute('data-import')) {
      ev.preventDefault();
      var input = form.querySelector('input[type=file]');
      var file = input && input.files && input.files[0];
      if (!file) { showErrors(form, { message: tr('chooseFile'), messageZh: tr('chooseFile'), details: [] }); return; }
      busy(form, true);
      status(form, tr('working'));
      var reader = new FileReader();
      reader.onload = function () {
        var url = String(reader.result || '');
        var base64 = url.slice(url.indexOf(',') + 1);
        api('POST', form.getAttribute('data-import'), { fileName: file.name, contentBase64: base64 }).then(function (r) {
          busy(form, false);
          if (r.ok) { clearErrors(form); status(form, tr('imported', { status: tr('importStatus.' + r.data.status) })); setTimeout(function () { location.reload(); }, 600); }
          else { status(form, ''); showErrors(form, r.data); }
        });
      };
      reader.readAsDataURL(file);
    }
  });

  // ── The section form ───────────────────────────────────────────────────────────────────────
  var LISTS = ['achievements', 'outputIndicators', 'problems', 'nextSteps'];
  function rowsOf(list) { return Array.prototype.slice.call(list.querySelectorAll(':scope > .rows > [data-row]')); }
  function reindex(form) {
    form.querySelectorAll('[data-list]').forEach(function (list) {
      var name = list.getAttribute('data-list');
      rowsOf(list).forEach(function (row, i) {
        var label = list.getAttribute('data-item-label') + ' ' + tr('row', { n: i + 1 });
        row.setAttribute('data-path', name + '[' + i + ']');
        row.setAttribute('data-label', label);
        var title = row.querySelector('.row-title');
        if (title) title.textContent = label;
        row.querySelectorAll('[data-field]').forEach(function (el) {
          var path = name + '[' + i + '].' + el.getAttribute('data-field');
          var id = 'f-' + path.replace(/[^A-Za-z0-9]+/g, '-');
          var lab = el.id ? row.querySelector('label[for="' + CSS.escape(el.id) + '"]') : null;
          el.setAttribute('data-path', path);
          el.id = id;
          if (lab) lab.setAttribute('for', id);
        });
      });
    });
  }
  function value(row, field) {
    var el = row.querySelector('[data-field="' + field + '"]');
    return el ? el.value.trim() : '';
  }
  function collectSection(form) {
    var body = { section: form.getAttribute('data-section') };
    var maps = {};
    LISTS.forEach(function (name) {
      var list = form.querySelector('[data-list="' + name + '"]');
      body[name] = [];
      maps[name] = [];
      if (!list) return;
      rowsOf(list).forEach(function (row, i) {
        var blank = true;
        row.querySelectorAll('[data-field]').forEach(function (el) { if (el.tagName !== 'SELECT' && el.value.trim() !== '') blank = false; });
        if (blank) return;
        maps[name].push(i);
        if (name === 'achievements') {
          body[name].push({ title: value(row, 'title'), paragraphs: value(row, 'paragraphs').split(/\r?\n/).map(function (s) { return s.trim(); }).filter(Boolean) });
        } else if (name === 'outputIndicators') {
          var ind = { name: value(row, 'name'), unit: value(row, 'unit'), direction: value(row, 'direction'), target: value(row, 'target'), actual: value(row, 'actual') };
          if (value(row, 'note')) ind.note = value(row, 'note');
          body[name].push(ind);
        } else {
          var point = { title: value(row, 'title') };
          if (value(row, 'detail')) point.detail = value(row, 'detail');
          body[name].push(point);
        }
      });
    });
    form._indexMaps = maps;
    return body;
  }
  var sectionForm = document.getElementById('section-form');
  if (sectionForm) {
    reindex(sectionForm);
    sectionForm.addEventListener('click', function (ev) {
      var button = ev.target.closest('button');
      if (!button || !sectionForm.contains(button)) return;
      if (button.hasAttribute('data-add')) {
        var list = button.closest('[data-list]');
        var template = list.querySelector('template');
        var row = template.content.firstElementChild.cloneNode(true);
        list.querySelector(':scope > .rows').appendChild(row);
        reindex(sectionForm);
        var first = row.querySelector('input, textarea');
        if (first) first.focus();
      } else if (button.hasAttribute('data-remove')) {
        button.closest('[data-row]').remove();
        reindex(sectionForm);
      }
    });
    sectionForm.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var action = ev.submitter && ev.submitter.getAttribute('data-action') || 'submit';
      var body = collectSection(sectionForm);
      var task = sectionForm.getAttribute('data-task');
      var request = action === 'draft' ? api('PUT', '/api/tasks/' + task + '/draft', body)
        : action === 'preview' ? api('POST', '/tasks/' + task + '/score-preview', body)
        : api('POST', '/api/tasks/' + task + '/submit', body);
      busy(sectionForm, true);
      status(sectionForm, tr('working'));
      request.then(function (r) {
        busy(sectionForm, false);
        status(sectionForm, '');
        if (!r.ok) { showErrors(sectionForm, r.data); return; }
        clearErrors(sectionForm);
        if (action === 'draft') {
          var now = new Date();
          status(sectionForm, tr('saved', { time: ('0' + now.getHours()).slice(-2) + ':' + ('0' + now.getMinutes()).slice(-2) }));
        } else if (action === 'preview') {
          var panel = document.getElementById('score-preview');
          panel.innerHTML = r.data.html;
          panel.hidden = false;
          panel.scrollIntoView({ block: 'start' });
        } else {
          location.reload();
        }
      });
    });
  }

  // ── Pages that wait for the workflow: refresh until it moves on ───────────────────────────
  var refresh = document.body.getAttribute('data-autorefresh');
  if (refresh) setTimeout(function () { location.reload(); }, Number(refresh));
})();
`;

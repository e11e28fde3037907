/**
 * The pages' only script (vanilla, no build step). It sends changes to the JSON API with the
 * session's CSRF token and shows the API's answer: on a 400, every problem next to its field
 * (`details[].path` such as `submission.outputIndicators[0].target` → the input whose
 * `data-path` is `outputIndicators[0].target`, else its nearest enclosing row or group) and all
 * of them in a summary at the top of the form. Rows and blocks left out of a request because they
 * were blank are mapped back (`form._indexMaps`: the sent index → the place on the page).
 *
 * Forms: plain API forms (`data-api`), the ledger import, the section form (with its output
 * indicators' category and 重点工作 and the indicators the section assesses), the finance
 * officer's self-assessment (live score preview as the person types), evidence uploads (read in
 * the browser, sent as base64, attachable to an entry at once), the 基础数据表 (amounts typed in
 * 元, sent with their unit), and rule-set files (checked or added, each problem drawn under the
 * line it names in a line-numbered view of the text; the dashboard's preview under a rule set).
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
    return p.replace(/^([\w.]+)\[(\d+)\]/, function (all, list, i) {
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
    else if (el.getAttribute('aria-label')) text = el.getAttribute('aria-label');
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
  function pathValue(obj, path) {
    return path.split('.').reduce(function (o, k) { return o && typeof o === 'object' ? o[k] : undefined; }, obj);
  }
  /** After a success: go on, reload, or (data-then="show") show the link the API answered, once. */
  function after(form, data) {
    var then = form.getAttribute('data-then') || 'reload';
    if (then === 'go') { location.assign(nextUrl(form)); return; }
    if (then === 'show') {
      var value = pathValue(data || {}, form.getAttribute('data-show') || '');
      var box = form.querySelector('.form-result');
      if (typeof value === 'string' && box) {
        clearErrors(form);
        box.querySelector('label').textContent = tr(form.getAttribute('data-show') === 'link' ? 'resetLinkLabel' : 'setPasswordLabel');
        var input = box.querySelector('[data-result-value]');
        input.value = value;
        box.querySelector('[data-result-note]').textContent = tr('linkNote');
        box.hidden = false;
        input.focus();
        input.select();
        return;
      }
    }
    location.reload();
  }
  /** A field that repeats another (a new password typed twice) must match it before anything is sent. */
  function confirmProblems(form) {
    var details = [];
    form.querySelectorAll('[data-confirms]').forEach(function (el) {
      var other = form.querySelector('[name="' + CSS.escape(el.getAttribute('data-confirms')) + '"]');
      if (other && other.value !== el.value) {
        var text = el.getAttribute('data-mismatch') || '';
        details.push({ path: el.getAttribute('data-path') || '', zh: text, en: text });
      }
    });
    return details.length ? { message: details[0].zh, messageZh: details[0].zh, details: details } : null;
  }

  // ── Plain forms: <form data-api="METHOD /api/..."> ─────────────────────────────────────────
  /** 元 typed as text → integer 分 by string arithmetic ("1,234.5" → 123450); anything else is sent as typed, for the API to refuse. */
  function yuanToFen(v) {
    var t = v.replace(/[,，\s元]/g, '');
    var m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(t);
    return m ? Number(m[1]) * 100 + Number(((m[2] || '') + '00').slice(0, 2)) : v;
  }
  /** A percentage typed as "95", "95%" or "95.5" → basis points; anything else as typed. */
  function percentToBp(v) {
    var t = v.replace(/[%％\s]/g, '');
    var m = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(t);
    return m ? Number(m[1]) * 100 + Number(((m[2] || '') + '00').slice(0, 2)) : v;
  }
  function typed(el, v) {
    var type = el.getAttribute('data-type');
    if (type === 'number') return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
    if (type === 'boolean') return v === 'true';
    if (type === 'fen') return yuanToFen(v);
    if (type === 'bp') return percentToBp(v);
    return v;
  }
  /** A row field's value: data-type="target" is "section:code" or "indicator:id" → { section } or { indicator }. */
  function putField(obj, el, v) {
    if (el.getAttribute('data-type') === 'target') {
      var at = v.indexOf(':');
      if (at > 0) { obj[v.slice(0, at)] = v.slice(at + 1); return; }
    }
    obj[el.getAttribute('data-field')] = typed(el, v);
  }
  function collectPlain(form) {
    var body = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.name === '_csrf' || el.type === 'file' || el.type === 'submit' || el.type === 'button') return;
      if (el.type === 'radio' && !el.checked) return;
      // Checkboxes sharing a name with data-array: the checked ones' values, as a list.
      if (el.type === 'checkbox' && el.hasAttribute('data-array')) { body[el.name] = body[el.name] || []; if (el.checked) body[el.name].push(el.value); return; }
      if (el.type === 'checkbox') { body[el.name] = el.checked; return; }
      var v = el.value.trim();
      if (v === '' && !el.hasAttribute('data-keep-empty')) return;
      body[el.name] = typed(el, v);
    });
    // Lists of rows (a review's comments, adjustments): rows left blank are left out.
    var maps = null;
    form.querySelectorAll('[data-list]').forEach(function (list) {
      var name = list.getAttribute('data-list');
      maps = maps || {};
      maps[name] = [];
      body[name] = [];
      rowsOf(list).forEach(function (row, i) {
        var item = {};
        var typedAny = false;
        row.querySelectorAll('[data-field]').forEach(function (el) {
          var v = el.value.trim();
          if (v === '') return;
          if (el.tagName !== 'SELECT') typedAny = true;
          putField(item, el, v);
        });
        if (!typedAny) return;
        maps[name].push(i);
        body[name].push(item);
      });
    });
    form._indexMaps = maps;
    return body;
  }
  document.querySelectorAll('form[data-api]').forEach(function (f) { if (f.querySelector('[data-list]')) wireLists(f); });

  // A score typed on the O&M assessment form proposes the contract's coefficient and result.
  document.addEventListener('input', function (ev) {
    var el = ev.target;
    if (!(el instanceof HTMLInputElement) || !el.hasAttribute('data-om-scoring')) return;
    var form = el.form;
    var table;
    try { table = JSON.parse(el.getAttribute('data-om-scoring')); } catch (e) { return; }
    var score = Number(el.value);
    if (el.value.trim() === '' || !isFinite(score)) return;
    var bands = (table.bands || []).slice().sort(function (a, b) { return b.minScore - a.minScore; });
    var band = null;
    for (var i = 0; i < bands.length; i++) if (score >= bands[i].minScore) { band = bands[i]; break; }
    var coefficient = form.querySelector('[name="coefficientBp"]');
    if (coefficient) coefficient.value = band ? (band.coefficientBp / 100) + '%' : '';
    if (typeof table.passScore === 'number') {
      var pass = form.querySelector('[name="passed"][value="' + (score >= table.passScore ? 'true' : 'false') + '"]');
      if (pass) pass.checked = true;
    }
  });
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.hasAttribute('data-api')) {
      ev.preventDefault();
      var spec = form.getAttribute('data-api').split(' ');
      var mismatch = confirmProblems(form);
      if (mismatch) { showErrors(form, mismatch); return; }
      if (form.hasAttribute('data-confirm') && !window.confirm(form.getAttribute('data-confirm'))) return;
      busy(form, true);
      status(form, tr('working'));
      api(spec[0], spec[1], collectPlain(form)).then(function (r) {
        busy(form, false);
        status(form, '');
        if (r.ok) after(form, r.data); else showErrors(form, r.data);
      });
    } else if (form.hasAttribute('data-evidence-upload')) {
      ev.preventDefault();
      var fileInput = form.querySelector('input[type=file]');
      var chosen = fileInput && fileInput.files && fileInput.files[0];
      if (!chosen) { showErrors(form, { message: tr('chooseFile'), messageZh: tr('chooseFile'), details: [{ path: 'body.fileName', zh: tr('chooseFile'), en: tr('chooseFile') }] }); return; }
      busy(form, true);
      status(form, tr('working'));
      uploadEvidence(form.getAttribute('data-evidence-upload'), chosen, form.getAttribute('data-section')).then(function (r) {
        busy(form, false);
        status(form, '');
        if (!r.ok) { showErrors(form, r.data); return; }
        clearErrors(form);
        addEvidence(r.data.evidence, form.getAttribute('data-evidence-upload'));
        status(form, tr('uploaded', { name: r.data.evidence.fileName }));
        fileInput.value = '';
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

  function hhmm() {
    var now = new Date();
    return ('0' + now.getHours()).slice(-2) + ':' + ('0' + now.getMinutes()).slice(-2);
  }

  // ── Lists of rows (the section form, the 基础数据表): add, remove, renumber ─────────────────
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
  function wireLists(form) {
    reindex(form);
    form.addEventListener('click', function (ev) {
      var button = ev.target.closest('button');
      if (!button || !form.contains(button)) return;
      if (button.hasAttribute('data-add')) {
        var list = button.closest('[data-list]');
        var template = list.querySelector('template');
        var row = template.content.firstElementChild.cloneNode(true);
        list.querySelector(':scope > .rows').appendChild(row);
        reindex(form);
        var first = row.querySelector('input, textarea');
        if (first) first.focus();
      } else if (button.hasAttribute('data-remove')) {
        button.closest('[data-row]').remove();
        reindex(form);
      }
    });
  }
  function value(row, field) {
    var el = row.querySelector('[data-field="' + field + '"]');
    return el ? el.value.trim() : '';
  }
  function checked(row, field) {
    var el = row.querySelector('[data-field="' + field + '"]');
    return !!(el && el.checked);
  }

  // ── Evidence files: read in the browser, sent as base64, offered to every entry ────────────
  var MAX_EVIDENCE = 10 * 1024 * 1024;
  function readBase64(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { var url = String(reader.result || ''); resolve(url.slice(url.indexOf(',') + 1)); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(file);
    });
  }
  function uploadEvidence(url, file, section) {
    if (file.size > MAX_EVIDENCE) {
      return Promise.resolve({ ok: false, status: 0, data: { message: tr('tooLarge'), messageZh: tr('tooLarge'), details: [{ path: 'body.contentBase64', zh: tr('tooLarge'), en: tr('tooLarge') }] } });
    }
    return readBase64(file).then(function (base64) {
      var body = { fileName: file.name, contentBase64: base64 };
      if (section) body.section = section;
      return api('POST', url, body);
    }, function () {
      return { ok: false, status: 0, data: { message: tr('chooseFile'), messageZh: tr('chooseFile'), details: [] } };
    });
  }
  function sizeText(bytes) {
    if (bytes < 1024) return bytes + ' B';
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + ' KB';
    return (bytes / 1024 / 1024).toFixed(1) + ' MB';
  }
  /** A new file in the evidence list and among every entry's choices (each only once). */
  function addEvidence(item, url) {
    var href = url + '/' + item.id;
    var list = document.querySelector('[data-evidence-list]');
    if (list && !list.querySelector('[data-evidence-id="' + item.id + '"]')) {
      var li = document.createElement('li');
      li.setAttribute('data-evidence-id', String(item.id));
      var a = document.createElement('a');
      a.href = href; a.setAttribute('download', ''); a.textContent = item.fileName;
      var size = document.createElement('span');
      size.className = 'muted small'; size.textContent = ' ' + sizeText(item.sizeBytes);
      li.appendChild(a); li.appendChild(size);
      list.appendChild(li);
    }
    document.querySelectorAll('.evidence-empty').forEach(function (e) { e.hidden = true; });
    document.querySelectorAll('[data-evidence-choices]').forEach(function (box) {
      if (box.querySelector('[data-evidence][value="' + item.id + '"]')) return;
      var span = document.createElement('span');
      span.className = 'ev-choice';
      var label = document.createElement('label');
      label.className = 'check';
      var input = document.createElement('input');
      input.type = 'checkbox'; input.value = String(item.id); input.setAttribute('data-evidence', '');
      label.appendChild(input);
      label.appendChild(document.createTextNode(' ' + item.fileName));
      var link = document.createElement('a');
      link.className = 'small'; link.href = href; link.setAttribute('download', ''); link.textContent = tr('download');
      span.appendChild(label); span.appendChild(document.createTextNode(' ')); span.appendChild(link);
      box.appendChild(span);
      var none = box.parentElement.querySelector('.evidence-none');
      if (none) none.hidden = true;
    });
  }

  // ── Self-assessment blocks (the finance officer's page, a section's task) ──────────────────
  function numberOrText(s) { return /^\d+$/.test(s) ? Number(s) : s; }
  /** The entries of the blocks that hold something; maps[list] gets each sent entry's block. */
  function assessmentEntries(root, list, maps) {
    var out = [];
    maps[list] = [];
    root.querySelectorAll('[data-assess]').forEach(function (block, k) {
      var e = { indicator: block.getAttribute('data-indicator') };
      var kind = block.getAttribute('data-kind');
      var filled = false;
      if (checked(block, 'notApplicable')) {
        e.notApplicable = true;
        filled = true;
      } else if (kind === 'tiers') {
        var tier = block.querySelector('[data-field="tier"]:checked');
        if (tier) { e.tier = tier.value; filled = true; }
        var points = value(block, 'points');
        if (points) { e.points = points; filled = true; }
      } else if (kind === 'survey') {
        var sample = value(block, 'survey.sample');
        var satisfied = value(block, 'survey.satisfied');
        var method = value(block, 'survey.method');
        if (sample || satisfied || method) {
          e.survey = {};
          if (sample) e.survey.sample = numberOrText(sample);
          if (satisfied) e.survey.satisfied = numberOrText(satisfied);
          if (method) e.survey.method = method;
          filled = true;
        }
      }
      var reason = value(block, 'reason');
      if (reason) { e.reason = reason; filled = true; }
      e.evidence = [];
      block.querySelectorAll('[data-evidence]:checked').forEach(function (c) { e.evidence.push(Number(c.value)); filled = true; });
      if (!filled) return;
      maps[list].push(k);
      out.push(e);
    });
    return out;
  }
  // 不适用 hides the block's score fields (they are not sent).
  document.addEventListener('change', function (ev) {
    var el = ev.target;
    if (!(el instanceof HTMLElement)) return;
    if (el.matches('[data-assess] [data-field="notApplicable"]')) el.closest('[data-assess]').classList.toggle('is-na', el.checked);
    if (el.matches('[data-assess] input[data-upload]')) uploadForBlock(el);
  });
  /** A file chosen in a block: uploaded, offered everywhere, and attached to this entry. */
  function uploadForBlock(input) {
    var file = input.files && input.files[0];
    var form = input.closest('form');
    var block = input.closest('[data-assess]');
    var url = form && form.getAttribute('data-evidence-url');
    if (!file || !url) return;
    status(form, tr('working'));
    uploadEvidence(url, file, form.getAttribute('data-section')).then(function (r) {
      input.value = '';
      status(form, '');
      if (!r.ok) {
        var at = block.getAttribute('data-path') + '.evidence';
        form._indexMaps = null;
        showErrors(form, { message: r.data.message, messageZh: r.data.messageZh, details: flatten(r.data.details).map(function (d) { return { path: at, zh: d.zh, en: d.en }; }) });
        return;
      }
      clearErrors(form);
      addEvidence(r.data.evidence, url);
      var box = block.querySelector('[data-evidence][value="' + r.data.evidence.id + '"]');
      if (box) box.checked = true;
      status(form, tr('uploaded', { name: r.data.evidence.fileName }));
      form.dispatchEvent(new Event('change', { bubbles: true }));
    });
  }

  // ── The section form ───────────────────────────────────────────────────────────────────────
  var LISTS = ['achievements', 'outputIndicators', 'problems', 'nextSteps'];
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
        row.querySelectorAll('[data-field]').forEach(function (el) {
          if (el.type === 'checkbox') { if (el.checked) blank = false; }
          else if (el.tagName !== 'SELECT' && el.value.trim() !== '') blank = false;
        });
        if (blank) return;
        maps[name].push(i);
        if (name === 'achievements') {
          body[name].push({ title: value(row, 'title'), paragraphs: value(row, 'paragraphs').split(/\r?\n/).map(function (s) { return s.trim(); }).filter(Boolean) });
        } else if (name === 'outputIndicators') {
          var ind = { name: value(row, 'name'), unit: value(row, 'unit'), direction: value(row, 'direction'), target: value(row, 'target'), actual: value(row, 'actual'), category: value(row, 'category') || 'quantity', key: checked(row, 'key') };
          if (value(row, 'note')) ind.note = value(row, 'note');
          body[name].push(ind);
        } else {
          var point = { title: value(row, 'title') };
          if (value(row, 'detail')) point.detail = value(row, 'detail');
          body[name].push(point);
        }
      });
    });
    if (form.querySelector('[data-assessment="selfAssessments"]')) body.selfAssessments = assessmentEntries(form, 'selfAssessments', maps);
    form._indexMaps = maps;
    return body;
  }
  var sectionForm = document.getElementById('section-form');
  if (sectionForm) {
    wireLists(sectionForm);
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
          status(sectionForm, tr('saved', { time: hhmm() }));
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

  // ── The finance officer's self-assessment: live preview, draft / submit / save ─────────────
  var assessForm = document.getElementById('assessment-form');
  if (assessForm) {
    var previewSeq = 0;
    var previewTimer = null;
    var runPreview = function () {
      var entries = assessmentEntries(assessForm, 'entries', {});
      var mine = ++previewSeq;
      assessForm.setAttribute('data-previewing', 'true');
      api('POST', assessForm.getAttribute('data-preview'), { entries: entries }).then(function (r) {
        if (mine !== previewSeq) return;
        assessForm.removeAttribute('data-previewing');
        if (!r.ok || !r.data || typeof r.data.html !== 'string') return;
        var panel = document.getElementById('score-preview');
        panel.innerHTML = r.data.html;
        panel.setAttribute('data-preview-seq', String(mine));
      });
    };
    var schedulePreview = function () {
      clearTimeout(previewTimer);
      previewTimer = setTimeout(runPreview, 350);
    };
    assessForm.addEventListener('input', schedulePreview);
    assessForm.addEventListener('change', schedulePreview);
    runPreview();
    assessForm.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var action = ev.submitter && ev.submitter.getAttribute('data-action') || 'save';
      var maps = {};
      var body = { entries: assessmentEntries(assessForm, 'entries', maps) };
      assessForm._indexMaps = maps;
      var task = assessForm.getAttribute('data-task');
      var request = action === 'draft' ? api('PUT', '/api/tasks/' + task + '/draft', body)
        : action === 'submit' ? api('POST', '/api/tasks/' + task + '/submit', body)
        : api('PUT', assessForm.getAttribute('data-save'), body);
      busy(assessForm, true);
      status(assessForm, tr('working'));
      request.then(function (r) {
        busy(assessForm, false);
        status(assessForm, '');
        if (!r.ok) { showErrors(assessForm, r.data); return; }
        clearErrors(assessForm);
        if (action === 'submit') { location.reload(); return; }
        status(assessForm, action === 'draft' ? tr('saved', { time: hhmm() }) : tr('savedAt', { time: hhmm() }));
        runPreview();
      });
    });
  }

  // ── The 基础数据表 ─────────────────────────────────────────────────────────────────────────
  /** A cell as the API takes it: amounts with their unit (元), rates with %, counts as numbers. */
  function cellValue(el) {
    var kind = el.getAttribute('data-kind');
    var v = el.value.trim();
    if (v === '') return undefined;
    if (kind === 'money') { v = v.replace(/[,，\s]/g, ''); return /元$/.test(v) ? v : v + '元'; }
    if (kind === 'count') return /^\d+$/.test(v) ? Number(v) : v;
    if (kind === 'percent') { v = v.replace(/\s/g, ''); return /[%％]$/.test(v) ? v : v + '%'; }
    return v;
  }
  function setPath(obj, path, v) {
    var parts = path.replace(/\[(\d+)\]/g, '.$1').split('.');
    var o = obj;
    for (var i = 0; i < parts.length - 1; i++) {
      if (o[parts[i]] === undefined) o[parts[i]] = /^\d+$/.test(parts[i + 1]) ? [] : {};
      o = o[parts[i]];
    }
    o[parts[parts.length - 1]] = v;
  }
  function collectBasicData(form) {
    var body = { projects: [], buildings: [], budget: { bySource: [] } };
    form.querySelectorAll('[data-bd]').forEach(function (el) {
      var v = cellValue(el);
      if (v !== undefined) setPath(body, el.getAttribute('data-path'), v);
    });
    var maps = {};
    form.querySelectorAll('[data-list]').forEach(function (list) {
      var name = list.getAttribute('data-list');
      var items = [];
      maps[name] = [];
      rowsOf(list).forEach(function (row, i) {
        var item = {};
        var blank = true;
        row.querySelectorAll('[data-field]').forEach(function (el) {
          var v = cellValue(el);
          if (v === undefined) return;
          item[el.getAttribute('data-field')] = v;
          if (el.tagName !== 'SELECT') blank = false;
        });
        if (blank) return;
        maps[name].push(i);
        items.push(item);
      });
      setPath(body, name, items);
    });
    form._indexMaps = maps;
    return body;
  }
  /** The findings the table gives rise to, after a save (the page renders the same on load). */
  function renderFindings(findings) {
    var box = document.querySelector('#bd-findings [data-findings]');
    var mine = (findings || []).filter(function (f) { return (f.items || []).some(function (i) { return i.kind === 'basic_data'; }); });
    if (!box) return mine.length;
    box.innerHTML = '';
    if (!mine.length) {
      var p = document.createElement('p');
      p.className = 'muted';
      p.textContent = tr('noFindings');
      box.appendChild(p);
      return 0;
    }
    var ul = document.createElement('ul');
    ul.className = 'plain';
    mine.forEach(function (f) {
      var li = document.createElement('li');
      li.setAttribute('data-finding', f.code);
      if (f.blocking) {
        var chip = document.createElement('span');
        chip.className = 'chip chip-blocking';
        chip.textContent = tr('blocking');
        li.appendChild(chip);
        li.appendChild(document.createTextNode(' '));
      }
      li.appendChild(document.createTextNode(LANG === 'en' ? (f.en || f.zh) : f.zh));
      ul.appendChild(li);
    });
    box.appendChild(ul);
    return mine.length;
  }
  function amountOf(el) {
    if (!el) return NaN;
    var v = el.value.replace(/[,，\s元㎡]/g, '');
    return v === '' ? NaN : Number(v);
  }
  var bdForm = document.getElementById('basic-data-form');
  if (bdForm) {
    wireLists(bdForm);
    bdForm.addEventListener('input', function (ev) {
      var row = ev.target.closest && ev.target.closest('[data-list="buildings"] [data-row]');
      if (!row) return;
      var ratio = function (num, den) { var n = amountOf(row.querySelector('[data-field="' + num + '"]')); var d = amountOf(row.querySelector('[data-field="' + den + '"]')); return isFinite(n) && isFinite(d) && d > 0 ? (n / d * 100).toFixed(2) + '%' : ''; };
      row.querySelector('[data-ratio="area"]').textContent = ratio('actualArea', 'approvedArea');
      row.querySelector('[data-ratio="investment"]').textContent = ratio('actualInvestment', 'budgetInvestment');
    });
    bdForm.addEventListener('change', function (ev) {
      // Choosing a ledger project names the row after it when the name is still blank.
      var select = ev.target;
      if (!(select instanceof HTMLSelectElement) || select.getAttribute('data-field') !== 'project' || !select.value) return;
      var name = select.closest('[data-row]').querySelector('[data-field="name"]');
      if (name && !name.value.trim()) name.value = select.options[select.selectedIndex].textContent.trim();
    });
    bdForm.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var body = collectBasicData(bdForm);
      busy(bdForm, true);
      status(bdForm, tr('working'));
      api('PUT', bdForm.getAttribute('data-save'), body).then(function (r) {
        busy(bdForm, false);
        status(bdForm, '');
        if (!r.ok) { showErrors(bdForm, r.data); return; }
        clearErrors(bdForm);
        var n = renderFindings(r.data.findings);
        status(bdForm, n ? tr('savedFindings', { time: hhmm(), n: n }) : tr('savedAt', { time: hhmm() }));
      });
    });
  }

  // ── Rule-set files: every problem under the line it names ──────────────────────────────────
  /** Character offsets where each line starts (lines end at \n, as the YAML reader counts them). */
  function lineStarts(text) {
    var starts = [0];
    for (var i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
    return starts;
  }
  /** Selects line n of the text box and scrolls it into sight: the place to fix. */
  function selectLine(textarea, n) {
    var text = textarea.value;
    var starts = lineStarts(text);
    var from = starts[n - 1];
    if (from === undefined) return;
    var to = n < starts.length ? starts[n] - 1 : text.length;
    textarea.focus();
    textarea.setSelectionRange(from, to);
    var lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 20;
    textarea.scrollTop = Math.max(0, (n - 3) * lineHeight);
  }
  function problemText(p) {
    var text = LANG === 'en' ? (p.en || p.zh) : (p.zh || p.en);
    return text;
  }
  /**
   * Draws the text that was checked, numbered line by line, with each problem right under its line
   * (problems without a line first, for the whole file), and returns the rows of the problems.
   */
  function renderSourceView(view, textarea, text, problems) {
    var prefix = view.getAttribute('data-source-view') || 'src';
    view.textContent = '';
    view.classList.remove('is-stale');
    var lines = text.split('\n');
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    var byLine = {};
    var loose = [];
    problems.forEach(function (p) {
      var n = Number(p.line);
      if (n >= 1 && n <= lines.length) (byLine[n] = byLine[n] || []).push(p); else loose.push(p);
    });
    var stale = document.createElement('p');
    stale.className = 'src-stale small';
    stale.textContent = tr('rsStale');
    view.appendChild(stale);
    var rows = [];
    function problemRow(p, n) {
      var row = document.createElement('div');
      row.className = 'src-problem';
      row.setAttribute('role', 'note');
      row.id = prefix + '-p' + rows.length;
      if (n) row.setAttribute('data-problem-line', String(n));
      if (p.code) row.setAttribute('data-code', p.code);
      var text = document.createElement('span');
      text.className = 'src-problem-text';
      text.textContent = problemText(p);
      row.appendChild(text);
      if (p.path && p.path !== '(file)' && p.path !== '(root)') {
        var path = document.createElement('span');
        path.className = 'mono src-path';
        path.textContent = p.path;
        row.appendChild(document.createTextNode(' '));
        row.appendChild(path);
      }
      rows.push({ row: row, line: n, problem: p });
      return row;
    }
    if (loose.length) {
      var whole = document.createElement('div');
      whole.className = 'src-whole';
      var head = document.createElement('div');
      head.className = 'small muted';
      head.textContent = tr('rsWholeFile');
      whole.appendChild(head);
      loose.forEach(function (p) { whole.appendChild(problemRow(p, 0)); });
      view.appendChild(whole);
    }
    var box = document.createElement('div');
    box.className = 'src-lines';
    lines.forEach(function (line, i) {
      var n = i + 1;
      var div = document.createElement('div');
      div.className = 'src-line' + (byLine[n] ? ' has-problem' : '');
      div.id = prefix + '-L' + n;
      div.setAttribute('data-line', String(n));
      var ln = document.createElement('button');
      ln.type = 'button';
      ln.className = 'ln';
      ln.textContent = String(n);
      ln.setAttribute('aria-label', tr('rsLine', { n: n }));
      ln.addEventListener('click', function () { selectLine(textarea, n); });
      var code = document.createElement('code');
      code.textContent = line.replace(/\r$/, '') || ' ';
      div.appendChild(ln);
      div.appendChild(code);
      box.appendChild(div);
      (byLine[n] || []).forEach(function (p) { box.appendChild(problemRow(p, n)); });
    });
    view.appendChild(box);
    view.hidden = false;
    view._text = text;
    return rows;
  }
  /** The check's problems: in the line view, and as a list of links at the top of the form. */
  function showSourceProblems(form, text, problems, message) {
    clearErrors(form);
    var textarea = form.querySelector('[data-source-text]');
    var view = form.querySelector('[data-source-view]');
    var rows = renderSourceView(view, textarea, text, problems);
    var box = form.querySelector('.form-errors');
    var strong = document.createElement('strong');
    strong.textContent = message || tr('rsProblems', { n: problems.length });
    box.appendChild(strong);
    var list = document.createElement('ul');
    rows.forEach(function (r) {
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = '#' + r.row.id;
      a.textContent = (r.line ? tr('rsLine', { n: r.line }) : tr('rsWholeFile')) + '：' + problemText(r.problem);
      a.addEventListener('click', function (ev) {
        ev.preventDefault();
        r.row.scrollIntoView({ block: 'center' });
        if (r.line) selectLine(textarea, r.line);
      });
      li.appendChild(a);
      list.appendChild(li);
    });
    box.appendChild(list);
    box.hidden = false;
    textarea.setAttribute('aria-invalid', 'true');
    if (rows.length) rows[0].row.scrollIntoView({ block: 'center' });
  }
  function hideSourceView(form) {
    var view = form.querySelector('[data-source-view]');
    if (view) { view.hidden = true; view.textContent = ''; view._text = undefined; }
  }
  /** The API's refusal of a file: problems of the file (with or without a line) in the line view, the rest as usual. */
  function fileProblems(data) {
    var details = flatten(data && data.details);
    if (!details.length) return null;
    var ofFile = details.filter(function (d) { return !/^(body|content|fileName|params|querystring)(\.|$)/.test(String(d.path || '')); });
    return ofFile.length === details.length ? details : null;
  }
  // A file chosen is read into the box (and checked at once where the form says so).
  document.addEventListener('change', function (ev) {
    var input = ev.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute('data-source-file')) return;
    var form = input.form;
    var file = input.files && input.files[0];
    if (!form || !file) return;
    var reader = new FileReader();
    reader.onload = function () {
      form.querySelector('[data-source-text]').value = String(reader.result || '');
      var name = form.querySelector('[data-source-name]');
      if (name) name.value = file.name;
      hideSourceView(form);
      clearErrors(form);
      if (form.hasAttribute('data-check-on-file')) form.requestSubmit(form.querySelector('[data-action="check"]'));
    };
    reader.readAsText(file, 'utf-8');
  });
  // After a check, editing the text marks the line view as out of date.
  document.addEventListener('input', function (ev) {
    var el = ev.target;
    if (!(el instanceof HTMLTextAreaElement) || !el.hasAttribute('data-source-text')) return;
    var view = el.form && el.form.querySelector('[data-source-view]');
    if (view && !view.hidden) view.classList.toggle('is-stale', el.value !== view._text);
  });
  function sourceBody(form) {
    var body = { content: form.querySelector('[data-source-text]').value };
    var name = form.querySelector('[data-source-name]');
    if (name && name.value) body.fileName = name.value;
    return body;
  }
  function emptySource(form) {
    showErrors(form, { message: tr('rsEmpty'), messageZh: tr('rsEmpty'), details: [{ path: 'content', zh: tr('rsEmpty'), en: tr('rsEmpty') }] });
  }
  /** The result line of the editor: what the check or the add found, with a link to the version. */
  function ruleResult(form, text, href) {
    var box = form.querySelector('[data-rule-result]');
    box.textContent = '';
    var p = document.createElement('p');
    p.setAttribute('data-testid', 'rule-set-result');
    p.textContent = text;
    box.appendChild(p);
    if (href) {
      var a = document.createElement('a');
      a.href = href;
      a.textContent = tr('rsView');
      box.appendChild(a);
    }
    box.hidden = false;
  }

  var ruleForm = document.getElementById('rule-set-form');
  if (ruleForm) {
    ruleForm.setAttribute('data-check-on-file', '');
    ruleForm.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var action = ev.submitter && ev.submitter.getAttribute('data-action') || 'check';
      var body = sourceBody(ruleForm);
      ruleForm.querySelector('[data-rule-result]').hidden = true;
      if (!body.content.trim()) { emptySource(ruleForm); return; }
      busy(ruleForm, true);
      status(ruleForm, tr('working'));
      api('POST', ruleForm.getAttribute(action === 'add' ? 'data-add' : 'data-check'), body).then(function (r) {
        busy(ruleForm, false);
        status(ruleForm, '');
        var problems = action === 'check' ? (r.ok && !r.data.ok ? r.data.problems || [] : null) : (r.status === 400 ? fileProblems(r.data) : null);
        if (problems && problems.length) {
          showSourceProblems(ruleForm, body.content, problems, action === 'add' ? (LANG === 'en' ? r.data.message : r.data.messageZh) : null);
          return;
        }
        if (!r.ok) { showErrors(ruleForm, r.data); return; }
        clearErrors(ruleForm);
        hideSourceView(ruleForm);
        var s = r.data;
        if (action === 'check') {
          ruleResult(ruleForm, tr('rsOk', { name: s.ruleSet.name, id: s.ruleSet.id, total: (s.ruleSet.totalCp / 100).toFixed(2) }), null);
        } else {
          var href = '/rule-sets/' + encodeURIComponent(s.id) + '/' + s.version;
          ruleResult(ruleForm, tr(s.created ? 'rsAdded' : 'rsSame', { id: s.id, version: s.version, name: s.name }), href);
        }
      });
    });
  }

  // The dashboard: a score preview under another rule set (added, or a candidate file), as HTML.
  document.querySelectorAll('form[data-rule-preview]').forEach(function (form) {
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var panel = document.getElementById('rule-set-preview');
      var body;
      var source = form.querySelector('[data-source-text]');
      if (source) {
        body = { content: source.value };
        if (!body.content.trim()) { emptySource(form); return; }
      } else {
        var picked = String(form.querySelector('[name="ruleSet"]').value || '');
        var at = picked.lastIndexOf('@');
        body = { ruleSetId: picked.slice(0, at), version: Number(picked.slice(at + 1)) };
      }
      busy(form, true);
      status(form, tr('working'));
      api('POST', form.getAttribute('data-rule-preview'), body).then(function (r) {
        busy(form, false);
        status(form, '');
        var problems = source && r.status === 400 ? fileProblems(r.data) : null;
        if (problems) {
          panel.hidden = true;
          showSourceProblems(form, body.content, problems, LANG === 'en' ? r.data.message : r.data.messageZh);
          return;
        }
        if (!r.ok || typeof r.data.html !== 'string') { panel.hidden = true; showErrors(form, r.data); return; }
        clearErrors(form);
        if (source) hideSourceView(form);
        panel.innerHTML = r.data.html;
        panel.hidden = false;
        panel.scrollIntoView({ block: 'start' });
      });
    });
  });

  // ── Pages that wait for the workflow: refresh until it moves on ───────────────────────────
  var refresh = document.body.getAttribute('data-autorefresh');
  if (refresh) setTimeout(function () { location.reload(); }, Number(refresh));
})();
`;

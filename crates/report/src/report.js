// The report's only script: draws the slogan table from the JSON block, sorts and filters it,
// and shows the selected slogan's timeline, reports and keyword-in-context lines. Corpus text
// is only ever set with textContent, never parsed as HTML.
(function () {
  'use strict';
  window.addEventListener('error', function (e) {
    document.body.setAttribute('data-error', String(e.message));
  });
  var SVG = 'http://www.w3.org/2000/svg'; // the SVG namespace name, not a fetched address
  var D = JSON.parse(document.getElementById('data').textContent);
  var S = D.slogans, DOCS = D.docs;
  var yearDocs = {};
  D.year_docs.forEach(function (p) { yearDocs[p[0]] = p[1]; });
  var hasYears = !!D.years, hasTimeline = D.timeline;
  var state = { key: 'r', asc: true, q: '', kind: '', sel: -1 };
  var tbody = document.getElementById('rows');
  var table = document.getElementById('tbl');
  var detail = document.getElementById('detail');
  var countEl = document.getElementById('count');
  var byPhrase = {};
  S.forEach(function (s, i) { byPhrase[s.p] = i; });

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function svgEl(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }
  function num(x, d) { return x === null || x === undefined ? '' : Number(x).toFixed(d); }
  function docLabel(i) {
    var d = DOCS[i];
    if (!d) return '';
    var meta = [];
    if (d.y) meta.push(d.y);
    if (d.r) meta.push(d.r);
    return d.t + (meta.length ? ' (' + meta.join(', ') + ')' : '');
  }

  // Share of each year's reports that use the slogan, as bars. Used small in the table and
  // large in the detail view.
  function timeline(s, w, h, large) {
    var a = D.years[0], b = D.years[1], n = b - a + 1;
    var svg = svgEl('svg', { width: w, height: h, viewBox: '0 0 ' + w + ' ' + h,
      'class': large ? 'timeline' : 'spark' });
    var top = large ? 6 : 1, bottom = large ? 18 : 1;
    var ph = h - top - bottom, bw = w / n;
    svg.appendChild(svgEl('rect', { x: 0, y: top, width: w, height: ph, 'class': 'bg' }));
    var path = '';
    s.yrs.forEach(function (p) {
      var total = yearDocs[p[0]] || 0;
      if (!total) return;
      var share = Math.min(1, p[1] / total);
      var bh = Math.max(1, share * ph);
      var x = (p[0] - a) * bw;
      path += 'M' + x.toFixed(1) + ' ' + (top + ph - bh).toFixed(1) + 'h' + Math.max(1, bw - (n > 60 ? 0 : 0.5)).toFixed(1) +
        'v' + bh.toFixed(1) + 'h-' + Math.max(1, bw - (n > 60 ? 0 : 0.5)).toFixed(1) + 'z';
      if (large) {
        var r = svgEl('rect', { x: x, y: top, width: Math.max(1, bw), height: ph, fill: 'transparent' });
        var t = svgEl('title', {});
        t.textContent = p[0] + ': ' + p[1] + ' of ' + total + ' reports';
        r.appendChild(t);
        svg.appendChild(r);
      }
    });
    var fg = svgEl('path', { d: path, 'class': 'fg' });
    svg.insertBefore(fg, svg.childNodes[1] || null);
    if (large) {
      [[a, 'start'], [b, 'end']].forEach(function (p) {
        var t = svgEl('text', { x: p[1] === 'start' ? 0 : w, y: h - 4, 'text-anchor': p[1] });
        t.textContent = p[0];
        svg.appendChild(t);
      });
      if (s.fy && s.fy !== a && s.fy !== b) {
        var t = svgEl('text', { x: (s.fy - a + 0.5) * bw, y: h - 4, 'text-anchor': 'middle' });
        t.textContent = s.fy;
        svg.appendChild(t);
      }
    }
    return svg;
  }

  // The slogan's adoption curve: the share of the diffusion groups (regions by default) that
  // have used it by each year, as a step line, with the reference's first use marked. Null
  // when no group has used it.
  function adoption(s, w, h) {
    var A = D.adopt, a = D.years[0], b = D.years[1], n = b - a + 1;
    var first = {}, refFirst = null, k;
    s.docs.forEach(function (p) {
      var g = A.dg[p[0]], d = DOCS[p[0]], y = d && d.y;
      if (!y) return;
      if (g === -1) {
        if (refFirst === null || y < refFirst) refFirst = y;
      } else if (g >= 0 && (first[g] === undefined || y < first[g])) {
        first[g] = y;
      }
    });
    var newIn = [];
    for (k = 0; k < n; k++) newIn.push(0);
    var used = 0;
    for (k in first) { newIn[first[k] - a] += 1; used += 1; }
    if (!used) return null;
    var top = 6, bottom = 18, left = 30, pw = w - left - 4, ph = h - top - bottom;
    var svg = svgEl('svg', { width: w, height: h, viewBox: '0 0 ' + w + ' ' + h, 'class': 'adoption' });
    svg.appendChild(svgEl('rect', { x: left, y: top, width: pw, height: ph, 'class': 'bg' }));
    var x = function (year) { return left + (n > 1 ? (year - a) / (n - 1) : 0.5) * pw; };
    var y = function (share) { return top + (1 - share) * ph; };
    var cum = 0, d = '', t;
    for (k = 0; k < n; k++) {
      cum += newIn[k];
      var share = cum / A.n;
      d += (k === 0 ? 'M' + x(a).toFixed(1) + ' ' + y(share).toFixed(1)
        : 'V' + y(share).toFixed(1)) + 'H' + x(Math.min(b, a + k + 1)).toFixed(1);
      if (newIn[k]) {
        var dot = svgEl('circle', { cx: x(a + k), cy: y(share), r: 2.5, 'class': 'pt' });
        t = svgEl('title', {});
        t.textContent = (a + k) + ': ' + cum + ' of ' + A.n + ' (' + A.by + ')';
        dot.appendChild(t);
        svg.appendChild(dot);
      }
    }
    svg.insertBefore(svgEl('path', { d: d, 'class': 'fg' }), svg.childNodes[1] || null);
    if (refFirst !== null) {
      svg.appendChild(svgEl('line', { x1: x(refFirst), x2: x(refFirst), y1: top, y2: top + ph, 'class': 'ref' }));
      t = svgEl('text', { x: x(refFirst), y: top + 10, 'text-anchor': x(refFirst) > w / 2 ? 'end' : 'start', 'class': 'ref' });
      t.textContent = ' ' + A.reference + ': ' + refFirst + ' ';
      svg.appendChild(t);
    }
    [[a, 'start'], [b, 'end']].forEach(function (p) {
      t = svgEl('text', { x: x(p[0]), y: h - 4, 'text-anchor': p[1] });
      t.textContent = p[0];
      svg.appendChild(t);
    });
    [[0, '0'], [1, '100%']].forEach(function (p) {
      t = svgEl('text', { x: left - 3, y: y(p[0]) + 4, 'text-anchor': 'end' });
      t.textContent = p[1];
      svg.appendChild(t);
    });
    svg.setAttribute('data-used', used);
    return svg;
  }

  // One table row per slogan, built once; sorting and filtering move and hide them.
  var rows = S.map(function (s, i) {
    var tr = el('tr');
    tr.tabIndex = 0;
    tr.setAttribute('data-i', i);
    tr.appendChild(el('td', 'n', s.r));
    tr.appendChild(el('td', 'ph', s.p));
    var kc = el('td');
    kc.appendChild(el('span', 'badge k-' + s.k, s.k));
    tr.appendChild(kc);
    tr.appendChild(el('td', 'n', s.df));
    tr.appendChild(el('td', 'n', num(s.pct, 1)));
    tr.appendChild(el('td', 'n', s.tf));
    tr.appendChild(el('td', 'n', num(s.s, 3)));
    tr.appendChild(el('td', 'n', num(s.dp, 2)));
    if (hasYears) {
      tr.appendChild(el('td', 'n', !s.fy ? '' : s.fy === s.ly ? s.fy : s.fy + '–' + s.ly));
    }
    if (hasTimeline) {
      var tc = el('td');
      tc.appendChild(timeline(s, 80, 18, false));
      tr.appendChild(tc);
    }
    tr.appendChild(el('td', 'fam', s.fam === s.p ? '' : s.fam));
    tr.addEventListener('click', function () { select(i, false); });
    tr.addEventListener('keydown', function (e) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        var sib = e.key === 'ArrowDown' ? tr.nextElementSibling : tr.previousElementSibling;
        while (sib && sib.hidden) sib = e.key === 'ArrowDown' ? sib.nextElementSibling : sib.previousElementSibling;
        if (sib) { sib.focus(); select(+sib.getAttribute('data-i'), false); }
        e.preventDefault();
      }
    });
    return tr;
  });

  function compare(a, b) {
    var k = state.key, x = S[a][k], y = S[b][k], c;
    if (k === 'p' || k === 'k' || k === 'fam') {
      c = String(x).localeCompare(String(y), 'zh');
    } else {
      // Unknown values sort last whatever the direction.
      if (x === null || x === undefined) return (y === null || y === undefined) ? a - b : 1;
      if (y === null || y === undefined) return -1;
      c = x - y;
    }
    if (!state.asc) c = -c;
    return c || a - b;
  }

  function render() {
    var order = S.map(function (_, i) { return i; }).sort(compare);
    var q = state.q.toLowerCase(), shown = 0;
    var frag = document.createDocumentFragment();
    order.forEach(function (i) {
      var s = S[i];
      var ok = (!state.kind || s.k === state.kind) &&
        (!q || s.p.toLowerCase().indexOf(q) >= 0 || s.fam.toLowerCase().indexOf(q) >= 0);
      rows[i].hidden = !ok;
      if (ok) shown++;
      frag.appendChild(rows[i]);
    });
    tbody.appendChild(frag);
    countEl.textContent = shown + ' of ' + S.length + ' shown';
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.classList.remove('asc', 'desc');
      if (th.getAttribute('data-k') === state.key) th.classList.add(state.asc ? 'asc' : 'desc');
    });
  }

  function select(i, scroll) {
    var s = S[i];
    if (!s) return;
    if (state.sel >= 0) rows[state.sel].classList.remove('sel');
    state.sel = i;
    rows[i].classList.add('sel');
    if (scroll) {
      document.getElementById('slogans').scrollIntoView({ behavior: 'smooth', block: 'start' });
      var wrap = rows[i].parentNode.parentNode.parentNode;
      wrap.scrollTop = rows[i].offsetTop - wrap.clientHeight / 3;
    }
    while (detail.firstChild) detail.removeChild(detail.firstChild);
    detail.appendChild(el('span', 'badge k-' + s.k, s.k));
    detail.appendChild(el('h3', null, s.p));
    if (s.fam && s.fam !== s.p) detail.appendChild(el('p', 'hint', 'family: ' + s.fam));
    var facts = el('div', 'facts');
    function fact(v, label) {
      var sp = el('span');
      sp.appendChild(el('b', null, v));
      sp.appendChild(document.createTextNode(' ' + label));
      facts.appendChild(sp);
    }
    fact('#' + s.r, 'rank');
    fact(s.df, 'reports (' + num(s.pct, 1) + '%)');
    fact(s.tf, 'occurrences');
    fact(num(s.s, 3), 'score');
    fact(num(s.dp, 2), 'DP');
    if (s.fy) fact(s.fy === s.ly ? s.fy : s.fy + '–' + s.ly, 'years');
    detail.appendChild(facts);

    if (hasTimeline && s.yrs.length) {
      detail.appendChild(el('h4', null, 'Share of each year\u2019s reports'));
      detail.appendChild(timeline(s, 350, 86, true));
    }
    var curve = D.adopt && hasYears ? adoption(s, 350, 96) : null;
    if (curve) {
      detail.appendChild(el('h4', null, 'Adoption: share of ' + D.adopt.n + ' groups by ' +
        D.adopt.by + ' that have used it'));
      detail.appendChild(curve);
    }

    if (s.kw.length) {
      detail.appendChild(el('h4', null, 'In context'));
      var kw = el('div', 'kwic');
      s.kw.forEach(function (k) {
        var line = el('div', 'line');
        var l = el('div', 'l');
        l.appendChild(el('span', null, k[1].slice(-40)));
        line.appendChild(l);
        line.appendChild(el('div', 'm', k[2]));
        line.appendChild(el('div', 'r', k[3].slice(0, 40)));
        kw.appendChild(line);
        kw.appendChild(el('div', 'src', docLabel(k[0])));
      });
      detail.appendChild(kw);
    }

    var docs = s.docs.slice().sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
    detail.appendChild(el('h4', null, 'Used in ' + docs.length + ' report' + (docs.length === 1 ? '' : 's')));
    var ol = el('ol', 'docs');
    docs.slice(0, 15).forEach(function (p) {
      var d = DOCS[p[0]];
      if (!d) return;
      var li = el('li', null, d.t);
      var meta = [];
      if (d.y) meta.push(d.y);
      if (d.r) meta.push(d.r);
      if (meta.length) li.appendChild(el('span', 'meta', meta.join(' · ')));
      li.appendChild(el('span', 'cnt', '×' + p[1]));
      ol.appendChild(li);
    });
    detail.appendChild(ol);
    if (docs.length > 15) detail.appendChild(el('p', 'hint', 'and ' + (docs.length - 15) + ' more; see slogans.json'));
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    var k = th.getAttribute('data-k');
    if (!k) return;
    th.addEventListener('click', function () {
      if (state.key === k) state.asc = !state.asc;
      else { state.key = k; state.asc = (k === 'r' || k === 'p' || k === 'k' || k === 'fam' || k === 'dp' || k === 'fy'); }
      render();
    });
  });
  document.getElementById('q').addEventListener('input', function (e) { state.q = e.target.value; render(); });
  document.getElementById('kind').addEventListener('change', function (e) { state.kind = e.target.value; render(); });
  // Charts and group tables select the slogan they show.
  Array.prototype.forEach.call(document.querySelectorAll('g.bar, g.hrow'), function (g) {
    g.addEventListener('click', function () { select(+g.getAttribute('data-i'), true); });
  });
  Array.prototype.forEach.call(document.querySelectorAll('td.gp'), function (td) {
    var i = byPhrase[td.textContent];
    if (i === undefined) return;
    td.title = 'show details';
    td.addEventListener('click', function () { select(i, true); });
  });

  render();
  if (S.length) select(0, false);
  document.body.setAttribute('data-ready', String(S.length));
})();

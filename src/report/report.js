// The report page's script: builds the tables and Chart.js plots from the inlined data
// (#rlnas-data, written by rlnas report), then records a self-check (#rlnas-check) that tests
// read: every chart with its number of drawn elements and painted pixels, and any script error.
(function () {
  'use strict';
  var DATA = JSON.parse(document.getElementById('rlnas-data').textContent);
  var root = document.getElementById('report');
  var charts = [];
  var PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f',
                 '#bcbd22', '#17becf'];
  var KIND_COLOR = {found: '#2ca02c', candidate: '#1f77b4', baseline: '#d62728', benchmark: '#9aa3b0',
                    supernet: '#9467bd', train: '#1f77b4', random: '#7f7f7f'};

  // ---- small helpers -------------------------------------------------------------------------
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'html') e.innerHTML = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }
  function isNum(x) { return typeof x === 'number' && isFinite(x); }
  function fmt(x, digits) {
    if (!isNum(x)) return '-';
    return x.toLocaleString('en-US', {maximumFractionDigits: digits === undefined ? 2 : digits,
                                      minimumFractionDigits: digits === undefined ? 2 : digits});
  }
  // mean +- std; the spread only when there are several seeds
  function pm(m, s, seeds) {
    return isNum(m) ? fmt(m) + (isNum(s) && !(seeds <= 1) ? ' \u00b1 ' + fmt(s) : '') : '-';
  }
  function seedsText(n) { return text(n) + (n === 1 ? ' seed' : ' seeds'); }
  function count(x) { return isNum(x) ? x.toLocaleString('en-US') : '-'; }
  function mflops(x) { return isNum(x) ? fmt(x / 1e6, 2) : '-'; }
  function duration(s) {
    if (!isNum(s)) return '-';
    s = Math.round(s);
    var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, r = s % 60;
    return (h ? h + ' h ' : '') + (h || m ? m + ' min ' : '') + r + ' s';
  }
  function steps(x) { return isNum(x) ? x.toLocaleString('en-US') : (x === null || x === undefined ? '-' : String(x)); }
  function text(x) {
    if (x === null || x === undefined || x === '') return '-';
    return typeof x === 'string' ? x : JSON.stringify(x);
  }
  function alpha(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }
  function table(head, rows, cls) {
    var t = el('table', cls ? {class: cls} : {});
    if (head) {
      t.appendChild(el('tr', {}, head.map(function (h) {
        return el('th', {text: h.text !== undefined ? h.text : h, class: h.num ? 'num' : ''});
      })));
    }
    rows.forEach(function (r) {
      var tr = el('tr', r.cls ? {class: r.cls} : {});
      r.cells.forEach(function (c, i) {
        var num = head && head[i] && head[i].num;
        tr.appendChild(el('td', {text: c, class: num ? 'num' : ''}));
      });
      t.appendChild(tr);
    });
    return t;
  }
  function kv(pairs) {
    return table(null, pairs.filter(function (p) { return p[1] !== null; })
      .map(function (p) { return {cells: [p[0], p[1]]}; }), 'kv');
  }

  // ---- charts ----------------------------------------------------------------------------------
  // A chart in its own box. `title` is drawn above the plot; axes always carry titles and units.
  function chart(parent, id, title, config, small) {
    var box = el('div', {class: 'plot' + (small ? ' small' : '')});
    var canvas = el('canvas', {id: id, role: 'img', 'aria-label': title});
    box.appendChild(canvas);
    parent.appendChild(box);
    config.options = config.options || {};
    var o = config.options;
    o.animation = false;
    o.responsive = true;
    o.maintainAspectRatio = false;
    o.plugins = o.plugins || {};
    o.plugins.title = {display: true, text: title, font: {size: small ? 12 : 14}};
    o.plugins.legend = o.plugins.legend || {};
    o.plugins.legend.labels = o.plugins.legend.labels || {};
    o.plugins.legend.labels.filter = function (item, data) { return !data.datasets[item.datasetIndex].band; };
    o.plugins.legend.labels.boxWidth = 12;
    o.plugins.tooltip = o.plugins.tooltip || {};
    o.plugins.tooltip.filter = function (item) { return !item.dataset.band; };
    var c = new Chart(canvas, config);
    charts.push({id: id, title: title, chart: c});
    return c;
  }
  function axis(title, extra) {
    var a = {type: 'linear', title: {display: true, text: title}};
    Object.keys(extra || {}).forEach(function (k) { a[k] = extra[k]; });
    return a;
  }
  function xy(xs, ys) {
    var out = [];
    for (var i = 0; i < xs.length; ++i) if (isNum(ys[i])) out.push({x: xs[i], y: ys[i]});
    return out;
  }
  // A mean line with a shaded band of +- one std over seeds (when there are several seeds).
  function bandDatasets(series, color, label, dashed) {
    var ds = [];
    var withBand = series.n && series.n.some(function (n) { return n > 1; });
    if (withBand) {
      var lo = series.mean.map(function (m, i) { return m - series.std[i]; });
      var hi = series.mean.map(function (m, i) { return m + series.std[i]; });
      ds.push({label: label + ' -std', data: xy(series.steps, lo), borderWidth: 0, pointRadius: 0, fill: false,
               band: true, borderColor: alpha(color, 0)});
      ds.push({label: label + ' +std', data: xy(series.steps, hi), borderWidth: 0, pointRadius: 0, fill: '-1',
               band: true, borderColor: alpha(color, 0), backgroundColor: alpha(color, 0.15)});
    }
    ds.push({label: label, data: xy(series.steps, series.mean), borderColor: color, backgroundColor: color,
             borderWidth: 2, pointRadius: 0, fill: false, borderDash: dashed ? [6, 4] : []});
    return ds;
  }
  function lineOptions(xTitle, yTitle) {
    return {scales: {x: axis(xTitle), y: axis(yTitle)}, interaction: {mode: 'nearest', intersect: false}};
  }

  // ---- sections ---------------------------------------------------------------------------------
  function header(e, section) {
    var what = e.kind === 'search' ? 'search (' + text(e.strategy) + ' on ' + text(e.space) + ')' : e.kind + ' run';
    section.appendChild(el('h1', {text: 'Experiment ' + e.id + ': ' + what}));
    section.appendChild(el('p', {class: 'sub', text: text(e.env) + ' \u00b7 ' + text(e.algo) +
      (e.preset ? ' (preset ' + e.preset + ')' : '') + ' \u00b7 ' + e.name}));
    var status = e.status, msg;
    if (e.trials === 0) {
      status = 'empty';
      msg = 'This experiment has no trials yet (status: ' + e.status + '): nothing has been trained, so there is ' +
        'nothing to plot.';
    } else if (e.status === 'done') {
      msg = 'Done: ' + e.trials + ' trainings.';
    } else if (e.status === 'running') {
      msg = 'Running: this page shows the experiment as of ' + DATA.generated_at + '.' +
        (DATA.refresh_seconds > 0 ? ' It reloads every ' + DATA.refresh_seconds + ' s.' : '') +
        ' The protocol table fills in as trainings finish.';
    } else if (e.status === 'failed') {
      msg = 'Failed: the experiment ended with an error; see the failed trials below. What finished is shown.';
    } else if (e.status === 'stopped') {
      msg = 'Stopped (interrupted): continue it with rlnas --store ' + e.store + ' search --resume ' + e.id +
        '. What finished is shown.';
    } else {
      msg = 'Status: ' + e.status + '.';
    }
    section.appendChild(el('div', {class: 'banner ' + status, text: msg}));
  }

  function overview(e, section) {
    var counts = Object.keys(e.trial_counts || {}).map(function (k) { return e.trial_counts[k] + ' ' + k; });
    var m = e.machine || {};
    var pairs = [
      ['environment', text(e.env) + (e.env_options && Object.keys(e.env_options).length ?
        ' ' + JSON.stringify(e.env_options) : '')],
      ['algorithm', text(e.algo) + (e.preset ? ' (preset ' + e.preset + ')' : '')],
      ['search space', text(e.space)],
      ['strategy', e.kind === 'search' ? text(e.strategy) + (e.proxy_name ? ' (proxy: ' + e.proxy_name + ')' : '') : null],
      ['budget per training', steps(e.steps) + ' environment steps'],
      ['search phase', e.kind === 'search' ? steps(e.search_steps) + ' environment steps' : null],
      ['protocol', e.kind !== 'search' ? null : e.tabular ? 'every architecture trained over ' +
        seedsText(e.seeds) + ' (tabular benchmark), with the baselines' : 'top ' + text(e.top_k) +
        ' retrained from scratch over ' + seedsText(e.seeds) + ', with the baselines'],
      ['started / ended (UTC)', text(e.started_at) + ' / ' + (e.ended_at || '(running)')],
      ['wall time', duration(e.elapsed_seconds) + ' (trainings: ' + duration(e.train_seconds) + ' summed)'],
      ['trials', e.trials + (counts.length ? ' (' + counts.join(', ') + ')' : '')],
      ['machine', text(m.hostname) + ', ' + text(m.cores) + ' cores, ' + text(m.os) + ' \u00b7 rlnas ' +
        text(e.rlnas_version)]
    ];
    var card = el('div', {class: 'card'});
    card.appendChild(kv(pairs));
    var cfg = el('details', {}, [el('summary', {text: 'full configuration'}),
                                 el('pre', {text: JSON.stringify(e.config, null, 2)})]);
    card.appendChild(cfg);
    section.appendChild(el('h2', {text: 'Summary'}));
    section.appendChild(card);
  }

  function found(e, section) {
    var f = e.found;
    if (!f) return;
    section.appendChild(el('h2', {text: e.kind === 'search' ? 'Found architecture' : 'Network'}));
    var card = el('div', {class: 'card'});
    card.appendChild(kv([
      ['architecture', text(f.label) + (f.arch_id ? '  (id ' + f.arch_id.slice(0, 12) + ')' : '')],
      ['parameters', count(f.params)],
      ['FLOPs', isNum(f.flops) ? count(f.flops) + ' (' + mflops(f.flops) + ' MFLOPs, one observation)' : '-'],
      ['latency', isNum(f.latency_ms) ? fmt(f.latency_ms, 3) + ' ms (batch 1, median, CPU of the searching machine)'
                                      : '-']
    ]));
    if (e.diagram_svg) {
      card.appendChild(el('div', {class: 'diagram', html: e.diagram_svg}));
    } else if (f.lines && f.lines.length) {
      card.appendChild(el('p', {class: 'muted', text: 'No diagram: Graphviz (dot) was not available when this ' +
                                'report was written.'}));
    }
    if (f.lines && f.lines.length) card.appendChild(el('pre', {text: f.lines.join('\n')}));
    if (f.arch) {
      card.appendChild(el('details', {}, [el('summary', {text: 'architecture JSON (rlnas train --arch)'}),
                                          el('pre', {text: JSON.stringify(f.arch)})]));
    }
    section.appendChild(card);
  }

  function protocol(e, section) {
    if (e.kind !== 'search') return;
    section.appendChild(el('h2', {text: 'Protocol: found vs baselines vs random search'}));
    var card = el('div', {class: 'card'});
    if (!e.rows.length) {
      card.appendChild(el('p', {text: 'No architecture has been retrained yet.'}));
      section.appendChild(card);
      return;
    }
    var head = ['', 'arch', {text: 'proxy', num: true}, {text: 'reward mean', num: true},
                {text: 'total reward', num: true}, {text: 'params', num: true}, {text: 'MFLOPs', num: true},
                {text: 'latency ms', num: true}, {text: 'seeds', num: true}];
    var rows = e.rows.map(function (r) {
      return {cls: r.kind, cells: [r.label, r.arch_id ? r.arch_id.slice(0, 12) : '', isNum(r.proxy) ? fmt(r.proxy, Math.abs(r.proxy) >= 1000 ? 0 : 3) : '-',
        pm(r.reward_mean, r.reward_mean_std, r.seeds), pm(r.total_reward, r.total_reward_std, r.seeds),
        count(r.params), mflops(r.flops), isNum(r.latency_ms) ? fmt(r.latency_ms, 3) : '-', String(r.seeds)]};
    });
    card.appendChild(table(head, rows));
    var sel = e.selection && e.selection.select === 'late_return' ? 'late return' : 'reward mean';
    card.appendChild(el('p', {class: 'caption', text: 'Selected on ' + sel + ', reported on total reward: the found ' +
      'row is the candidate with the best ' + sel + ', random search\'s pick in each draw is its best by ' + sel +
      ', and the same trainings give both figures. reward mean: mean return of the last 100 training episodes; ' +
      'total reward: mean return of the final policy\'s evaluation episodes (nas-for-rl-agents Table 1\'s two ' +
      'metrics); mean \u00b1 std over seeds (no spread for one seed).' + (e.proxy_name ? ' proxy: ' + e.proxy_name + '.' : '') +
      (e.rows_final ? '' : ' Partial: the search has not finished, rows show the seeds done so far.') +
      (e.note ? ' ' + e.note : '')}));
    if (e.comparisons && e.comparisons.length) {
      card.appendChild(table(['comparison (total reward)', {text: 'difference', num: true}, {text: '95% CI', num: true},
                              {text: 'seeds', num: true}, 'verdict'],
        e.comparisons.map(function (c) {
          return {cells: [c.a + ' \u2212 ' + c.b, fmt(c.difference, 2),
                          isNum(c.low) ? '[' + fmt(c.low, 2) + ', ' + fmt(c.high, 2) + ']' : '-', String(c.n), c.verdict]};
        })));
      card.appendChild(el('p', {class: 'caption', text: 'Differences paired by training seed, Student\'s t 95% ' +
        'interval over the seeds (none below 3 seeds); "inconclusive" when it contains zero.'}));
    }
    if (e.learning && Object.keys(e.learning).length) {
      card.appendChild(el('h3', {text: 'How much the search learned'}));
      card.appendChild(kv(Object.keys(e.learning).map(function (k) {
        var v = e.learning[k];
        return [k.replace(/_/g, ' '), isNum(v) ? fmt(v, Math.abs(v) >= 100 || Number.isInteger(v) ? 0 : 3) :
                (v && typeof v === 'object' ? JSON.stringify(v) : text(v))];
      })));
    }
    (e.warnings || []).forEach(function (w) { card.appendChild(el('p', {class: 'warning', text: 'Warning: ' + w})); });
    section.appendChild(card);
  }

  function problems(e, section) {
    if (!e.problems || !e.problems.length) return;
    section.appendChild(el('h2', {text: 'Failed or stopped trials'}));
    var card = el('div', {class: 'card'});
    card.appendChild(table(['trial', 'role', 'status', 'reason'], e.problems.map(function (p) {
      return {cells: [String(p.trial), p.role, p.status, p.reason || '-']};
    })));
    section.appendChild(card);
  }

  function curves(e, section, key) {
    var any = e.curves.length || e.search_curves.length;
    if (!any) return;
    section.appendChild(el('h2', {text: 'Learning curves'}));
    var grid = el('div', {class: e.search_curves.length && e.curves.length ? 'grid2' : ''});
    section.appendChild(grid);
    if (e.curves.length) {
      var card = el('div', {class: 'card'});
      grid.appendChild(card);
      var ds = [];
      e.curves.forEach(function (c, i) {
        var color = c.found ? KIND_COLOR.found : (c.kind === 'baseline' ? PALETTE[(i + 3) % 10] : PALETTE[i % 10]);
        ds = ds.concat(bandDatasets(c, color, (c.found ? 'found: ' : '') + c.label + ' (' + c.seeds + ' seed' +
          (c.seeds > 1 ? 's' : '') + ')', c.kind === 'baseline'));
      });
      chart(card, key + '-curves', e.kind === 'search' ? 'Retrained from scratch: mean episode return'
                                                       : 'Mean episode return',
            {type: 'line', data: {datasets: ds}, options: lineOptions('environment steps', 'mean episode return')});
      card.appendChild(el('p', {class: 'caption', text: 'Mean return of the last 100 training episodes at each ' +
        'logged step; lines are the mean over seeds, bands \u00b1 one std; dashed: hand-designed baselines.' +
        (e.candidates_without_curve > 0 ? ' ' + e.candidates_without_curve + ' more candidates not drawn.' : '')}));
    }
    if (e.search_curves.length) {
      var card2 = el('div', {class: 'card'});
      grid.appendChild(card2);
      var ds2 = [];
      e.search_curves.forEach(function (c, i) {
        ds2 = ds2.concat(bandDatasets(c, i ? PALETTE[(i + 4) % 10] : KIND_COLOR.supernet, c.label, false));
      });
      e.curves.filter(function (c) { return c.kind === 'baseline'; }).forEach(function (c, i) {
        ds2 = ds2.concat(bandDatasets(c, PALETTE[(i + 3) % 10], 'baseline ' + c.label, true));
      });
      chart(card2, key + '-supernet', 'Search phase: the supernet next to the baselines',
            {type: 'line', data: {datasets: ds2}, options: lineOptions('environment steps', 'mean episode return')});
      card2.appendChild(el('p', {class: 'caption', text: 'The weight-sharing supernet\'s training return during ' +
        'the search (the path or mixture it acts with), and the hand-designed baselines trained alone.'}));
    }
  }

  // A histogram of a tabular benchmark's reward means with vertical marks (nas-for-rl-agents
  // Figure 4). marks: [{label, x, color, dashed}].
  function drawHistogram(card, id, b, marks) {
    var values = b.archs.map(function (a) { return a.reward_mean; });
    var all = values.concat(marks.map(function (m) { return m.x; }));
    var lo = Math.min.apply(null, all), hi = Math.max.apply(null, all);
    var bins = Math.max(5, Math.min(30, Math.ceil(Math.sqrt(values.length)) * 2));
    var width = (hi - lo) / bins || 1;
    var counts = new Array(bins).fill(0);
    values.forEach(function (v) { counts[Math.min(bins - 1, Math.floor((v - lo) / width))] += 1; });
    var bars = counts.map(function (c, i) { return {x: lo + (i + 0.5) * width, y: c}; });
    var top = Math.max.apply(null, counts);
    var ds = [{type: 'bar', label: b.archs.length + ' architectures of ' + b.space, data: bars,
               backgroundColor: alpha('#5b7db1', 0.55), borderColor: '#5b7db1', borderWidth: 1,
               barPercentage: 1.0, categoryPercentage: 1.0}];
    marks.forEach(function (m) {
      ds.push({type: 'line', label: m.label, data: [{x: m.x, y: 0}, {x: m.x, y: top + 0.5}],
               borderColor: m.color, backgroundColor: m.color, borderWidth: 3, pointRadius: [0, 5],
               borderDash: m.dashed ? [6, 4] : []});
    });
    chart(card, id, 'Final reward mean of every architecture (nas-for-rl-agents Figure 4)',
          {type: 'bar', data: {datasets: ds},
           options: {scales: {x: axis('reward mean (mean return of the last 100 training episodes)',
                                      {offset: false, min: lo - width, max: hi + width}),
                              y: axis('architectures', {beginAtZero: true, ticks: {precision: 0}})}}});
    card.appendChild(el('p', {class: 'caption', text: 'Every architecture of ' + b.space + ' trained with the ' +
      'same settings (grid search, experiment ' + b.experiments.join(', ') + '); vertical lines mark picks and ' +
      'baselines at their retrained reward mean.'}));
  }

  function histogram(e, section, key) {
    var b = e.benchmark;
    if (!b || !b.archs.length) return;
    section.appendChild(el('h2', {text: 'Tabular benchmark'}));
    var card = el('div', {class: 'card'});
    section.appendChild(card);
    var marks = [];
    (e.rows || []).forEach(function (r, i) {
      if ((r.kind !== 'found' && r.kind !== 'baseline') || !isNum(r.reward_mean)) return;
      marks.push({label: r.label, x: r.reward_mean, color: r.kind === 'found' ? KIND_COLOR.found : PALETTE[(i + 3) % 10],
                  dashed: r.kind === 'baseline'});
    });
    drawHistogram(card, key + '-histogram', b, marks);
  }

  function dynamics(e, section, key) {
    var hasArch = e.search_curves.some(function (c) { return c['arch.temperature'] || c['arch.cost']; });
    if (!e.controller && !e.alpha && !e.sequence && !hasArch) return;
    section.appendChild(el('h2', {text: 'Search dynamics'}));
    if (e.controller) {
      var card = el('div', {class: 'card'});
      section.appendChild(card);
      card.appendChild(el('h3', {text: 'ENAS controller: probability of each option over the search'}));
      var grid = el('div', {class: 'grid2'});
      card.appendChild(grid);
      e.controller.decisions.forEach(function (d, di) {
        var ds = d.options.map(function (o, oi) {
          return {label: o, data: xy(d.steps, d.probs.map(function (p) { return p[oi]; })),
                  borderColor: PALETTE[oi % 10], backgroundColor: PALETTE[oi % 10], borderWidth: 2, pointRadius: 0};
        });
        chart(grid, key + '-controller-' + di, d.name, {type: 'line', data: {datasets: ds},
              options: lineOptions('environment steps', 'probability')}, true);
      });
      card.appendChild(el('p', {class: 'caption', text: 'The LSTM controller\'s softmax at each decision, given ' +
        'the most probable choices before it, after each REINFORCE update.'}));
    }
    if (e.alpha) {
      // Cells: a card per cell type, a plot per edge. One decision per group (blocks, chains): one
      // card, a plot per decision.
      var perDecision = e.alpha.groups.every(function (g) { return g.rows.length === 1; });
      var shared = null;
      if (perDecision) {
        shared = el('div', {class: 'card'});
        section.appendChild(shared);
        shared.appendChild(el('h3', {text: 'Probability of each op at each decision over the search' +
          (isNum(e.alpha.temperature[0]) ? ' (softmax of alpha / temperature)' : '')}));
        shared.grid = el('div', {class: 'grid3'});
        shared.appendChild(shared.grid);
      }
      e.alpha.groups.forEach(function (g, gi) {
        var grid = shared ? shared.grid : el('div', {class: 'grid3'});
        if (!shared) {
          var card = el('div', {class: 'card'});
          section.appendChild(card);
          card.appendChild(el('h3', {text: g.name + ' cell: softmax weight of each op on each edge over the ' +
            'search (rl-darts Figure 3)'}));
          card.appendChild(grid);
        }
        g.rows.forEach(function (row, ri) {
          var ds = g.ops.map(function (op, oi) {
            return {label: op, data: xy(e.alpha.steps, g.probs.map(function (p) { return p[ri] ? p[ri][oi] : null; })),
                    borderColor: PALETTE[oi % 10], backgroundColor: PALETTE[oi % 10], borderWidth: 2, pointRadius: 0};
          });
          chart(grid, key + '-alpha-' + gi + '-' + ri, shared ? row : 'edge ' + row,
                {type: 'line', data: {datasets: ds}, options: lineOptions('environment steps', 'probability')}, true);
        });
      });
    }
    if (hasArch) {
      var card3 = el('div', {class: 'card'});
      section.appendChild(card3);
      var ds3 = [];
      e.search_curves.forEach(function (c) {
        if (c['arch.temperature']) {
          ds3.push({label: 'temperature', data: xy(c['arch.temperature'].steps, c['arch.temperature'].values),
                    borderColor: '#d62728', backgroundColor: '#d62728', borderWidth: 2, pointRadius: 0, yAxisID: 'y'});
        }
        if (c['arch.cost']) {
          ds3.push({label: 'expected cost (fraction of the largest network)', data: xy(c['arch.cost'].steps,
                    c['arch.cost'].values), borderColor: '#1f77b4', backgroundColor: '#1f77b4', borderWidth: 2,
                    pointRadius: 0, yAxisID: 'y1'});
        }
        if (c['arch.entropy']) {
          ds3.push({label: 'alpha entropy (nats)', data: xy(c['arch.entropy'].steps, c['arch.entropy'].values),
                    borderColor: '#9467bd', backgroundColor: '#9467bd', borderWidth: 2, pointRadius: 0,
                    borderDash: [4, 3], yAxisID: 'y1'});
        }
      });
      var o = lineOptions('environment steps', 'temperature');
      o.scales.y1 = axis('expected cost / entropy', {position: 'right', grid: {drawOnChartArea: false}});
      chart(card3, key + '-temperature', 'Architecture variables: temperature, expected cost and entropy',
            {type: 'line', data: {datasets: ds3}, options: o});
    }
    if (e.sequence && e.sequence.length) {
      var card4 = el('div', {class: 'card'});
      section.appendChild(card4);
      var pts = [];
      e.sequence.forEach(function (s, i) {
        pts.push({x: s.first_step, y: i + 1});
        pts.push({x: s.last_step, y: i + 1});
      });
      pts.sort(function (a, b) { return a.x - b.x; });
      chart(card4, key + '-sequence', 'Discretized architecture over the search (rl-darts Figure 6)',
            {type: 'line', data: {datasets: [{label: 'distinct discretized architecture (in order of appearance)',
              data: pts, stepped: true, borderColor: '#8c564b', backgroundColor: '#8c564b', borderWidth: 2,
              pointRadius: 2}]},
             options: lineOptions('environment steps', 'architecture number')}, true);
      var rows = e.sequence.map(function (s, i) {
        return {cells: [String(i + 1), steps(s.first_step) + ' - ' + steps(s.last_step), s.arch_id.slice(0, 12), s.text]};
      });
      card4.appendChild(el('div', {class: 'scroll'}, [table(['#', 'steps', 'arch', 'genotype'], rows)]));
    }
  }

  function scatter(e, section, key) {
    if (!e.scatter || !e.scatter.length) return;
    section.appendChild(el('h2', {text: 'Return vs FLOPs'}));
    var card = el('div', {class: 'card'});
    section.appendChild(card);
    var kinds = ['benchmark', 'candidate', 'baseline'];
    var ds = [];
    kinds.forEach(function (k) {
      var pts = e.scatter.filter(function (p) { return p.kind === k; });
      if (!pts.length) return;
      ds.push({label: k === 'benchmark' ? 'tabular benchmark' : k + 's', data: pts.map(function (p) {
        return {x: p.flops / 1e6, y: p.reward_mean, label: p.label};
      }), borderColor: KIND_COLOR[k], backgroundColor: alpha(KIND_COLOR[k], 0.7), pointRadius: k === 'benchmark' ? 3 : 6,
        pointStyle: k === 'baseline' ? 'triangle' : 'circle'});
    });
    var f = e.rows ? e.rows.filter(function (r) { return r.kind === 'found'; })[0] : null;
    if (f && isNum(f.flops) && isNum(f.reward_mean)) {
      ds.push({label: 'found', data: [{x: f.flops / 1e6, y: f.reward_mean, label: f.label}],
               borderColor: KIND_COLOR.found, backgroundColor: KIND_COLOR.found, pointRadius: 9, pointStyle: 'star',
               borderWidth: 2});
    }
    var front = e.scatter.filter(function (p) { return p.pareto; })
      .map(function (p) { return {x: p.flops / 1e6, y: p.reward_mean, label: p.label}; })
      .sort(function (a, b) { return a.x - b.x; });
    if (front.length > 1) {
      ds.push({type: 'line', label: 'Pareto front', data: front, borderColor: '#444', borderWidth: 1.5,
               borderDash: [5, 4], pointRadius: 0, stepped: 'after', fill: false});
    }
    chart(card, key + '-pareto', 'Reward mean vs FLOPs (a2d Figure 3)', {type: 'scatter', data: {datasets: ds},
      options: {scales: {x: {type: 'logarithmic', title: {display: true, text: 'MFLOPs per observation (log scale)'}},
                         y: axis('reward mean')},
                plugins: {tooltip: {callbacks: {label: function (c) {
                  return (c.raw.label || '') + ': ' + fmt(c.raw.y) + ' at ' + fmt(c.raw.x, 3) + ' MFLOPs';
                }}}}}});
    card.appendChild(el('p', {class: 'caption', text: 'Each point an architecture trained from scratch (mean over ' +
      'seeds); the dashed line joins the Pareto-optimal ones: none cheaper does better.'}));
  }

  // Several experiments: their results next to each other before the details.
  function comparison(list) {
    var section = el('section');
    root.appendChild(section);
    section.appendChild(el('h1', {text: 'rlnas report: experiments ' + list.map(function (e) { return e.id; }).join(', ')}));
    section.appendChild(el('h2', {text: 'Side by side'}));
    var card = el('div', {class: 'card'});
    section.appendChild(card);
    var head = ['experiment', 'kind', 'strategy', 'environment', 'status', 'found', {text: 'reward mean', num: true},
                {text: 'total reward', num: true}, {text: 'MFLOPs', num: true}];
    card.appendChild(table(head, list.map(function (e) {
      var f = (e.rows || []).filter(function (r) { return r.kind === 'found'; })[0] || {};
      return {cells: [String(e.id), e.kind, text(e.strategy), text(e.env), e.status, text(f.label || (e.found ? e.found.label : null)),
        pm(f.reward_mean, f.reward_mean_std, f.seeds), pm(f.total_reward, f.total_reward_std, f.seeds),
        mflops(f.flops !== undefined ? f.flops : (e.found ? e.found.flops : null))]};
    })));
    // The picks of every search of one benchmarked space on its histogram, with the baselines.
    var bench = list.filter(function (e) { return e.benchmark && e.benchmark.archs.length; })[0];
    if (bench) {
      var marks = [], seen = {};
      list.forEach(function (e, i) {
        if (e.space !== bench.space || e.env !== bench.env) return;
        (e.rows || []).forEach(function (r) {
          if (!isNum(r.reward_mean)) return;
          if (r.kind === 'found') {
            marks.push({label: 'experiment ' + e.id + ' (' + text(e.strategy) + ')', x: r.reward_mean,
                        color: PALETTE[i % 10], dashed: false});
          } else if (r.kind === 'baseline' && !seen[r.label]) {
            seen[r.label] = true;
            marks.push({label: r.label, x: r.reward_mean, color: '#444444', dashed: true});
          }
        });
      });
      if (marks.length) drawHistogram(card, 'compare-histogram', bench.benchmark, marks);
    }
    var ds = [];
    list.forEach(function (e, i) {
      var c = e.curves.filter(function (c) { return c.found; })[0] || (e.kind !== 'search' ? e.curves[0] : null);
      if (c) ds = ds.concat(bandDatasets(c, PALETTE[i % 10], 'experiment ' + e.id + ': ' + c.label, false));
    });
    if (ds.length) {
      chart(card, 'compare-curves', 'Found architectures, retrained: mean episode return',
            {type: 'line', data: {datasets: ds}, options: lineOptions('environment steps', 'mean episode return')});
    }
  }

  function experiment(e, index) {
    var section = el('section', {id: 'experiment-' + e.id});
    root.appendChild(section);
    var key = 'e' + index;
    header(e, section);
    overview(e, section);
    found(e, section);
    protocol(e, section);
    problems(e, section);
    curves(e, section, key);
    histogram(e, section, key);
    dynamics(e, section, key);
    scatter(e, section, key);
  }

  // The self-check: what each chart drew.
  function selfCheck() {
    var out = {charts: [], errors: window.rlnasErrors || []};
    charts.forEach(function (c) {
      var marks = 0, datasets = 0;
      c.chart.data.datasets.forEach(function (d, i) {
        var meta = c.chart.getDatasetMeta(i);
        datasets += 1;
        marks += meta && meta.data ? meta.data.length : 0;
      });
      var painted = 0;
      try {
        var canvas = c.chart.canvas, ctx = canvas.getContext('2d');
        var px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        for (var i = 3; i < px.length; i += 4) if (px[i] > 0) painted += 1;
      } catch (err) {
        out.errors.push('self-check: ' + err);
      }
      out.charts.push({id: c.id, title: c.title, datasets: datasets, marks: marks, painted: painted,
                       width: c.chart.width, height: c.chart.height});
    });
    var pre = el('pre', {id: 'rlnas-check', hidden: 'hidden', text: JSON.stringify(out)});
    document.body.appendChild(pre);
    window.rlnasCheck = out;
  }

  try {
    if (typeof Chart === 'undefined') throw new Error('Chart.js did not load');
    if (DATA.experiments.length > 1) comparison(DATA.experiments);
    DATA.experiments.forEach(experiment);
  } catch (err) {
    (window.rlnasErrors = window.rlnasErrors || []).push(String(err && err.stack || err));
    root.appendChild(el('div', {class: 'banner failed', text: 'The report could not be drawn: ' + err}));
  }
  root.appendChild(el('footer', {text: 'Written by rlnas report at ' + DATA.generated_at + ' from the experiment ' +
    'store. Plots: Chart.js.'}));
  selfCheck();
})();

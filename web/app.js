/*
 * vigil dashboard: the job list (/) and a job page (/?job=ID&user=U), both
 * refreshed every second from vigild's JSON API (docs/API.md).  Every name
 * that came from a segment is inserted with textContent, never as HTML.
 * The access token (?token=...) is passed on as "Authorization: Bearer".
 */
(function () {
	'use strict';
	var params = new URLSearchParams(location.search);
	var token = params.get('token') || '';
	var PERIOD = 1000;
	var COLORS = ['#3574d4', '#e0702e', '#2e9e5b', '#8f4fc2', '#c33d54', '#777777', '#0f9fb0', '#b8860b'];

	/* ---- units ---- */
	function scaled(v, base, units) {
		var u = 0, a = Math.abs(v);
		while (u + 1 < units.length && a >= base) { v /= base; a /= base; u++; }
		if (u === 0) return Math.round(v) + ' ' + units[0];
		return (a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2)) + ' ' + units[u];
	}
	function fmtBytes(b) { return scaled(b, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']); }
	function fmtRate(b) { return scaled(b, 1024, ['B/s', 'KiB/s', 'MiB/s', 'GiB/s', 'TiB/s']); }
	function fmtOps(v) { return v >= 100 ? Math.round(v) + '/s' : (Math.round(v * 10) / 10) + '/s'; }
	function fmtSecs(s) {
		var a = Math.abs(s);
		if (a === 0) return '0 s';
		if (a < 1e-6) return (s * 1e9).toFixed(0) + ' ns';
		if (a < 1e-3) return (s * 1e6).toFixed(a < 1e-5 ? 2 : a < 1e-4 ? 1 : 0) + ' µs';
		if (a < 1) return (s * 1e3).toFixed(a < 1e-2 ? 2 : a < 1e-1 ? 1 : 0) + ' ms';
		if (a < 3600) return s.toFixed(a < 10 ? 2 : a < 100 ? 1 : 0) + ' s';
		return Math.floor(s / 3600) + ' h ' + Math.floor(s % 3600 / 60) + ' min';
	}
	function fmtPct(f) { return (f * 100).toFixed(1) + ' %'; }
	function fmtCount(n) { return Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(1); }
	/* A job vigild still holds (linger) after its last process ended is not "running" (vigil top: the same). */
	function stateText(j) { return j.state === 'running' && j.processes && j.processes.running === 0 ? 'idle' : j.state; }

	/* ---- DOM helpers: text only ---- */
	function el(tag, text, cls) {
		var e = document.createElement(tag);
		if (text !== undefined && text !== null) e.textContent = String(text);
		if (cls) e.className = cls;
		return e;
	}
	function num(v, shown) { var td = el('td', shown, 'n'); td.dataset.v = String(v); return td; }
	function fill(tbody, rows) {
		var frag = document.createDocumentFragment();
		rows.forEach(function (r) { frag.appendChild(r); });
		tbody.replaceChildren(frag);
	}
	function status(text) { document.getElementById('status').textContent = text; }

	function api(path) {
		var h = {};
		if (token) h.Authorization = 'Bearer ' + token;
		return fetch(path, { headers: h, cache: 'no-store' }).then(function (r) {
			if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
			return r.json();
		});
	}
	function link(job) {
		var q = new URLSearchParams();
		q.set('job', job.id);
		q.set('user', job.user);
		if (token) q.set('token', token);
		return '/?' + q.toString();
	}
	function runtime(j, now) {
		var end = j.end > 0 ? j.end : now;
		return Math.max(0, end - j.start);
	}

	/* ---- job list ---- */
	var jobs = [], sortKey = 'id', sortAsc = true, listNow = 0;
	function jobKey(j, k) {
		var r = j.rates || {}, p = j.processes || {};
		switch (k) {
		case 'procs': return (p.running || 0) + (p.exited || 0) + (p.killed || 0);
		case 'ranks': return j.ranks || 0;
		case 'runtime': return runtime(j, listNow);
		case 'rd': return r.read_bytes_per_second || 0;
		case 'wr': return r.write_bytes_per_second || 0;
		case 'ops': return r.io_ops_per_second || 0;
		case 'meta': return r.metadata_ops_per_second || 0;
		case 'mpi': return r.mpi_time_share || 0;
		case 'insight': return j.insight_level || 0;
		default: return String(j[k] || '');
		}
	}
	function renderList() {
		var sorted = jobs.slice().sort(function (a, b) {
			var x = jobKey(a, sortKey), y = jobKey(b, sortKey);
			var c = typeof x === 'number' ? x - y : x.localeCompare(y);
			return sortAsc ? c : -c;
		});
		var rows = sorted.map(function (j) {
			var tr = el('tr'), r = j.rates || {}, p = j.processes || {};
			var total = (p.running || 0) + (p.exited || 0) + (p.killed || 0);
			tr.dataset.job = j.id;
			tr.dataset.user = j.user;
			tr.appendChild(el('td', j.step ? j.id + '.' + j.step : j.id));
			tr.appendChild(el('td', j.user));
			tr.appendChild(el('td', j.executable));
			tr.appendChild(num(total, total + ' (' + (p.running || 0) + ' running)'));
			tr.appendChild(num(j.ranks || 0, j.ranks ? j.ranks : '\u2013'));
			var rt = runtime(j, listNow);
			tr.appendChild(num(rt, fmtSecs(rt)));
			tr.appendChild(num(r.read_bytes_per_second || 0, fmtRate(r.read_bytes_per_second || 0)));
			tr.appendChild(num(r.write_bytes_per_second || 0, fmtRate(r.write_bytes_per_second || 0)));
			tr.appendChild(num(r.io_ops_per_second || 0, fmtOps(r.io_ops_per_second || 0)));
			tr.appendChild(num(r.metadata_ops_per_second || 0, fmtOps(r.metadata_ops_per_second || 0)));
			tr.appendChild(num(r.mpi_time_share || 0, fmtPct(r.mpi_time_share || 0)));
			tr.appendChild(el('td', stateText(j)));
			var fc = el('td');
			fc.dataset.v = String(j.insight_level || 0);
			if (j.insight) fc.appendChild(el('span', j.insight, 'badge sev-' + j.insight_level));
			tr.appendChild(fc);
			tr.addEventListener('click', function () { location.href = link(j); });
			return tr;
		});
		fill(document.querySelector('#jobs tbody'), rows);
		document.getElementById('job-count').textContent = '(' + jobs.length + ')';
		document.getElementById('no-jobs').hidden = jobs.length > 0;
	}
	function pollList() {
		var t0 = performance.now();
		api('/api/v1/jobs').then(function (d) {
			jobs = d.jobs || [];
			listNow = d.time || Date.now() / 1000;
			document.getElementById('host').textContent = d.host || '';
			renderList();
			document.body.dataset.updates = String(+(document.body.dataset.updates || 0) + 1);
			status('updated ' + new Date().toLocaleTimeString() + ' (' + Math.round(performance.now() - t0) + ' ms)');
		}).catch(function (e) { status('cannot reach vigild: ' + e.message); })
			.then(function () { setTimeout(pollList, PERIOD); });
	}

	/* ---- charts: canvas line and bar charts, y from 0 ---- */
	/* A round step for about four intervals up to ymax; `base` 1024 for bytes. */
	function niceAxis(ymax, base, integer) {
		if (!(ymax > 0)) ymax = integer ? 4 : 1;
		var scale = 1;
		if (base) while (ymax / scale >= base) scale *= base;
		var raw = ymax / scale / 4, p = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / p;
		var step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p * scale;
		if (integer && step < 1) step = 1;
		return { step: step, max: Math.ceil(ymax / step - 1e-9) * step };
	}
	function yGrid(g, ax, fmt, W, H, L, B, T, R) {
		g.font = '11px system-ui, sans-serif';
		g.fillStyle = '#555';
		g.strokeStyle = '#e5e7ea';
		g.lineWidth = 1;
		g.textAlign = 'right';
		for (var v = 0; v <= ax.max + ax.step / 2; v += ax.step) {
			var y = Math.round(H - B - (H - B - T) * v / ax.max) + 0.5;
			g.beginPath(); g.moveTo(L, y); g.lineTo(W - R, y); g.stroke();
			g.fillText(fmt(v), L - 6, y + 4);
		}
	}
	function fmtAgo(s) {
		if (s === 0) return 'now';
		return s < 60 ? '-' + s + ' s' : s % 60 ? '-' + Math.floor(s / 60) + ' min ' + s % 60 + ' s' : '-' + s / 60 + ' min';
	}
	/*
	 * Line chart of series [{name, v, color}] over t (Unix seconds).  What it
	 * drew is left in the canvas's data-plot (t and each series), so tests
	 * can compare the page with the API.
	 */
	function chart(id, t, series, fmt, base) {
		var c = document.getElementById(id), g = c.getContext('2d');
		var W = c.width, H = c.height, L = 78, B = 22, T = 10, R = 12;
		g.clearRect(0, 0, W, H);
		var ymax = 0;
		series.forEach(function (s) { s.v.forEach(function (v) { if (v > ymax) ymax = v; }); });
		var ax = niceAxis(ymax, base);
		yGrid(g, ax, fmt, W, H, L, B, T, R);
		var n = t.length, t1 = n ? t[n - 1] : 1, span = n > 1 ? t1 - t[0] : 1;
		span = Math.max(span, 10);
		var t0 = t1 - span;
		/* x: seconds before the latest sample, at most 6 labels */
		var steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600], st = steps[steps.length - 1];
		for (var i = 0; i < steps.length; i++) if (span / steps[i] <= 6) { st = steps[i]; break; }
		g.textAlign = 'center';
		g.fillStyle = '#555';
		for (var a = 0; a <= span + 1e-9; a += st) {
			var x = L + (W - L - R) * (span - a) / span;
			g.beginPath(); g.moveTo(x, H - B); g.lineTo(x, H - B + 4); g.stroke();
			g.textAlign = a === 0 ? 'right' : x - L < 30 ? 'left' : 'center';
			g.fillText(fmtAgo(Math.round(a)), a === 0 ? W - R : x, H - 6);
		}
		g.strokeStyle = '#9aa1ab';
		g.beginPath(); g.moveTo(L + 0.5, T); g.lineTo(L + 0.5, H - B + 0.5); g.lineTo(W - R, H - B + 0.5); g.stroke();
		var plot = { t: t, series: {} };
		series.forEach(function (s, i) {
			s.color = s.color || COLORS[i % COLORS.length];
			plot.series[s.name] = s.v;
			g.strokeStyle = s.color;
			g.lineWidth = 1.8;
			g.beginPath();
			for (var k = 0; k < n; k++) {
				var xx = L + (W - L - R) * (t[k] - t0) / span;
				var yy = H - B - (H - B - T) * (s.v[k] || 0) / ax.max;
				if (k) g.lineTo(xx, yy); else g.moveTo(xx, yy);
			}
			g.stroke();
		});
		var leg = document.getElementById('l-' + id.slice(2));
		fill(leg, series.map(function (s) {
			var sp = el('span'), sw = el('i');
			sw.style.background = s.color;
			sp.appendChild(sw);
			sp.appendChild(document.createTextNode(s.name + ' ' + fmt(s.v.length ? s.v[s.v.length - 1] : 0)));
			return sp;
		}));
		if (!series.length) leg.appendChild(el('span', 'nothing yet', 'muted'));
		c.dataset.plot = JSON.stringify(plot);
	}

	/* Request sizes: bucket 0 is 0 bytes, bucket i >= 1 is [2^(i-1), 2^i), 31 is >= 1 GiB. */
	function bucketLabel(i) {
		if (i === 0) return '0';
		if (i === 31) return '\u22651 GiB';
		var v = Math.pow(2, i - 1), u = ['B', 'KiB', 'MiB', 'GiB'], k = 0;
		while (v >= 1024) { v /= 1024; k++; }
		return v + ' ' + u[k];
	}
	function fmtN(v) {
		return v >= 1e9 ? +(v / 1e9).toFixed(1) + 'G' : v >= 1e6 ? +(v / 1e6).toFixed(1) + 'M' :
			v >= 1e4 ? +(v / 1e3).toFixed(1) + 'k' : String(Math.round(v * 100) / 100);
	}
	function histChart(c, hist) {
		var g = c.getContext('2d'), W = c.width, H = c.height, L = 48, B = 34, T = 16, R = 8;
		g.clearRect(0, 0, W, H);
		var lo = 31, hi = 0, ymax = 0, first;
		hist.forEach(function (v, i) { if (v) { lo = Math.min(lo, i); hi = Math.max(hi, i); ymax = Math.max(ymax, v); } });
		if (lo > hi) { lo = 0; hi = 0; }
		first = lo; /* labels in step with the first bar that has calls */
		lo = Math.max(0, lo - 1);
		hi = Math.min(31, hi + 1);
		while (hi - lo + 1 < 8) { if (lo > 0) lo--; if (hi - lo + 1 < 8 && hi < 31) hi++; }
		var ax = niceAxis(ymax, 0, true);
		yGrid(g, ax, fmtN, W, H, L, B, T, R);
		var nb = hi - lo + 1, bw = (W - L - R) / nb;
		g.font = '11px system-ui, sans-serif';
		var lw = 0;
		for (var i = lo; i <= hi; i++) lw = Math.max(lw, g.measureText(bucketLabel(i)).width);
		var every = Math.max(1, Math.ceil((lw + 8) / bw));
		for (var b = lo; b <= hi; b++) {
			var x = L + (b - lo) * bw, h = (H - B - T) * hist[b] / ax.max;
			g.fillStyle = '#3574d4';
			g.fillRect(x + bw * 0.12, H - B - h, bw * 0.76, h);
			g.fillStyle = '#333';
			g.textAlign = 'center';
			if (hist[b] && g.measureText(fmtN(hist[b])).width < bw + 4)
				g.fillText(fmtN(hist[b]), x + bw / 2, H - B - h - 3);
			if ((b - first + 32 * every) % every === 0) {
				var lx = x + bw / 2, half = g.measureText(bucketLabel(b)).width / 2;
				g.fillStyle = '#555';
				g.textAlign = lx + half > W ? 'right' : 'center';
				g.fillText(bucketLabel(b), g.textAlign === 'right' ? W - 1 : lx, H - B + 14);
			}
		}
		g.strokeStyle = '#9aa1ab';
		g.beginPath(); g.moveTo(L + 0.5, T); g.lineTo(L + 0.5, H - B + 0.5); g.lineTo(W - R, H - B + 0.5); g.stroke();
		g.fillStyle = '#555';
		g.textAlign = 'center';
		g.fillText('request size (bucket from this size to twice it)', L + (W - L - R) / 2, H - 4);
		g.save();
		g.translate(11, T + (H - B - T) / 2);
		g.rotate(-Math.PI / 2);
		g.fillText('calls', 0, 0);
		g.restore();
		c.dataset.hist = JSON.stringify(hist);
	}

	/* ---- job page ---- */
	function fileRows(files) {
		return (files || []).map(function (f) {
			var tr = el('tr');
			tr.appendChild(el('td', f.path, 'path'));
			tr.appendChild(el('td', f.layer));
			tr.appendChild(num(f.bytes_read, fmtBytes(f.bytes_read)));
			tr.appendChild(num(f.bytes_written, fmtBytes(f.bytes_written)));
			tr.appendChild(num(f.reads, fmtCount(f.reads)));
			tr.appendChild(num(f.writes, fmtCount(f.writes)));
			tr.appendChild(num(f.metadata_ops, fmtCount(f.metadata_ops)));
			tr.appendChild(num(f.seconds, fmtSecs(f.seconds)));
			return tr;
		});
	}
	function stats(list, f) {
		if (!list.length) return null;
		var s = { min: Infinity, max: -Infinity, sum: 0, who: null };
		list.forEach(function (p) {
			var v = f(p);
			if (v < s.min) s.min = v;
			if (v > s.max) { s.max = v; s.who = p; }
			s.sum += v;
		});
		s.mean = s.sum / list.length;
		return s;
	}
	/* One bar chart per data operation, most bytes first; canvases are kept between updates. */
	var MAX_HISTS = 16;
	function renderHists(hists) {
		var box = document.getElementById('j-hists');
		hists.sort(function (a, b) {
			return b.o.bytes - a.o.bytes || b.o.calls - a.o.calls || (a.layer + a.name).localeCompare(b.layer + b.name);
		});
		var shown = hists.slice(0, MAX_HISTS), keep = {};
		shown.forEach(function (x, i) {
			var key = x.layer + '.' + x.name;
			keep[key] = true;
			var f = box.querySelector('figure[data-op="' + CSS.escape(key) + '"]');
			if (!f) {
				f = el('figure');
				f.dataset.op = key;
				f.appendChild(el('figcaption'));
				var c = el('canvas');
				c.width = 380;
				c.height = 180;
				f.appendChild(c);
			}
			if (box.children[i] !== f) box.insertBefore(f, box.children[i] || null);
			f.firstChild.textContent = x.layer + ' ' + x.name + ': ' + fmtCount(x.o.calls) + ' calls, ' + fmtBytes(x.o.bytes);
			histChart(f.querySelector('canvas'), x.o.size_histogram);
		});
		Array.prototype.slice.call(box.querySelectorAll('figure')).forEach(function (f) {
			if (!keep[f.dataset.op]) f.remove();
		});
		var more = document.getElementById('hists-more');
		more.hidden = hists.length <= MAX_HISTS;
		more.textContent = 'and ' + (hists.length - MAX_HISTS) + ' more operations (shown: the ' + MAX_HISTS + ' that moved the most bytes).';
		document.getElementById('no-hists').hidden = hists.length > 0;
	}
	function renderJob(j) {
		var now = Date.now() / 1000, p = j.processes || {}, tot = j.totals || {};
		document.title = 'vigil: job ' + j.id;
		document.getElementById('j-id').textContent = j.step ? j.id + '.' + j.step : j.id;
		var st = document.getElementById('j-state');
		st.textContent = stateText(j);
		st.className = 'badge ' + j.state;
		document.getElementById('j-user').textContent = j.user + ' (uid ' + j.uid + ')';
		document.getElementById('j-exe').textContent = j.executable;
		document.getElementById('j-command').textContent = j.command !== undefined ? j.command : '(owner only)';
		document.getElementById('j-runtime').textContent = fmtSecs(runtime(j, now));
		document.getElementById('j-procs').textContent = (p.running || 0) + ' running, ' + (p.exited || 0) +
			' exited, ' + (p.killed || 0) + ' killed';
		var rk = document.getElementById('j-ranks');
		rk.textContent = j.ranks ? String(j.ranks) : 'none (not an MPI job)';
		rk.dataset.v = String(j.ranks || 0);
		var T = [
			['bytes_read', 'bytes read', fmtBytes], ['bytes_written', 'bytes written', fmtBytes],
			['io_operations', 'I/O operations', fmtCount], ['metadata_operations', 'metadata operations', fmtCount],
			['io_seconds', 'time in I/O', fmtSecs], ['mpi_calls', 'MPI calls', fmtCount], ['mpi_seconds', 'time in MPI', fmtSecs],
			['opencl_calls', 'OpenCL calls', fmtCount], ['opencl_seconds', 'host time blocked in OpenCL', fmtSecs]
		];
		fill(document.querySelector('#j-totals tbody'), T.map(function (x) {
			var tr = el('tr'), v = tot[x[0]] || 0;
			tr.dataset.k = x[0];
			tr.appendChild(el('th', x[1]));
			tr.appendChild(num(v, x[2](v)));
			return tr;
		}));
		var h = j.history || {}, t = h.t || [], ops = j.ops || {}, klass = {};
		Object.keys(ops).forEach(function (layer) {
			Object.keys(ops[layer]).forEach(function (name) { klass[name] = ops[layer][name]['class']; });
		});
		chart('c-bw', t, [{ name: 'read', v: h.read_bytes_per_second || [] }, { name: 'write', v: h.write_bytes_per_second || [] }], fmtRate, 1024);
		var byop = h.ops_per_second_by_op || {}, opnames = Object.keys(byop);
		function sum(a) { return (a || []).reduce(function (x, y) { return x + y; }, 0); }
		function top(obj, names, n) {
			return names.slice().sort(function (a, b) { return sum(obj[b]) - sum(obj[a]); }).slice(0, n);
		}
		var mpiNames = opnames.filter(function (n) { return n.indexOf('MPI_') === 0 && n.indexOf('MPI_File') !== 0; });
		var ioNames = opnames.filter(function (n) { return mpiNames.indexOf(n) < 0; });
		chart('c-ops', t, top(byop, ioNames, 6).map(function (n) { return { name: n, v: byop[n] }; }), fmtOps, 1000);
		var cls = h.ops_per_second_by_class || {};
		var metaNames = ioNames.filter(function (n) { return klass[n] === 'metadata'; });
		chart('c-meta', t, [{ name: 'all metadata', v: cls.metadata || [], color: '#1f2937' }].concat(
			top(byop, metaNames, 5).map(function (n, i) { return { name: n, v: byop[n], color: COLORS[(i + 1) % COLORS.length] }; })), fmtOps, 1000);
		/* MPI: time by call over time, calls by call; hidden for a job without MPI */
		var mbc = h.mpi_seconds_per_second_by_call || {}, mpiCalls = Object.keys(mbc);
		var isMpi = mpiCalls.length > 0 || mpiNames.length > 0 || (j.ranks || 0) > 0;
		document.getElementById('f-mpit').hidden = !isMpi;
		document.getElementById('f-mpic').hidden = !isMpi;
		if (isMpi) {
			chart('c-mpit', t, [{ name: 'all MPI', v: h.mpi_seconds_per_second || [], color: '#1f2937' }].concat(
				top(mbc, mpiCalls, 6).map(function (n, i) { return { name: n, v: mbc[n], color: COLORS[i % COLORS.length] }; })),
				function (v) { return fmtSecs(v) + '/s'; }, 1000);
			chart('c-mpic', t, top(byop, mpiNames, 6).map(function (n) { return { name: n, v: byop[n] }; }), fmtOps, 1000);
		}
		/* operations, MPI time by call, request sizes */
		var rows = [], mpiRows = [], hists = [], mpiTotal = 0;
		Object.keys(ops).forEach(function (layer) {
			Object.keys(ops[layer]).forEach(function (name) {
				var o = ops[layer][name], tr = el('tr');
				tr.dataset.op = layer + '.' + name;
				tr.appendChild(el('td', layer));
				tr.appendChild(el('td', name));
				tr.appendChild(el('td', o['class']));
				tr.appendChild(num(o.calls, fmtCount(o.calls)));
				tr.appendChild(num(o.errors, fmtCount(o.errors)));
				tr.appendChild(num(o.bytes, fmtBytes(o.bytes)));
				tr.appendChild(num(o.seconds, fmtSecs(o.seconds)));
				rows.push([o.seconds, tr]);
				if (layer === 'mpi') { mpiRows.push([name, o.seconds]); mpiTotal += o.seconds; }
				if (o['class'] === 'data' && o.size_histogram && o.size_histogram.some(function (v) { return v > 0; }))
					hists.push({ layer: layer, name: name, o: o });
			});
		});
		rows.sort(function (a, b) { return b[0] - a[0]; });
		fill(document.querySelector('#j-ops tbody'), rows.map(function (r) { return r[1]; }));
		mpiRows.sort(function (a, b) { return b[1] - a[1]; });
		fill(document.querySelector('#j-mpi tbody'), mpiRows.map(function (r) {
			var tr = el('tr');
			tr.appendChild(el('td', r[0]));
			tr.appendChild(num(r[1], fmtSecs(r[1])));
			tr.appendChild(num(mpiTotal ? r[1] / mpiTotal : 0, fmtPct(mpiTotal ? r[1] / mpiTotal : 0)));
			return tr;
		}));
		document.getElementById('j-mpi').hidden = !mpiRows.length;
		document.getElementById('no-mpi').hidden = mpiRows.length > 0;
		renderHists(hists);
		/* balance */
		var pl = j.process_list || [];
		var B = [['I/O time', function (q) { return q.io_seconds; }, fmtSecs], ['MPI time', function (q) { return q.mpi_seconds; }, fmtSecs],
			['bytes', function (q) { return q.bytes_read + q.bytes_written; }, fmtBytes], ['I/O ops', function (q) { return q.io_operations; }, fmtCount]];
		fill(document.querySelector('#j-balance tbody'), B.map(function (b) {
			var s = stats(pl, b[1]), tr = el('tr');
			tr.appendChild(el('th', b[0]));
			if (!s) return tr;
			tr.appendChild(num(s.min, b[2](s.min)));
			tr.appendChild(num(s.mean, b[2](s.mean)));
			tr.appendChild(num(s.max, b[2](s.max)));
			tr.appendChild(el('td', s.who ? (s.who.rank >= 0 ? 'rank ' + s.who.rank : 'pid ' + s.who.pid) : ''));
			return tr;
		}));
		/* The rank waiting longest in MPI is the victim; the one longest outside MPI arrives last
		 * (report_util.c ru_culprits: the same rule). */
		var ranks = pl.filter(function (q) { return q.rank >= 0; }), now = Date.now() / 1000;
		var outside = function (q) { return Math.max(0, ((q.end || now) - q.start) - q.mpi_seconds); };
		var sw = stats(ranks, function (q) { return q.mpi_seconds; }), so = stats(ranks, outside);
		var culprits = sw && sw.max > 0 && sw.who && so.who;
		document.getElementById('j-culprits').hidden = !culprits;
		if (culprits) {
			document.getElementById('j-mpi-wait-rank').textContent = 'rank ' + sw.who.rank + ' (' + fmtSecs(sw.max) + ')';
			document.getElementById('j-outside-rank').textContent = 'rank ' + so.who.rank + ' (' + fmtSecs(so.max) + ' outside MPI)';
		}
		fill(document.querySelector('#j-procs-table tbody'), pl.slice(0, 256).map(function (q) {
			var tr = el('tr');
			tr.appendChild(num(q.pid, q.pid === undefined ? '-' : q.pid));
			tr.appendChild(num(q.rank, q.rank >= 0 ? q.rank : '\u2013'));
			tr.appendChild(el('td', q.state + (q.state === 'exited' && q.exit_status >= 0 ? ' ' + q.exit_status : '')));
			tr.appendChild(num(q.bytes_read, fmtBytes(q.bytes_read)));
			tr.appendChild(num(q.bytes_written, fmtBytes(q.bytes_written)));
			tr.appendChild(num(q.io_operations, fmtCount(q.io_operations)));
			tr.appendChild(num(q.io_seconds, fmtSecs(q.io_seconds)));
			tr.appendChild(num(q.mpi_seconds, fmtSecs(q.mpi_seconds)));
			tr.appendChild(el('td', q.exe !== undefined ? q.exe : '(owner only)'));
			return tr;
		}));
		/* steps (a Slurm job's srun steps): shown when there is more than one */
		var steps = j.steps || [];
		document.getElementById('j-steps-d').hidden = steps.length < 2;
		fill(document.querySelector('#j-steps tbody'), steps.map(function (s) {
			function sum(layer, k) {
				var l = (s.ops || {})[layer] || {}, t = 0;
				Object.keys(l).forEach(function (op) { t += l[op][k] || 0; });
				return t;
			}
			var tr = el('tr');
			tr.appendChild(el('td', s.step === '' ? '(none)' : s.step));
			tr.appendChild(num(s.processes, fmtCount(s.processes)));
			tr.appendChild(num(sum('posix', 'calls'), fmtCount(sum('posix', 'calls'))));
			tr.appendChild(num(sum('posix', 'bytes'), fmtBytes(sum('posix', 'bytes'))));
			tr.appendChild(num(sum('mpi', 'calls'), fmtCount(sum('mpi', 'calls'))));
			return tr;
		}));
		/* files: owner only */
		var details = !!j.details;
		document.getElementById('files').hidden = !details;
		document.getElementById('files-locked').hidden = details;
		if (details) {
			fill(document.querySelector('#files-bytes tbody'), fileRows(j.files_by_bytes));
			fill(document.querySelector('#files-time tbody'), fileRows(j.files_by_time));
		}
	}
	var clusterPolls = 0;
	/* the job over all nodes, when vigild runs with --prometheus (else 404: hidden) */
	function renderCluster(c) {
		var rows = [['nodes', fmtCount(c.nodes) + ' (' + fmtCount(c.nodes_running) + ' running)'],
			['processes running', fmtCount(c.processes_running)],
			['read', fmtBytes(c.bytes_read) + ', ' + fmtRate(c.read_bytes_per_second)],
			['written', fmtBytes(c.bytes_written) + ', ' + fmtRate(c.write_bytes_per_second)],
			['I/O operations', fmtCount(c.io_operations) + ', ' + fmtOps(c.io_ops_per_second)],
			['metadata operations', fmtOps(c.metadata_ops_per_second)],
			['time in MPI', fmtPct(c.mpi_time_share)]];
		fill(document.querySelector('#j-cluster-t tbody'), rows.map(function (r) {
			var tr = el('tr');
			tr.appendChild(el('th', r[0]));
			tr.appendChild(el('td', r[1]));
			return tr;
		}));
		document.getElementById('j-cluster').hidden = false;
	}
	/* live insights: one row per rule that is pending, firing or resolved, firing first */
	var SEV = ['ok', 'info', 'warning', 'critical'], STATE_ORDER = { firing: 0, pending: 1, resolved: 2, ok: 3 };
	function renderInsights(d) {
		var c = d.config || {}, now = d.time || Date.now() / 1000;
		document.getElementById('ins-config').textContent = '(live: ' + c.window + ' s window, for ' + c['for'] +
			' s, keep firing ' + c.keep_firing_for + ' s)';
		var rows = (d.insights || []).filter(function (f) { return f.state !== 'ok'; });
		rows.sort(function (a, b) { return STATE_ORDER[a.state] - STATE_ORDER[b.state] || SEV.indexOf(b.severity) - SEV.indexOf(a.severity); });
		fill(document.querySelector('#j-insights tbody'), rows.map(function (f) {
			var tr = el('tr'), sev = el('td'), st = el('td');
			tr.dataset.rule = f.rule;
			tr.dataset.state = f.state;
			tr.dataset.level = String(f.level);
			sev.appendChild(el('span', f.severity, 'badge sev-' + SEV.indexOf(f.severity)));
			st.appendChild(el('span', f.state, 'badge st-' + f.state));
			tr.appendChild(sev);
			tr.appendChild(el('td', f.title + ' (' + f.rule + ')'));
			tr.appendChild(st);
			tr.appendChild(el('td', fmtSecs(Math.max(0, now - f.since)) + ' ago (' + new Date(f.since * 1000).toLocaleTimeString() + ')'));
			tr.appendChild(num(f.active_seconds, fmtSecs(f.active_seconds)));
			tr.appendChild(el('td', f.evidence !== undefined ? f.evidence + ' \u2014 ' + f.fix : '(details: owner only)', 'ev'));
			return tr;
		}));
		document.getElementById('j-insights').hidden = !rows.length;
		document.getElementById('no-findings').hidden = rows.length > 0;
	}
	function pollJob(id, user) {
		var t0 = performance.now();
		var q = '/api/v1/jobs/' + encodeURIComponent(id) + (user ? '?user=' + encodeURIComponent(user) : '');
		var cq = '/api/v1/jobs/' + encodeURIComponent(id) + '/cluster' + (user ? '?user=' + encodeURIComponent(user) : '');
		if (clusterPolls++ % 5 === 0) /* eleven PromQL queries: every fifth update is enough */
			api(cq).then(renderCluster).catch(function () { document.getElementById('j-cluster').hidden = true; });
		var qi = '/api/v1/jobs/' + encodeURIComponent(id) + '/insights' + (user ? '?user=' + encodeURIComponent(user) : '');
		api(qi).then(renderInsights).catch(function () {});
		api(q).then(function (j) {
			renderJob(j);
			document.body.dataset.updates = String(+(document.body.dataset.updates || 0) + 1);
			document.body.dataset.jobState = j.state;
			status('updated ' + new Date().toLocaleTimeString() + ' (' + Math.round(performance.now() - t0) + ' ms)');
		}).catch(function (e) { status('cannot load the job: ' + e.message); })
			.then(function () { setTimeout(function () { pollJob(id, user); }, PERIOD); });
	}

	document.querySelectorAll('#jobs th').forEach(function (th) {
		th.addEventListener('click', function () {
			var k = th.dataset.k;
			if (k === sortKey) sortAsc = !sortAsc; else { sortKey = k; sortAsc = true; }
			renderList();
		});
	});
	if (token) document.getElementById('home').href = '/?token=' + encodeURIComponent(token);
	var job = params.get('job');
	if (job) {
		document.getElementById('job-view').hidden = false;
		pollJob(job, params.get('user') || '');
	} else {
		document.getElementById('list-view').hidden = false;
		pollList();
	}
})();

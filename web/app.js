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
	function fmtCount(n) { return Number.isInteger(n) ? String(n) : n.toFixed(1); }

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
		case 'runtime': return runtime(j, listNow);
		case 'rd': return r.read_bytes_per_second || 0;
		case 'wr': return r.write_bytes_per_second || 0;
		case 'ops': return r.io_ops_per_second || 0;
		case 'meta': return r.metadata_ops_per_second || 0;
		case 'mpi': return r.mpi_time_share || 0;
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
			tr.appendChild(num(total, (p.running || 0) + ' / ' + total));
			var rt = runtime(j, listNow);
			tr.appendChild(num(rt, fmtSecs(rt)));
			tr.appendChild(num(r.read_bytes_per_second || 0, fmtRate(r.read_bytes_per_second || 0)));
			tr.appendChild(num(r.write_bytes_per_second || 0, fmtRate(r.write_bytes_per_second || 0)));
			tr.appendChild(num(r.io_ops_per_second || 0, fmtOps(r.io_ops_per_second || 0)));
			tr.appendChild(num(r.metadata_ops_per_second || 0, fmtOps(r.metadata_ops_per_second || 0)));
			tr.appendChild(num(r.mpi_time_share || 0, fmtPct(r.mpi_time_share || 0)));
			tr.appendChild(el('td', j.state));
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

	/* ---- charts: canvas line charts, y from 0 ---- */
	function chart(id, t, series, fmt) {
		var c = document.getElementById(id), g = c.getContext('2d');
		var W = c.width, H = c.height, L = 70, B = 22, T = 8, R = 8;
		g.clearRect(0, 0, W, H);
		var ymax = 0;
		series.forEach(function (s) { s.v.forEach(function (v) { if (v > ymax) ymax = v; }); });
		if (ymax <= 0) ymax = 1;
		g.font = '11px system-ui, sans-serif';
		g.fillStyle = '#555';
		g.strokeStyle = '#e5e7ea';
		for (var k = 0; k <= 4; k++) {
			var y = H - B - (H - B - T) * k / 4;
			g.beginPath(); g.moveTo(L, y); g.lineTo(W - R, y); g.stroke();
			g.textAlign = 'right';
			g.fillText(fmt(ymax * k / 4), L - 6, y + 4);
		}
		var n = t.length, t0 = n ? t[0] : 0, t1 = n ? t[n - 1] : 1;
		if (t1 <= t0) t1 = t0 + 1;
		g.textAlign = 'center';
		g.fillText('-' + fmtSecs(t1 - t0), L, H - 6);
		g.fillText('now', W - R - 10, H - 6);
		series.forEach(function (s, i) {
			g.strokeStyle = COLORS[i % COLORS.length];
			g.lineWidth = 1.6;
			g.beginPath();
			for (var k = 0; k < n; k++) {
				var x = L + (W - L - R) * (t[k] - t0) / (t1 - t0);
				var yy = H - B - (H - B - T) * (s.v[k] || 0) / ymax;
				if (k) g.lineTo(x, yy); else g.moveTo(x, yy);
			}
			g.stroke();
		});
		var leg = document.getElementById('l-' + id.slice(2));
		fill(leg, series.map(function (s, i) {
			var sp = el('span'), sw = el('i');
			sw.style.background = COLORS[i % COLORS.length];
			sp.appendChild(sw);
			sp.appendChild(document.createTextNode(s.name + ' ' + fmt(s.v.length ? s.v[s.v.length - 1] : 0)));
			return sp;
		}));
		c.dataset.series = JSON.stringify(series.map(function (s) { return s.name; }));
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
	function renderJob(j) {
		var now = Date.now() / 1000, p = j.processes || {}, tot = j.totals || {};
		document.title = 'vigil: job ' + j.id;
		document.getElementById('j-id').textContent = j.step ? j.id + '.' + j.step : j.id;
		var st = document.getElementById('j-state');
		st.textContent = j.state;
		st.className = 'badge ' + j.state;
		document.getElementById('j-user').textContent = j.user + ' (uid ' + j.uid + ')';
		document.getElementById('j-exe').textContent = j.executable;
		document.getElementById('j-command').textContent = j.command !== undefined ? j.command : '(owner only)';
		document.getElementById('j-runtime').textContent = fmtSecs(runtime(j, now));
		document.getElementById('j-procs').textContent = (p.running || 0) + ' running, ' + (p.exited || 0) +
			' exited, ' + (p.killed || 0) + ' killed';
		var T = [
			['bytes_read', 'bytes read', fmtBytes], ['bytes_written', 'bytes written', fmtBytes],
			['io_operations', 'I/O operations', fmtCount], ['metadata_operations', 'metadata operations', fmtCount],
			['io_seconds', 'time in I/O', fmtSecs], ['mpi_calls', 'MPI calls', fmtCount], ['mpi_seconds', 'time in MPI', fmtSecs]
		];
		fill(document.querySelector('#j-totals tbody'), T.map(function (x) {
			var tr = el('tr'), v = tot[x[0]] || 0;
			tr.dataset.k = x[0];
			tr.appendChild(el('th', x[1]));
			tr.appendChild(num(v, x[2](v)));
			return tr;
		}));
		var h = j.history || {}, t = h.t || [];
		chart('c-bw', t, [{ name: 'read', v: h.read_bytes_per_second || [] }, { name: 'write', v: h.write_bytes_per_second || [] }], fmtRate);
		var byop = h.ops_per_second_by_op || {}, opnames = Object.keys(byop);
		function opsum(n) { return byop[n].reduce(function (a, b) { return a + b; }, 0); }
		var mpiNames = opnames.filter(function (n) { return n.indexOf('MPI_') === 0 && n.indexOf('MPI_File') !== 0; });
		var ioNames = opnames.filter(function (n) { return mpiNames.indexOf(n) < 0; });
		ioNames.sort(function (a, b) { return opsum(b) - opsum(a); });
		chart('c-ops', t, ioNames.slice(0, 6).map(function (n) { return { name: n, v: byop[n] }; }), fmtOps);
		var cls = h.ops_per_second_by_class || {};
		chart('c-meta', t, [{ name: 'metadata', v: cls.metadata || [] }], fmtOps);
		mpiNames.sort(function (a, b) { return opsum(b) - opsum(a); });
		chart('c-mpi', t, [{ name: 'MPI time share', v: (h.mpi_seconds_per_second || []).map(function (v) {
			var live = Math.max(1, p.running || 1); return v / live * 100; }) }].concat(
			mpiNames.slice(0, 5).map(function (n) { return { name: n + ' calls', v: byop[n] }; })),
			function (v) { return Math.round(v * 10) / 10 + ''; });
		/* operations, MPI time by call, request sizes */
		var ops = j.ops || {}, rows = [], mpiRows = [], hists = [], mpiTotal = 0;
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
				if (o.size_histogram) hists.push([layer + ' ' + name, o.size_histogram]);
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
		fill(document.getElementById('j-hists'), hists.length ? hists.map(function (hh) {
			var d = el('div'), txt = [];
			hh[1].forEach(function (c, i) { if (c) txt.push((i === 0 ? '0' : i === 31 ? '>=1G' : fmtBytes(Math.pow(2, i - 1)) + '..') + ': ' + c); });
			d.appendChild(el('b', hh[0] + ' '));
			d.appendChild(document.createTextNode(txt.join(', ')));
			return d;
		}) : [el('p', 'This vigild does not serve request-size histograms yet; `vigil report` shows them at the end of the job.', 'muted')]);
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
		fill(document.querySelector('#j-procs-table tbody'), pl.slice(0, 256).map(function (q) {
			var tr = el('tr');
			tr.appendChild(num(q.pid, q.pid === undefined ? '-' : q.pid));
			tr.appendChild(num(q.rank, q.rank));
			tr.appendChild(el('td', q.state + (q.state === 'exited' ? ' ' + q.exit_status : '')));
			tr.appendChild(num(q.bytes_read, fmtBytes(q.bytes_read)));
			tr.appendChild(num(q.bytes_written, fmtBytes(q.bytes_written)));
			tr.appendChild(num(q.io_operations, fmtCount(q.io_operations)));
			tr.appendChild(num(q.io_seconds, fmtSecs(q.io_seconds)));
			tr.appendChild(num(q.mpi_seconds, fmtSecs(q.mpi_seconds)));
			tr.appendChild(el('td', q.exe !== undefined ? q.exe : '(owner only)'));
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
	function pollJob(id, user) {
		var t0 = performance.now();
		var q = '/api/v1/jobs/' + encodeURIComponent(id) + (user ? '?user=' + encodeURIComponent(user) : '');
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

/*
 * main.c - vigild: options, start-up order, the sampling loop, shutdown.
 *
 * Start-up order matters for restart safety: load the checkpoint, reopen the
 * segments it names, take one full sample (so every counter is back at or
 * above what was last exported), and only then answer scrapes.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "common/help.h"
#include "common/vigild_client.h"
#include "daemon/daemon.h"
#include "daemon/insights.h"

static volatile sig_atomic_t main_stop, main_reload;

void vd_procs_reopen(void);

static void main_usage(void)
{
	vigil_help(
	"usage: vigild [OPTIONS]\n\n"
	"vigil's node daemon: samples the collectors' segments, aggregates per job, user and node,\n"
	"serves /metrics (Prometheus), a JSON API and the dashboard, and writes job profiles.\n"
	"Runs in the foreground and logs to stderr (systemd style).\n\n"
	"  --listen ADDR:PORT     HTTP listener (default 127.0.0.1:9787, loopback only; 0.0.0.0:9787 for Prometheus\n"
	"                         on another host; [::1]:9787 for IPv6)\n"
	"  --dir DIR              a segment directory to watch (repeatable). Default: as root, every\n"
	"                         /dev/shm/vigil-<uid>/ (one per user); otherwise /dev/shm/vigil-<your uid>\n"
	"  --user-root DIR        where the per-user vigil-<uid> directories are (default /dev/shm, root only)\n"
	"  --interval SECONDS     sampling interval (default 0.1)\n"
	"  --state-dir DIR        checkpoint directory: counts survive restarts (default /var/lib/vigil as root,\n"
	"                         else ~/.local/state/vigil)\n"
	"  --profile-dir DIR      where job profiles go, mode 0600, owned by the job's user (default STATE-DIR/profiles)\n"
	"  --profile-layout flat|dated  dated: DIR/YEAR/MONTH/DAY/, the site profile store's layout, so that\n"
	"                         `vigil report JOBID` finds node profiles (docs/PROFILE.md); default flat\n"
	"  --job-linger SECONDS   a job ends after this long without a live process (default 30)\n"
	"  --job-grace SECONDS    an ended job stays in /metrics and the API this long (default 300)\n"
	"  --socket PATH          UNIX socket for the vigil CLI (default /run/vigil/vigild.sock as root,\n"
	"                         else STATE-DIR/vigild.sock; 'none' disables)\n"
	"  --allow-anonymous-details  serve file names and command lines to HTTP clients without a token\n"
	"  --user-label on|hashed|off  the user label anonymous HTTP clients see on /metrics and the API:\n"
	"                         the name (on, default), a per-user pseudonym (hashed) or a per-job one (off);\n"
	"                         with hashed or off they see no executable either (docs/METRICS.md)\n"
	"  --web.config.file FILE TLS and basic auth of the HTTP listener, Prometheus exporter-toolkit\n"
	"                         format (tls_server_config, basic_auth_users; docs/DEPLOY.md)\n"
	"  --max-segments-per-user N  (default 4096)   --max-jobs-per-user N (default 256)\n"
	"  --max-connections N    concurrent HTTP connections (default 4096)\n"
	"  --prometheus URL       the Prometheus that scrapes every node's vigild (http://HOST:PORT): a job's\n"
	"                         cluster-wide view (GET /api/v1/jobs/ID/cluster, the dashboard's job page)\n"
	"  --node-name NAME       this node's name in the API, profiles and file names (default: the host name;\n"
	"                         several slurmd \"nodes\" on one host: each vigild its own)\n"
	"  --insights FILE        insight rules' thresholds (default /etc/vigil/insights.conf; missing = built-in\n"
	"                         defaults); SIGHUP reloads it, a bad file keeps the rules in use (docs/INSIGHTS.md)\n"
	"  --log-level LEVEL      error, warning, info (default) or debug\n"
	"  --help, --version\n\n"
	"Manual: vigild(8). Docs: docs/DAEMON.md (deployment, segment ownership), docs/METRICS.md,\n"
	"docs/API.md, docs/DEPLOY.md.\n");
}

static int main_number(const char *opt, const char *s, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || end == s || v < lo || v > hi) {
		fprintf(stderr, "vigild: %s wants a number between %g and %g, not '%s'.\n", opt, lo, hi, s);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static void main_signal(int sig)
{
	if (sig == SIGHUP)
		main_reload = 1;
	else
		main_stop = 1;
}

static int main_mkdirs(const char *path, mode_t mode)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(tmp, 0755);
			*p = '/';
		}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

enum { O_DIR_ = 1000, O_USER_ROOT, O_INTERVAL, O_STATE, O_PROFILE, O_LINGER, O_GRACE, O_SOCKET,
       O_ANON, O_WEBCFG, O_ULABEL, O_MAXSEG, O_MAXJOBS, O_MAXCONN, O_LOGLEVEL, O_VERSION, O_LISTEN, O_HISTORY,
       O_LAYOUT, O_NODE, O_PROM, O_INSIGHTS };

int main(int argc, char **argv)
{
	static char state_default[4096], profile_default[4200], socket_default[4200], dir_default[256];
	static const struct option opts[] = {
		{ "listen", required_argument, 0, O_LISTEN }, { "dir", required_argument, 0, O_DIR_ },
		{ "user-root", required_argument, 0, O_USER_ROOT }, { "interval", required_argument, 0, O_INTERVAL },
		{ "state-dir", required_argument, 0, O_STATE }, { "profile-dir", required_argument, 0, O_PROFILE },
		{ "profile-layout", required_argument, 0, O_LAYOUT },
		{ "job-linger", required_argument, 0, O_LINGER }, { "job-grace", required_argument, 0, O_GRACE },
		{ "socket", required_argument, 0, O_SOCKET }, { "allow-anonymous-details", no_argument, 0, O_ANON },
		{ "web.config.file", required_argument, 0, O_WEBCFG }, { "user-label", required_argument, 0, O_ULABEL },
		{ "max-segments-per-user", required_argument, 0, O_MAXSEG },
		{ "max-jobs-per-user", required_argument, 0, O_MAXJOBS },
		{ "max-connections", required_argument, 0, O_MAXCONN },
		{ "history-seconds", required_argument, 0, O_HISTORY }, { "node-name", required_argument, 0, O_NODE },
		{ "prometheus", required_argument, 0, O_PROM },
		{ "insights", required_argument, 0, O_INSIGHTS },
		{ "log-level", required_argument, 0, O_LOGLEVEL }, { "version", no_argument, 0, O_VERSION },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	struct vd_config *c = &vd.cfg;
	bool root = geteuid() == 0;
	double v;
	int opt, rc = 1;
	const char *webcfg = NULL, *insights = NULL;

	c->listen = "127.0.0.1:9787";
	c->interval = 0.1;
	c->job_linger = 30;
	c->job_grace = 300;
	c->max_segments_per_user = 4096;
	c->max_jobs_per_user = 256;
	c->max_connections = 4096;
	c->max_segment_bytes = 64u << 20;
	c->history_seconds = 600;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case O_LISTEN: c->listen = optarg; break;
		case O_DIR_:
			if (c->ndirs == 16) {
				fprintf(stderr, "vigild: at most 16 --dir options.\n");
				return 2;
			}
			c->dirs[c->ndirs++] = optarg;
			break;
		case O_USER_ROOT: c->user_root = optarg; break;
		case O_INTERVAL: if (main_number("--interval", optarg, 0.01, 60, &c->interval)) return 2; break;
		case O_STATE: c->state_dir = optarg; break;
		case O_PROFILE: c->profile_dir = optarg; break;
		case O_LAYOUT:
			if (strcmp(optarg, "flat") && strcmp(optarg, "dated")) {
				fprintf(stderr, "vigild: --profile-layout is flat or dated, not '%s'.\n", optarg);
				return 2;
			}
			c->profile_dated = !strcmp(optarg, "dated");
			break;
		case O_PROM:
			if (strncmp(optarg, "http://", 7)) {
				fprintf(stderr, "vigild: --prometheus wants an http:// URL, not '%s'.\n", optarg);
				return 2;
			}
			c->prometheus = optarg;
			break;
		case O_LINGER: if (main_number("--job-linger", optarg, 0, 86400, &c->job_linger)) return 2; break;
		case O_GRACE: if (main_number("--job-grace", optarg, 0, 86400, &c->job_grace)) return 2; break;
		case O_SOCKET: c->socket_path = optarg; break;
		case O_ANON: c->anon_details = true; break;
		case O_WEBCFG: webcfg = optarg; break;
		case O_ULABEL:
			if (!strcmp(optarg, "on")) c->user_label = VD_LABEL_ON;
			else if (!strcmp(optarg, "hashed")) c->user_label = VD_LABEL_HASHED;
			else if (!strcmp(optarg, "off")) c->user_label = VD_LABEL_OFF;
			else {
				fprintf(stderr, "vigild: --user-label is on, hashed or off, not '%s'.\n", optarg);
				return 2;
			}
			break;
		case O_MAXSEG: if (main_number("--max-segments-per-user", optarg, 1, 1e6, &v)) return 2; c->max_segments_per_user = (unsigned)v; break;
		case O_MAXJOBS: if (main_number("--max-jobs-per-user", optarg, 1, 1e5, &v)) return 2; c->max_jobs_per_user = (unsigned)v; break;
		case O_MAXCONN: if (main_number("--max-connections", optarg, 1, 1e6, &v)) return 2; c->max_connections = (unsigned)v; break;
		case O_NODE:
			if (!*optarg || strlen(optarg) >= sizeof vd.hostname || strpbrk(optarg, "/\\ \t\n\"")) {
				fprintf(stderr, "vigild: --node-name wants a short name without '/', quotes or spaces.\n");
				return 2;
			}
			snprintf(vd.hostname, sizeof vd.hostname, "%s", optarg);
			break;
		case O_HISTORY: if (main_number("--history-seconds", optarg, 10, 86400, &v)) return 2; c->history_seconds = (int)v; break;
		case O_INSIGHTS: insights = optarg; break;
		case O_LOGLEVEL:
			if (!strcmp(optarg, "error")) vd_log_level = VD_LOG_ERROR;
			else if (!strcmp(optarg, "warning")) vd_log_level = VD_LOG_WARN;
			else if (!strcmp(optarg, "info")) vd_log_level = VD_LOG_INFO;
			else if (!strcmp(optarg, "debug")) vd_log_level = VD_LOG_DEBUG;
			else {
				fprintf(stderr, "vigild: --log-level is error, warning, info or debug, not '%s'.\n", optarg);
				return 2;
			}
			break;
		case O_VERSION: printf("vigild %s\n", VIGIL_VERSION); return 0;
		case 'h': main_usage(); return 0;
		default:
			if (optopt)
				fprintf(stderr, "vigild: option '%s' needs a value; see vigild --help.\n", argv[optind - 1]);
			else
				fprintf(stderr, "vigild: unknown option '%s'; see vigild --help.\n", argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vigild: unexpected argument '%s'; see vigild --help.\n", argv[optind]);
		return 2;
	}
	if (vd_insights_load(insights, true) < 0)
		return 2;
	if (!c->state_dir) {
		const char *home = getenv("HOME");
		if (root || !home)
			snprintf(state_default, sizeof state_default, "/var/lib/vigil");
		else
			snprintf(state_default, sizeof state_default, "%s/.local/state/vigil", home);
		c->state_dir = state_default;
	}
	if (main_mkdirs(c->state_dir, 0700) < 0) {
		fprintf(stderr, "vigild: cannot create state directory %s: %s.\n", c->state_dir, strerror(errno));
		return 1;
	}
	if (!c->profile_dir) {
		snprintf(profile_default, sizeof profile_default, "%s/profiles", c->state_dir);
		c->profile_dir = profile_default;
	}
	if (main_mkdirs(c->profile_dir, 0755) < 0) {
		fprintf(stderr, "vigild: cannot create profile directory %s: %s.\n", c->profile_dir, strerror(errno));
		return 1;
	}
	if (!c->socket_path) {
		if (root) {
			main_mkdirs("/run/vigil", 0755);
			snprintf(socket_default, sizeof socket_default, "%s", VIGIL_DAEMON_SOCKET_DEFAULT);
		} else
			snprintf(socket_default, sizeof socket_default, "%s/vigild.sock", c->state_dir);
		c->socket_path = socket_default;
	} else if (!strcmp(c->socket_path, "none"))
		c->socket_path = NULL;
	if (c->ndirs == 0 && !c->user_root) {
		if (root)
			c->user_root = "/dev/shm";
		else {
			snprintf(dir_default, sizeof dir_default, "/dev/shm/vigil-%u", (unsigned)geteuid());
			mkdir(dir_default, 0700);
			c->dirs[c->ndirs++] = dir_default;
		}
	}

	/* 1,000 connections plus one descriptor per live segment. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa = { .sa_handler = main_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (!vd.hostname[0])
		gethostname(vd.hostname, sizeof vd.hostname - 1);
	vd.started = vd_now();

	/* Refuse to start next to a running vigild before touching anything of it. */
	if (vd_instance_lock_state(c->state_dir) < 0 ||
	    (c->socket_path && vd_instance_probe_socket(c->socket_path) < 0))
		return 1;
	if ((webcfg && vd_webcfg_load(webcfg) < 0) || vd_label_key_load(c->state_dir) < 0)
		return 1;
	if ((rc = vd_ckpt_open()) < 0) {
		fprintf(stderr, "vigild: cannot use state directory %s: %s.\n", c->state_dir, strerror(-rc));
		return 1;
	}
	if (vd_dirs_setup() < 0)
		return 1;
	vd_ckpt_load();
	vd_procs_reopen();
	vd_sample();
	vd_ckpt_write_dirty(true);
	if (vd_http_start() < 0) {
		vd_http_stop();
		return 1;
	}
	vd_tokens_refresh();
	vd_log(VD_LOG_INFO, "main", "vigild %s started: %d directories, interval %.3g s, state %s",
	       VIGIL_VERSION, vd.ndirs, c->interval, c->state_dir);

	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	long step = (long)(c->interval * 1e9);
	while (!main_stop) {
		next.tv_nsec += step;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		if (main_reload) {
			main_reload = 0;
			vd_insights_load(NULL, false);
		}
		if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			continue;
		vd_sample();
		vd_ckpt_write_dirty(false);
		static double last_touch;
		if (vd_mono() - last_touch >= VIGIL_DAEMON_REFRESH) {
			/* keeps vigil run leaving segments to us (vigil_daemon_running) */
			for (int i = 0; i < vd.ndirs; i++)
				if (vd.dirs[i].lockfd >= 0)
					futimens(vd.dirs[i].lockfd, NULL);
			last_touch = vd_mono();
		}
		static double last_tok;
		double now = vd_mono();
		if (now - last_tok >= 1.0) {
			vd_tokens_refresh(); /* takes the lock to publish */
			last_tok = now;
		}
		/* Fell behind (suspended, overloaded): skip rather than burst. */
		struct timespec cur;
		clock_gettime(CLOCK_MONOTONIC, &cur);
		if (cur.tv_sec > next.tv_sec + 1)
			next = cur;
	}
	vd_log(VD_LOG_INFO, "main", "stopping");
	vd_http_stop();
	vd_ckpt_write_dirty(true);
	return 0;
}

/*
 * webcfg.c - `--web.config.file`: TLS and basic authentication of the TCP
 * listener, in the Prometheus exporter-toolkit format (docs/DEPLOY.md,
 * "Exporter security"), so a site configures vigild like its other exporters:
 *
 *   tls_server_config:
 *     cert_file: /etc/vigil/tls.crt
 *     key_file: /etc/vigil/tls.key
 *     client_ca_file: /etc/vigil/ca.crt        # with a client_auth_type
 *     client_auth_type: RequireAndVerifyClientCert
 *   basic_auth_users:
 *     prometheus: $2y$10$...                    # bcrypt (htpasswd -B)
 *
 * Parsed with libyaml into its document tree; every key must be one of the
 * above (an unknown or misspelt key is an error, never ignored: a silently
 * dropped `basic_auth_users` would expose the node).  Passwords are checked
 * with libxcrypt's crypt_r; a success is cached (SHA-256 of user, password
 * and hash) so a scrape every second costs one bcrypt per process lifetime,
 * not one per scrape.
 */
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>
#include "daemon/daemon.h"

struct vd_webcfg vd_web;

static const char *const webcfg_auth_names[] = {
	[VD_CLIENT_NONE] = "NoClientCert",
	[VD_CLIENT_REQUEST] = "RequestClientCert",
	[VD_CLIENT_REQUIRE_ANY] = "RequireAnyClientCert",
	[VD_CLIENT_VERIFY_IF_GIVEN] = "VerifyClientCertIfGiven",
	[VD_CLIENT_REQUIRE_VERIFY] = "RequireAndVerifyClientCert",
};

static int webcfg_err(const char *file, const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "vigild: %s: ", file);
	fprintf(stderr, fmt, a, b);
	fprintf(stderr, ".\n");
	return -EINVAL;
}

static const char *webcfg_scalar(yaml_document_t *d, int id)
{
	yaml_node_t *n = yaml_document_get_node(d, id);
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A whole PEM file as a string (MHD wants memory, not paths). */
static char *webcfg_slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	char chunk[4096];
	size_t n;
	while (m && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		fwrite(chunk, 1, n, m);
	bool bad = ferror(f) || !m;
	fclose(f);
	if (m)
		fclose(m);
	if (bad || len > (1u << 20)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int webcfg_tls(const char *file, yaml_document_t *d, yaml_node_t *map)
{
	if (map->type != YAML_MAPPING_NODE)
		return webcfg_err(file, "tls_server_config must be a mapping%s%s", "", "");
	const char *cert = NULL, *key = NULL, *ca = NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = webcfg_scalar(d, p->key), *v = webcfg_scalar(d, p->value);
		if (!k || !v)
			return webcfg_err(file, "tls_server_config holds only 'key: value' lines%s%s", "", "");
		if (!strcmp(k, "cert_file"))
			cert = v;
		else if (!strcmp(k, "key_file"))
			key = v;
		else if (!strcmp(k, "client_ca_file"))
			ca = v;
		else if (!strcmp(k, "client_auth_type")) {
			int t = -1;
			for (int i = 0; i < (int)(sizeof webcfg_auth_names / sizeof *webcfg_auth_names); i++)
				if (!strcmp(v, webcfg_auth_names[i]))
					t = i;
			if (t < 0)
				return webcfg_err(file, "unknown client_auth_type '%s' (NoClientCert, RequestClientCert, "
				                  "RequireAnyClientCert, VerifyClientCertIfGiven or RequireAndVerifyClientCert)%s", v, "");
			vd_web.client_auth = t;
		} else
			return webcfg_err(file, "unknown key '%s' in tls_server_config (vigild knows cert_file, key_file, "
			                  "client_ca_file, client_auth_type)%s", k, "");
	}
	if (!cert || !key)
		return webcfg_err(file, "tls_server_config needs both cert_file and key_file%s%s", "", "");
	if (vd_web.client_auth != VD_CLIENT_NONE && !ca)
		return webcfg_err(file, "client_auth_type %s needs a client_ca_file%s", webcfg_auth_names[vd_web.client_auth], "");
	if (!(vd_web.cert = webcfg_slurp(cert)))
		return webcfg_err(file, "cannot read cert_file %s%s", cert, "");
	if (!(vd_web.key = webcfg_slurp(key)))
		return webcfg_err(file, "cannot read key_file %s%s", key, "");
	if (ca && !(vd_web.ca = webcfg_slurp(ca)))
		return webcfg_err(file, "cannot read client_ca_file %s%s", ca, "");
	return 0;
}

static int webcfg_users(const char *file, yaml_document_t *d, yaml_node_t *map)
{
	if (map->type != YAML_MAPPING_NODE)
		return webcfg_err(file, "basic_auth_users must be a mapping of user: bcrypt hash%s%s", "", "");
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *u = webcfg_scalar(d, p->key), *h = webcfg_scalar(d, p->value);
		if (!u || !h || !*u)
			return webcfg_err(file, "basic_auth_users holds only 'user: bcrypt hash' lines%s%s", "", "");
		if (strncmp(h, "$2", 2) || crypt_checksalt(h) != CRYPT_SALT_OK)
			return webcfg_err(file, "the password of user '%s' is not a bcrypt hash (make one with htpasswd -nB %s)", u, u);
		if (vd_web.nusers == VD_WEB_MAX_USERS)
			return webcfg_err(file, "more than 64 basic_auth_users%s%s", "", "");
		vd_web.users[vd_web.nusers].name = strdup(u);
		vd_web.users[vd_web.nusers].hash = strdup(h);
		vd_web.nusers++;
	}
	return 0;
}

int vd_webcfg_load(const char *file)
{
	FILE *f = fopen(file, "re");
	if (!f) {
		fprintf(stderr, "vigild: cannot read --web.config.file %s: %s.\n", file, strerror(errno));
		return -errno;
	}
	yaml_parser_t ps;
	yaml_document_t d;
	yaml_parser_initialize(&ps);
	yaml_parser_set_input_file(&ps, f);
	int rc = 0;
	if (!yaml_parser_load(&ps, &d)) {
		fprintf(stderr, "vigild: %s: not valid YAML (line %zu: %s).\n", file, ps.problem_mark.line + 1,
		        ps.problem ? ps.problem : "?");
		yaml_parser_delete(&ps);
		fclose(f);
		return -EINVAL;
	}
	yaml_node_t *root = yaml_document_get_root_node(&d);
	if (root && root->type != YAML_MAPPING_NODE)
		rc = webcfg_err(file, "the top level must be a mapping%s%s", "", "");
	for (yaml_node_pair_t *p = root && !rc ? root->data.mapping.pairs.start : NULL;
	     p && p < root->data.mapping.pairs.top && !rc; p++) {
		const char *k = webcfg_scalar(&d, p->key);
		yaml_node_t *v = yaml_document_get_node(&d, p->value);
		if (k && !strcmp(k, "tls_server_config"))
			rc = webcfg_tls(file, &d, v);
		else if (k && !strcmp(k, "basic_auth_users"))
			rc = webcfg_users(file, &d, v);
		else
			rc = webcfg_err(file, "unknown key '%s' (vigild knows tls_server_config and basic_auth_users)%s",
			                k ? k : "?", "");
	}
	yaml_document_delete(&d);
	yaml_parser_delete(&ps);
	fclose(f);
	return rc;
}

/* ---- basic authentication ------------------------------------------------ */

#define WEBCFG_CACHE 64
static struct { unsigned char key[32]; bool used; } webcfg_cache[WEBCFG_CACHE];
static unsigned webcfg_next;
static pthread_mutex_t webcfg_lock = PTHREAD_MUTEX_INITIALIZER;

static void webcfg_key(const char *user, const char *pass, const char *hash, unsigned char out[32])
{
	size_t lu = strlen(user) + 1, lp = strlen(pass) + 1, lh = strlen(hash) + 1;
	char *m = malloc(lu + lp + lh);
	if (!m) {
		memset(out, 0, 32);
		return;
	}
	memcpy(m, user, lu);
	memcpy(m + lu, pass, lp);
	memcpy(m + lu + lp, hash, lh);
	gnutls_hash_fast(GNUTLS_DIG_SHA256, m, lu + lp + lh, out);
	explicit_bzero(m, lu + lp + lh);
	free(m);
}

bool vd_webcfg_check(const char *user, const char *pass)
{
	if (!user || !pass)
		return false;
	const char *hash = NULL;
	for (int i = 0; i < vd_web.nusers; i++)
		if (!strcmp(vd_web.users[i].name, user))
			hash = vd_web.users[i].hash;
	if (!hash)
		return false;
	unsigned char key[32];
	webcfg_key(user, pass, hash, key);
	bool ok = false;
	pthread_mutex_lock(&webcfg_lock);
	for (int i = 0; i < WEBCFG_CACHE && !ok; i++)
		ok = webcfg_cache[i].used && !memcmp(webcfg_cache[i].key, key, sizeof key);
	pthread_mutex_unlock(&webcfg_lock);
	if (ok)
		return true;
	struct crypt_data *cd = calloc(1, sizeof *cd);
	if (!cd)
		return false;
	const char *out = crypt_r(pass, hash, cd);
	ok = out && out[0] != '*' && strlen(out) == strlen(hash);
	if (ok) { /* constant time over the hash's length */
		unsigned char diff = 0;
		for (size_t i = 0; hash[i]; i++)
			diff |= (unsigned char)(out[i] ^ hash[i]);
		ok = !diff;
	}
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	if (ok) {
		pthread_mutex_lock(&webcfg_lock);
		memcpy(webcfg_cache[webcfg_next].key, key, sizeof key);
		webcfg_cache[webcfg_next].used = true;
		webcfg_next = (webcfg_next + 1) % WEBCFG_CACHE;
		pthread_mutex_unlock(&webcfg_lock);
	}
	return ok;
}

/* ---- what anonymous clients see (--user-label) --------------------------- */

/*
 * hashed: "u-" + 12 hex digits of SHA-256(node key, uid): one stable pseudonym
 * per user (jobs of one user can be grouped, the name is not shown).
 * off: "j-" + 12 hex digits of SHA-256(node key, uid, job id): a pseudonym
 * per job, so not even that grouping.  Either way two users' jobs with the
 * same id get different values, so their series never collide.  The key
 * (32 random bytes, <state-dir>/label.key, 0600) keeps pseudonyms stable
 * across restarts and stops anyone from hashing uids to reverse them.
 */
static unsigned char label_key[32];

int vd_label_key_load(const char *state_dir)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/label.key", state_dir);
	FILE *f = fopen(path, "re");
	if (f) {
		size_t n = fread(label_key, 1, sizeof label_key, f);
		fclose(f);
		if (n == sizeof label_key)
			return 0;
	}
	if (gnutls_rnd(GNUTLS_RND_KEY, label_key, sizeof label_key) < 0)
		return -EIO;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, label_key, sizeof label_key) != (ssize_t)sizeof label_key) {
		fprintf(stderr, "vigild: cannot write %s: %s.\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

const char *vd_user_shown(const struct vd_job *j, bool anonymous, char *buf)
{
	if (!anonymous || vd.cfg.user_label == VD_LABEL_ON)
		return j->user;
	bool per_job = vd.cfg.user_label == VD_LABEL_OFF;
	unsigned char m[sizeof label_key + 4 + sizeof j->id], h[32];
	size_t n = 0;
	memcpy(m, label_key, sizeof label_key);
	n += sizeof label_key;
	memcpy(m + n, &j->uid, 4);
	n += 4;
	if (per_job) {
		size_t l = strnlen(j->id, sizeof j->id);
		memcpy(m + n, j->id, l);
		n += l;
	}
	gnutls_hash_fast(GNUTLS_DIG_SHA256, m, n, h);
	snprintf(buf, 32, "%c-%02x%02x%02x%02x%02x%02x", per_job ? 'j' : 'u', h[0], h[1], h[2], h[3], h[4], h[5]);
	return buf;
}

const char *vd_exe_shown(const struct vd_job *j, bool anonymous)
{
	return !anonymous || vd.cfg.user_label == VD_LABEL_ON ? j->exe : "";
}

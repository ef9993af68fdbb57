/*
 * test_json.c - vigil_json_string golden outputs, and a whole profile written
 * as JSON, parsed back with jansson and checked key by key against
 * docs/PROFILE.md (including the mpi section and flags).
 */
#include <jansson.h>
#include <stdlib.h>
#include "format/profile.h"
#include "check.h"
#include "segfab.h"

static char *esc(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	vigil_json_string(f, s);
	fclose(f);
	return buf;
}

static void golden(const char *in, const char *want, int line)
{
	char *got = esc(in);
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "line %d: got %s, expected %s\n", line, got, want);
		check_failures++;
	}
	/* whatever went in, a JSON parser takes what came out */
	json_error_t err;
	json_t *j = json_loads(got, JSON_DECODE_ANY, &err);
	if (!j || !json_is_string(j)) {
		fprintf(stderr, "line %d: %s is not a JSON string: %s\n", line, got, err.text);
		check_failures++;
	}
	json_decref(j);
	free(got);
}
#define GOLDEN(in, want) golden(in, want, __LINE__)

static void test_strings(void)
{
	GOLDEN("plain", "\"plain\"");
	GOLDEN("", "\"\"");
	GOLDEN(NULL, "\"\"");
	GOLDEN("a\"b\\c/d", "\"a\\\"b\\\\c/d\"");
	GOLDEN("\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\"");
	GOLDEN("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	GOLDEN("\x1b[31mred", "\"\\u001b[31mred\"");
	GOLDEN("caf\xc3\xa9", "\"caf\xc3\xa9\"");                 /* valid 2-byte */
	GOLDEN("\xe2\x82\xac", "\"\xe2\x82\xac\"");                /* valid 3-byte: euro */
	GOLDEN("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");        /* valid 4-byte */
	GOLDEN("a\xff" "b", "\"a\\ufffdb\"");                      /* invalid byte */
	GOLDEN("\xe2\x82", "\"\\ufffd\"");                         /* truncated: one U+FFFD */
	GOLDEN("\xe2\x82x", "\"\\ufffdx\"");
	GOLDEN("\xc0\xaf", "\"\\ufffd\\ufffd\"");                  /* overlong '/' */
	GOLDEN("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"");       /* overlong 3-byte */
	GOLDEN("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");       /* UTF-16 surrogate */
	GOLDEN("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* above U+10FFFF */
	GOLDEN("\x80", "\"\\ufffd\"");                             /* lone continuation */
	GOLDEN("\xf0\x9f\x98", "\"\\ufffd\"");                     /* truncated 4-byte */
}

static json_t *path(json_t *j, const char *dotted)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", dotted);
	for (char *tok = strtok(buf, "."); tok && j; tok = strtok(NULL, "."))
		j = json_is_array(j) ? json_array_get(j, (size_t)atoi(tok)) : json_object_get(j, tok);
	return j;
}

static double num(json_t *root, const char *dotted)
{
	json_t *j = path(root, dotted);
	if (!json_is_number(j)) {
		fprintf(stderr, "%s: missing or not a number\n", dotted);
		check_failures++;
		return -12345;
	}
	return json_number_value(j);
}

static const char *str(json_t *root, const char *dotted)
{
	json_t *j = path(root, dotted);
	return json_is_string(j) ? json_string_value(j) : "(missing)";
}

static struct fab rank_seg(int rank, uint64_t send_ns, uint64_t barrier_ns, uint64_t bytes)
{
	struct fab f = fab_new(VIGIL_NOPS, 1, 1);
	f.id->pid = 300 + rank;
	f.id->rank = rank;
	f.id->nranks = 2;
	fab_op(&f, 0, VIGIL_OP_MPI_SEND, 2, bytes, send_ns, bytes / 2);
	fab_op(&f, 0, VIGIL_OP_MPI_BARRIER, 1, 0, barrier_ns, 0);
	fab_op(&f, 0, VIGIL_OP_WRITE, 1, 8, 100, 8);
	fab_shard(&f, 0)->timeline[0][VIGIL_LAYER_MPI].ops = 3;
	struct vigil_file *r = fab_file(&f, 0, VIGIL_FILE_REGULAR, "/out/\"odd\"\nname\xff");
	r->layer[VIGIL_FLAYER_POSIX] = (struct vigil_file_counters){ .writes = 1, .bytes_written = 8 };
	return f;
}

static void test_profile_json(void)
{
	struct vigil_profile p;
	vigil_profile_init(&p);
	vigil_profile_set_str(&p.generator, "vigil run");
	vigil_profile_set_str(&p.user, "alice");
	p.uid = 1000;
	struct fab a = rank_seg(0, 1000, 3000, 100), b = rank_seg(1, 3000, 1000, 300);
	strcpy(b.id->cmdline, "evil \x1b[2J\"cmd\"");
	b.h->flags = VIGIL_FLAG_PATH_TRUNCATED;
	b.h->early_calls = 4;
	struct fab *segs[] = { &a, &b };
	for (int i = 0; i < 2; i++) {
		struct vigil_seg_view v;
		const char *why;
		CHECK_INT(vigil_seg_parse(segs[i]->buf, segs[i]->len, 0, &v, &why), 0);
		CHECK_INT(vigil_profile_add_segment(&p, &v), 0);
	}
	p.survivors = 1;
	p.flags |= VIGIL_PFLAG_REJECTED;

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CHECK_INT(vigil_profile_write_json(&p, f), 0);
	fclose(f);
	json_error_t err;
	json_t *j = json_loads(buf, 0, &err);
	if (!j) {
		fprintf(stderr, "profile JSON does not parse: %s (line %d)\n%s\n", err.text, err.line, buf);
		check_failures++;
		goto out;
	}
	CHECK_STR(str(j, "schema"), "vigil-profile/1");
	CHECK(strncmp(str(j, "generator"), "vigil run ", 10) == 0);
	CHECK_STR(str(j, "job.id"), "job1");
	CHECK_STR(str(j, "job.step"), "");
	CHECK_STR(str(j, "job.user"), "alice");
	CHECK_NEAR(num(j, "job.uid"), 1000, 0);
	CHECK_STR(str(j, "job.command"), "app --in data");
	CHECK_NEAR(num(j, "job.start"), 1e9, 1e-6);
	CHECK_NEAR(num(j, "job.end"), 1e9 + 2, 1e-6);
	CHECK_NEAR(num(j, "job.duration_seconds"), 2, 1e-6);
	CHECK_STR(str(j, "job.hosts.0"), "node1");
	CHECK_NEAR(num(j, "job.processes"), 2, 0);
	CHECK_NEAR(num(j, "job.ranks"), 2, 0);

	CHECK_NEAR(num(j, "totals.mpi.MPI_Send.calls"), 4, 0);
	CHECK_NEAR(num(j, "totals.mpi.MPI_Send.bytes"), 400, 0);
	CHECK_NEAR(num(j, "totals.mpi.MPI_Send.seconds"), 4e-6, 1e-15);
	CHECK_NEAR(num(j, "totals.mpi.MPI_Send.errors"), 0, 0);
	CHECK_STR(str(j, "totals.mpi.MPI_Send.class"), "data");
	CHECK_STR(str(j, "totals.mpi.MPI_Barrier.class"), "sync");
	CHECK_NEAR(json_array_size(path(j, "totals.mpi.MPI_Send.size_histogram")), 32, 0);
	CHECK_NEAR(num(j, "totals.mpi.MPI_Send.size_histogram.6"), 2, 0); /* 50 B: [32,64) */
	CHECK_NEAR(num(j, "totals.mpi.MPI_Send.size_histogram.8"), 2, 0); /* 150 B: [128,256) */
	CHECK(path(j, "totals.mpi.MPI_Recv") == NULL);   /* only ops called */
	CHECK(path(j, "totals.stdio") == NULL);          /* only layers used */
	CHECK_NEAR(num(j, "totals.posix.write.calls"), 2, 0);
	CHECK_NEAR(num(j, "classes.mpi.data.calls"), 4, 0);
	CHECK_NEAR(num(j, "classes.mpi.sync.seconds"), 4e-6, 1e-15);
	CHECK(path(j, "classes.mpi.metadata") == NULL);

	CHECK_NEAR(json_array_size(path(j, "files")), 1, 0);
	CHECK_STR(str(j, "files.0.path"), "/out/\"odd\"\nname\xef\xbf\xbd");
	CHECK_STR(str(j, "files.0.layer"), "posix");
	CHECK_NEAR(num(j, "files.0.bytes_written"), 16, 0);
	CHECK_NEAR(num(j, "files.0.processes"), 2, 0);
	CHECK_NEAR(num(j, "files.0.ranks"), 2, 0);
	CHECK_NEAR(num(j, "files.0.rank_min"), 0, 0);
	CHECK_NEAR(num(j, "files.0.rank_max"), 1, 0);
	CHECK_NEAR(num(j, "files.0.first_access"), 0, 0);

	CHECK_NEAR(num(j, "timeline.bins"), 64, 0);
	CHECK_NEAR(json_array_size(path(j, "timeline.layers.mpi.ops")), 64, 0);
	CHECK(path(j, "timeline.layers.posix") == NULL);
	CHECK_NEAR(num(j, "timeline.layers.mpi.ops.0"), 6, 1e-9);

	CHECK_NEAR(json_array_size(path(j, "processes")), 2, 0);
	CHECK_NEAR(num(j, "processes.1.pid"), 301, 0);
	CHECK_NEAR(num(j, "processes.1.rank"), 1, 0);
	CHECK_STR(str(j, "processes.1.command"), "evil \x1b[2J\"cmd\"");
	CHECK_STR(str(j, "processes.1.state"), "exited");
	CHECK_NEAR(num(j, "processes.1.exit_status"), 0, 0);
	CHECK_NEAR(num(j, "processes.1.signal"), 0, 0);
	CHECK_NEAR(num(j, "processes.1.totals.mpi.MPI_Send.seconds"), 3e-6, 1e-15);

	CHECK_NEAR(num(j, "mpi.ranks"), 2, 0);
	CHECK_NEAR(num(j, "mpi.per_rank.mpi.MPI_Send.min"), 1e-6, 1e-15);
	CHECK_NEAR(num(j, "mpi.per_rank.mpi.MPI_Send.max"), 3e-6, 1e-15);
	CHECK_NEAR(num(j, "mpi.per_rank.mpi.MPI_Send.mean"), 2e-6, 1e-15);
	CHECK_NEAR(num(j, "mpi.per_rank.mpi.MPI_Send.min_rank"), 0, 0);
	CHECK_NEAR(num(j, "mpi.per_rank.mpi.MPI_Send.max_rank"), 1, 0);
	CHECK_NEAR(num(j, "mpi.per_rank.mpi.MPI_Send.bytes.min"), 100, 0);
	CHECK_NEAR(num(j, "mpi.per_rank.mpi.MPI_Send.bytes.max_rank"), 1, 0);
	CHECK_NEAR(num(j, "mpi.per_rank.mpi.MPI_Barrier.max_rank"), 0, 0);
	CHECK_NEAR(num(j, "mpi.per_rank.posix.write.mean"), 1e-7, 1e-15);
	CHECK_NEAR(num(j, "mpi.imbalance.mpi.MPI_Send"), 1.5, 1e-12);
	CHECK_NEAR(num(j, "mpi.imbalance.posix.write"), 1.0, 1e-12);
	CHECK_NEAR(num(j, "mpi.time_share.MPI_Send"), 0.5, 1e-12);
	CHECK_NEAR(num(j, "mpi.time_share.MPI_Barrier"), 0.5, 1e-12);

	json_t *flags = path(j, "flags");
	CHECK_NEAR(json_array_size(flags), 4, 0);
	CHECK_STR(str(j, "flags.0"), "path_truncated");
	CHECK_STR(str(j, "flags.1"), "early_calls");
	CHECK_STR(str(j, "flags.2"), "rejected_segments");
	CHECK_STR(str(j, "flags.3"), "survivors");
	json_decref(j);

	/* A non-MPI profile has no mpi section and "ranks": 0. */
	struct vigil_profile e;
	vigil_profile_init(&e);
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	CHECK_INT(vigil_profile_write_json(&e, f), 0);
	fclose(f);
	j = json_loads(buf, 0, &err);
	CHECK(j != NULL);
	CHECK(path(j, "mpi") == NULL);
	CHECK_NEAR(num(j, "job.ranks"), 0, 0);
	CHECK_NEAR(json_array_size(path(j, "flags")), 0, 0);
	CHECK(json_is_object(path(j, "totals")) && json_object_size(path(j, "totals")) == 0);
	json_decref(j);
	vigil_profile_free(&e);
out:
	free(buf);
	vigil_profile_free(&p);
	fab_free(&a);
	fab_free(&b);
}

int main(void)
{
	test_strings();
	test_profile_json();
	CHECK_DONE();
}

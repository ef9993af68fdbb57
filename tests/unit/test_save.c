/*
 * test_save.c - vigil_profile_save: complete file or none, never replaces an
 * existing file, leaves no temporary file behind, reports errors as -errno.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "format/profile.h"
#include "check.h"

static int count_entries(const char *dir)
{
	int n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	if (d)
		closedir(d);
	return n;
}

int main(void)
{
	char dir[] = "/tmp/vigil-test-save-XXXXXX", file[256], sub[300];
	CHECK(mkdtemp(dir) != NULL);
	snprintf(file, sizeof(file), "%s/p.json", dir);

	struct vigil_profile p;
	vigil_profile_init(&p);
	vigil_profile_set_str(&p.job_id, "first");
	CHECK_INT(vigil_profile_save(&p, file, 0640, VIGIL_SAVE_DURABLE), 0);
	struct stat sb;
	CHECK_INT(stat(file, &sb), 0);
	CHECK_INT(sb.st_mode & 0777, 0640 & ~umask(022)); /* the mode asked for, less the umask */
	json_error_t err;
	json_t *j = json_load_file(file, 0, &err);
	CHECK(j && !strcmp(json_string_value(json_object_get(json_object_get(j, "job"), "id")), "first"));
	json_decref(j);

	/* An existing file is never replaced, whatever the profile says. */
	vigil_profile_set_str(&p.job_id, "second");
	CHECK_INT(vigil_profile_save(&p, file, 0640, VIGIL_SAVE_DURABLE), -EEXIST);
	j = json_load_file(file, 0, &err);
	CHECK(j && !strcmp(json_string_value(json_object_get(json_object_get(j, "job"), "id")), "first"));
	json_decref(j);
	/* Not even a symlink (dangling or not) standing where the profile goes. */
	snprintf(sub, sizeof(sub), "%s/link.json", dir);
	CHECK_INT(symlink("/nonexistent/target", sub), 0);
	CHECK_INT(vigil_profile_save(&p, sub, 0640, VIGIL_SAVE_DURABLE), -EEXIST);
	CHECK_INT(count_entries(dir), 2); /* p.json, link.json: no temporary left */

	/* Errors come back as -errno. */
	snprintf(sub, sizeof(sub), "%s/missing/p.json", dir);
	CHECK_INT(vigil_profile_save(&p, sub, 0640, VIGIL_SAVE_DURABLE), -ENOENT);
	snprintf(sub, sizeof(sub), "%s/p.json/x.json", dir);
	CHECK_INT(vigil_profile_save(&p, sub, 0640, VIGIL_SAVE_DURABLE), -ENOTDIR);
	CHECK_INT(vigil_profile_save(&p, "", 0640, VIGIL_SAVE_DURABLE), -EINVAL);
	CHECK_INT(vigil_profile_save(&p, "/dev/full/x.json", 0640, VIGIL_SAVE_DURABLE), -ENOTDIR);
	CHECK_INT(count_entries(dir), 2);

	/* A relative name lands in the current directory. */
	char cwd[4096];
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	CHECK_INT(chdir(dir), 0);
	CHECK_INT(vigil_profile_save(&p, "rel.json", 0600, 0) /* vigil run: no fsync */, 0);
	CHECK_INT(access("rel.json", F_OK), 0);
	CHECK_INT(count_entries("."), 3);
	CHECK_INT(chdir(cwd), 0);

	/* Clean up. */
	snprintf(sub, sizeof(sub), "%s/rel.json", dir);
	unlink(sub);
	snprintf(sub, sizeof(sub), "%s/link.json", dir);
	unlink(sub);
	unlink(file);
	rmdir(dir);
	vigil_profile_free(&p);
	CHECK_DONE();
}

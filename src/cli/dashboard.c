/*
 * dashboard.c - `vigil dashboard`: print the URL of your dashboard with your
 * access token, which vigild keeps in your segment directory (mode 0600).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "common/help.h"
#include "cli/cli.h"
#include "common/vigild_client.h"

int cmd_dashboard(int argc, char **argv)
{
	char dir[4096], path[4200], buf[1024];
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		vigil_help("usage: vigil dashboard\n\nPrint the URL of your vigild dashboard, including your personal token\n"
		       "(read from $VIGIL_DIR or /dev/shm/vigil-UID/%s). Keep it private: it shows\n"
		       "your jobs' file names and command lines.\n", VIGIL_DAEMON_TOKEN);
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "vigil dashboard: unexpected argument '%s' (it takes none; see vigil dashboard --help).\n",
		        argv[1]);
		return 2;
	}
	vigil_daemon_user_segdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/%s", dir, VIGIL_DAEMON_TOKEN);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "vigil dashboard: no token in %s (%s): is vigild running on this node?\n",
		        dir, strerror(errno));
		return 1;
	}
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0) {
		fprintf(stderr, "vigil dashboard: the token file %s is empty.\n", path);
		return 1;
	}
	buf[n] = 0;
	/* line 1: token, line 2: URL with the token */
	char *url = strchr(buf, '\n');
	if (!url || !url[1]) {
		fprintf(stderr, "vigil dashboard: the token file %s is damaged.\n", path);
		return 1;
	}
	url++;
	url[strcspn(url, "\r\n")] = 0;
	for (char *c = url; *c; c++)
		if ((unsigned char)*c < 0x21 || *c == 0x7f) {
			fprintf(stderr, "vigil dashboard: the token file %s is damaged.\n", path);
			return 1;
		}
	printf("%s\n", url);
	return 0;
}

/*
 * demo_io.c - a small job with I/O patterns anyone recognises in a profile:
 *   - a log written with 5000 tiny (16-byte) write() calls: the classic mistake;
 *   - a 4 MiB data file written in 1 MiB blocks, then read back in 4 large reads;
 *   - a metadata storm: 200 files created, stat'ed and removed;
 *   - stdio: a CSV written with fprintf, read back with fgets;
 *   - a child process (fork) that reads the data file again.
 * usage: demo_io DIR   (DIR must exist; everything is created inside it)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BLOCK (1 << 20)

static int die(const char *what)
{
	perror(what);
	return 1;
}

static int read_all(const char *path)
{
	char *buf = malloc(BLOCK);
	int fd = open(path, O_RDONLY);
	if (fd < 0 || !buf)
		return -1;
	while (read(fd, buf, BLOCK) > 0)
		;
	close(fd);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	char path[4096];
	const char *dir = argc > 1 ? argv[1] : ".";

	/* 1. many small writes */
	snprintf(path, sizeof(path), "%s/demo.log", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return die(path);
	for (int i = 0; i < 5000; i++) {
		char line[17];
		snprintf(line, sizeof(line), "step %09d\n", i);
		if (write(fd, line, 16) != 16)
			return die("write");
	}
	close(fd);

	/* 2. large sequential writes, then large reads */
	char *block = malloc(BLOCK);
	if (!block)
		return 1;
	memset(block, 'x', BLOCK);
	snprintf(path, sizeof(path), "%s/demo.dat", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return die(path);
	for (int i = 0; i < 4; i++)
		if (write(fd, block, BLOCK) != BLOCK)
			return die("write");
	fsync(fd);
	close(fd);
	if (read_all(path))
		return die(path);

	/* 3. metadata storm */
	for (int i = 0; i < 200; i++) {
		char f[4200];
		struct stat sb;
		snprintf(f, sizeof(f), "%s/meta-%03d.tmp", dir, i);
		int t = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (t >= 0)
			close(t);
		stat(f, &sb);
		unlink(f);
	}

	/* 4. stdio */
	snprintf(path, sizeof(path), "%s/demo.csv", dir);
	FILE *csv = fopen(path, "w");
	if (!csv)
		return die(path);
	for (int i = 0; i < 1000; i++)
		fprintf(csv, "%d,%d,%f\n", i, i * i, i / 7.0);
	fclose(csv);
	csv = fopen(path, "r");
	if (!csv)
		return die(path);
	char line[256];
	long rows = 0;
	while (fgets(line, sizeof(line), csv))
		rows++;
	fclose(csv);

	/* 5. a child process reads the data again */
	snprintf(path, sizeof(path), "%s/demo.dat", dir);
	pid_t pid = fork();
	if (pid == 0)
		_exit(read_all(path) ? 1 : 0);
	int status = 0;
	waitpid(pid, &status, 0);

	printf("demo_io: wrote 5000 log lines, 4 MiB of data, %ld CSV rows; child exit %d\n",
	       rows, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	free(block);
	return 0;
}

/*
 * late.c - one deliberately late rank: rank LATE (argv[1], default 0) sleeps
 * 1.5 s before an MPI_Barrier, so every other rank waits in it (a margin
 * far above the start-up skew of 4 ranks on 2 loaded cores under ASan).  Before
 * that each rank touches its own file with 16 kinds of POSIX calls (more
 * than a summary's rows) and writes 4 KiB at its own offset of a shared file
 * with MPI_File_write_at.  After MPI_Finalize no I/O at all: it leaves with
 * _exit, so not even exit handlers (MPICH's flush stdio) run (agree.sh).
 */
#include <mpi.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static char buf[4096];

static void posix_mix(int rank)
{
	char name[64], name2[64], dir[64];
	struct stat st;
	struct iovec iov = { buf, 512 };
	snprintf(name, sizeof(name), "late.%d", rank);
	snprintf(name2, sizeof(name2), "late.%d.moved", rank);
	snprintf(dir, sizeof(dir), "late.%d.d", rank);
	int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return;
	if (write(fd, buf, sizeof(buf)) < 0 || pwrite(fd, buf, 1024, 4096) < 0 || writev(fd, &iov, 1) < 0)
		perror("write");
	lseek(fd, 0, SEEK_SET);
	if (read(fd, buf, 100) < 0 || pread(fd, buf, 200, 100) < 0 || readv(fd, &iov, 1) < 0)
		perror("read");
	fstat(fd, &st);
	fsync(fd);
	fdatasync(fd);
	if (ftruncate(fd, 2048) < 0)
		perror("ftruncate");
	close(fd);
	access(name, R_OK);
	rename(name, name2);
	mkdir(dir, 0700);
	DIR *d = opendir(dir);
	if (d)
		closedir(d);
	rmdir(dir);
	unlink(name2);
}

int main(int argc, char **argv)
{
	int rank, late = argc > 1 ? atoi(argv[1]) : 0;
	MPI_File fh;
	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	posix_mix(rank);
	MPI_File_open(MPI_COMM_WORLD, "late.shared", MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL, &fh);
	MPI_File_write_at(fh, (MPI_Offset)rank * 4096, buf, 4096, MPI_BYTE, MPI_STATUS_IGNORE);
	MPI_File_close(&fh);
	if (rank == late)
		nanosleep(&(struct timespec){ 1, 500 * 1000 * 1000 }, NULL);
	MPI_Barrier(MPI_COMM_WORLD);
	MPI_Finalize();
	_exit(0);
}

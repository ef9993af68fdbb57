/* serial_io FILE: exactly 3 write() of 1000 bytes, then 3 read() (1500, 1500, 0 at EOF). */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[1500];
	memset(buf, 'v', sizeof buf);
	if (argc != 2)
		return 2;
	int fd = open(argv[1], O_CREAT | O_TRUNC | O_WRONLY, 0600);
	if (fd < 0)
		return 1;
	for (int i = 0; i < 3; i++)
		if (write(fd, buf, 1000) != 1000)
			return 1;
	close(fd);
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || read(fd, buf, 1500) != 1500 || read(fd, buf, 1500) != 1500 || read(fd, buf, 1500) != 0)
		return 1;
	close(fd);
	return 0;
}

/*
 * image.h - can the collector enter a program image?  Header-only (libc
 * only, reads through a caller's pread) because two sides need the same
 * answer: `vigil run` warns before starting a command, and the collector
 * flags a posix_spawn whose image will not load it (docs/COLLECTOR.md,
 * "What is flagged").
 */
#ifndef VIGIL_FORMAT_IMAGE_H
#define VIGIL_FORMAT_IMAGE_H
#include <elf.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

typedef ssize_t (*vigil_pread_fn)(int fd, void *buf, size_t len, off_t off);

/* 1 when the ELF at fd has no program interpreter (static: nothing is preloaded), else 0. */
static inline int vigil_image_static(int fd, vigil_pread_fn rd)
{
	unsigned char e[EI_NIDENT];
	if (rd(fd, e, sizeof(e), 0) != (ssize_t)sizeof(e) || memcmp(e, ELFMAG, SELFMAG) != 0)
		return 0;
	uint64_t phoff;
	unsigned phnum, phentsize;
	if (e[EI_CLASS] == ELFCLASS64) {
		Elf64_Ehdr h;
		if (rd(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
			return 0;
		phoff = h.e_phoff, phnum = h.e_phnum, phentsize = h.e_phentsize;
	} else if (e[EI_CLASS] == ELFCLASS32) {
		Elf32_Ehdr h;
		if (rd(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
			return 0;
		phoff = h.e_phoff, phnum = h.e_phnum, phentsize = h.e_phentsize;
	} else {
		return 0;
	}
	if (phentsize < sizeof(uint32_t) || phnum > 4096)
		return 0;
	for (unsigned i = 0; i < phnum; i++) {
		uint32_t type;
		if (rd(fd, &type, sizeof(type), (off_t)(phoff + (uint64_t)i * phentsize)) != sizeof(type))
			return 0;
		if (type == PT_INTERP)
			return 0;
	}
	return 1;
}

/*
 * 1 when exec'ing a file with mode/owner `st` from a process with real ids
 * ruid/rgid and effective ids euid/egid runs it in secure mode (AT_SECURE):
 * the new effective ids differ from the real ones, and the loader ignores
 * LD_PRELOAD.  A set-user-ID program run by its owner is not secure: it is
 * measured.
 */
static inline int vigil_image_secure(const struct stat *st, uid_t ruid, gid_t rgid, uid_t euid, gid_t egid)
{
	uid_t nu = (st->st_mode & S_ISUID) ? st->st_uid : euid;
	gid_t ng = (st->st_mode & S_ISGID) ? st->st_gid : egid;
	return nu != ruid || ng != rgid;
}

#endif

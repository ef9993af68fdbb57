/*
 * shimstub.c - a stand-in "MPI" library for shimrace.c: two MPI names as plain functions, so the
 * shim's trampolines and lazy resolver are tested without an MPI (the shim then goes to the next
 * definition: these).  MPI_Sendrecv has 12 arguments (six on the stack); this stand-in also takes
 * 8 doubles after them, varargs-style, so xmm0-7 and %al cross the resolver too (no MPI call
 * takes floating-point arguments).  It writes everything it received, %rax included, to the
 * record its 12th argument points at, for the caller to compare exactly.
 */
#include <stdarg.h>

struct sr_seen {
	long a[11];
	double d[8];
	long rax; /* offset 152, written by the entry below */
};

/* entry: %rax as the call left it (a varargs call's %al = vector registers used), before any C code */
__asm__(".text\n"
        ".globl MPI_Sendrecv\n"
        ".type MPI_Sendrecv,@function\n"
        "MPI_Sendrecv:\n"
        "	movq 48(%rsp), %r11\n" /* the 12th argument, the record */
        "	movq %rax, 152(%r11)\n"
        "	jmp sr_body\n"
        ".size MPI_Sendrecv, .-MPI_Sendrecv\n");

__attribute__((used, visibility("hidden"))) int sr_body(const void *sbuf, int scount, void *stype, int dest,
                                                        int stag, void *rbuf, int rcount, void *rtype,
                                                        int src, int rtag, void *comm, void *status, ...);
int sr_body(const void *sbuf, int scount, void *stype, int dest, int stag, void *rbuf, int rcount,
            void *rtype, int src, int rtag, void *comm, void *status, ...)
{
	struct sr_seen *s = status;
	long a[11] = {(long)sbuf, scount, (long)stype, dest, stag, (long)rbuf,
	              rcount, (long)rtype, src, rtag, (long)comm};
	for (int i = 0; i < 11; i++)
		s->a[i] = a[i];
	va_list ap;
	va_start(ap, status);
	for (int i = 0; i < 8; i++)
		s->d[i] = va_arg(ap, double);
	va_end(ap);
	return scount + rtag;
}

int MPI_Comm_rank(void *comm, int *rank)
{
	*rank = (int)(long)comm;
	return 0;
}

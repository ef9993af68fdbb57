/* check.h - the few assertions the unit tests need; a failed check reports file:line and the values. */
#ifndef VIGIL_TEST_CHECK_H
#define VIGIL_TEST_CHECK_H

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static int check_failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		check_failures++; \
	} } while (0)

#define CHECK_U64(a, b) do { \
	uint64_t check_a = (uint64_t)(a), check_b = (uint64_t)(b); \
	if (check_a != check_b) { \
		fprintf(stderr, "%s:%d: %s == %" PRIu64 ", expected %" PRIu64 "\n", \
		        __FILE__, __LINE__, #a, check_a, check_b); \
		check_failures++; \
	} } while (0)

#define CHECK_INT(a, b) do { \
	long long check_a = (long long)(a), check_b = (long long)(b); \
	if (check_a != check_b) { \
		fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n", \
		        __FILE__, __LINE__, #a, check_a, check_b); \
		check_failures++; \
	} } while (0)

#define CHECK_NEAR(a, b, eps) do { \
	double check_a = (a), check_b = (b); \
	if (!(fabs(check_a - check_b) <= (eps))) { \
		fprintf(stderr, "%s:%d: %s == %.17g, expected %.17g\n", \
		        __FILE__, __LINE__, #a, check_a, check_b); \
		check_failures++; \
	} } while (0)

#define CHECK_STR(a, b) do { \
	const char *check_a = (a), *check_b = (b); \
	if (!check_a || strcmp(check_a, check_b) != 0) { \
		fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", \
		        __FILE__, __LINE__, #a, check_a ? check_a : "(null)", check_b); \
		check_failures++; \
	} } while (0)

#define CHECK_DONE() do { \
	if (check_failures) \
		fprintf(stderr, "%d check(s) failed\n", check_failures); \
	return check_failures ? 1 : 0; \
	} while (0)

#endif

/* testutil.h - shared helpers for the cmocka unit tests. */
#ifndef MGR_TESTUTIL_H
#define MGR_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "util.h"

/* A fresh private folder for one test; removed by tmpdir_free. */
static inline char *
tmpdir_new(void)
{
	char tmpl[] = "/tmp/manager-unit.XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return xstrdup(d);
}

static inline void
tmpdir_free(char *dir)
{
	rm_rf(dir, NULL);
	free(dir);
}

static inline void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

#endif

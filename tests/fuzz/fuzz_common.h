/* fuzz_common.h - helpers shared by the libFuzzer harnesses. */
#ifndef MGR_FUZZ_COMMON_H
#define MGR_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* The input as a NUL-terminated string (embedded NULs cut it short, as
 * they would any C string the program gets). */
static inline char *
fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static char fuzz_dir[64];

/* Removes the temporary folder at exit. */
static inline void
fuzz_cleanup(void)
{
	rm_rf(fuzz_dir, NULL);
}

/* Writes the input to dir/name in a private temporary folder, made once
 * per process; returns the folder. */
static inline const char *
fuzz_write_file(const char *name, const uint8_t *data, size_t size)
{
	char *dir = fuzz_dir, path[128];
	FILE *f;

	if (dir[0] == '\0') {
		snprintf(fuzz_dir, sizeof fuzz_dir, "/tmp/mgr-fuzz-XXXXXX");
		if (mkdtemp(fuzz_dir) == NULL)
			abort();
		atexit(fuzz_cleanup);
	}
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	return dir;
}

#endif

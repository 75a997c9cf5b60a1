/* slow_rename.c - a test's fault injection, kept out of the program:
 * with LD_PRELOAD, every rename(2) of the process waits SLOW_RENAME_MS
 * milliseconds first, so a kill -9 at a random moment lands between the
 * steps of a folder swap (tests/reload/snapshot.sh). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

int
rename(const char *from, const char *to)
{
	int (*real)(const char *, const char *) =
	    (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
	const char *s = getenv("SLOW_RENAME_MS");
	long ms = s != NULL ? atol(s) : 0;

	if (ms > 0 && ms < 60000) {
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
		nanosleep(&ts, NULL);
	}
	return real(from, to);
}

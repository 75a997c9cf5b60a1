/* fuzz_index.c - a repository's index.conf through package_index_load. */
#include <stdint.h>
#include <stdlib.h>

#include "error.h"
#include "fuzz_common.h"
#include "package_index.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = fuzz_write_file(PACKAGE_INDEX_FILE, data, size);
	struct pkg_entry *e = NULL;
	struct mgr_error err = { 0 };
	size_t n = 0, i;

	if (package_index_load(dir, &e, &n, &err) == 0) {
		for (i = 0; i < n; i++)
			pkg_entry_clear(&e[i]);
		free(e);
	} else if (err.msg[0] == '\0') {
		abort();
	}
	return 0;
}

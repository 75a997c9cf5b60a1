/* fuzz_manifest.c - plugin.conf through manifest_load (written to a
 * temporary folder, as the loader reads files). */
#include <stdint.h>
#include <stdlib.h>

#include "error.h"
#include "fuzz_common.h"
#include "manifest.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = fuzz_write_file(MANIFEST_FILE, data, size);
	struct mgr_problems probs = { 0 };
	struct manifest m = { 0 };
	struct mgr_error err = { 0 };
	char *lib;

	if (manifest_load(dir, &m, &probs, &err) == 0) {
		lib = manifest_library_path(&m);
		free(lib);
	} else if (err.msg[0] == '\0') {
		abort();
	}
	manifest_clear(&m);
	problems_free(&probs);
	return 0;
}

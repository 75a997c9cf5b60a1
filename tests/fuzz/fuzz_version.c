/* fuzz_version.c - version_parse, constraint_parse/format/match and
 * dep_parse on the same text. */
#include <stdint.h>
#include <stdlib.h>

#include "error.h"
#include "fuzz_common.h"
#include "version.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_str(data, size);
	struct vconstraint c;
	struct semver v, w;
	struct dep_spec d;
	struct mgr_error err = { 0 };
	char buf[256];

	if (version_parse(text, 1, &v, &err) == 0) {
		(void)version_cmp(&v, &v);
		if (version_parse("1.2.3-rc.1", 0, &w, &err) == 0)
			(void)version_cmp(&v, &w);
	} else if (err.msg[0] == '\0') {
		abort();
	}
	(void)version_parse(text, 0, &v, &err);
	if (constraint_parse(text, &c, &err) == 0) {
		constraint_format(&c, buf, sizeof buf);
		(void)version_parse("1.2.3", 0, &v, &err);
		(void)constraint_match(&c, &v);
	} else if (err.msg[0] == '\0') {
		abort();
	}
	if (dep_parse(text, &d, &err) != 0 && err.msg[0] == '\0')
		abort();
	(void)plugin_id_valid(text);
	free(text);
	return 0;
}

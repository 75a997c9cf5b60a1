/* fuzz_tzif.c - a TZif file (as /usr/share/zoneinfo holds) through
 * tz_load via $TZDIR, then offsets and wall-time conversions. */
#include <stdint.h>
#include <stdlib.h>

#include "error.h"
#include "fuzz_common.h"
#include "tz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int64_t instants[] = { INT64_C(-5000000000), 0,
	    INT64_C(1774746000), INT64_C(4102444800), INT64_C(253402300799) };
	const char *dir = fuzz_write_file("Zone", data, size);
	struct mgr_error err = { 0 };
	struct tm_fields wall;
	struct tz *z = NULL;
	int64_t s;
	size_t i;
	int flags;

	setenv("TZDIR", dir, 1);
	if (tz_load("Zone", &z, &err) != 0) {
		if (err.msg[0] == '\0')
			abort();
		return 0;
	}
	for (i = 0; i < sizeof instants / sizeof instants[0]; i++) {
		(void)tz_offset_at(z, instants[i]);
		tz_utc_to_local(z, instants[i], &wall);
		(void)tz_local_to_utc(z, &wall, &s, &flags);
	}
	tz_free(z);
	return 0;
}

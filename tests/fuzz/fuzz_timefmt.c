/* fuzz_timefmt.c - timefmt_parse in UTC and in a zone with DST, and
 * timefmt_iso back: a parsed time must format without overflow. */
#include <stdint.h>
#include <stdlib.h>

#include "error.h"
#include "fuzz_common.h"
#include "timefmt.h"
#include "tz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tz *berlin;
	char *text = fuzz_str(data, size);
	char buf[TIMEFMT_ISO_MAX];
	struct mgr_error err = { 0 };
	int64_t us;

	if (berlin == NULL && tz_load("Europe/Berlin", &berlin, &err) != 0)
		abort();
	if (timefmt_parse(text, NULL, &us, &err) == 0)
		timefmt_iso(buf, sizeof buf, us, berlin);
	else if (err.msg[0] == '\0')
		abort();
	if (timefmt_parse(text, berlin, &us, &err) == 0)
		timefmt_iso(buf, sizeof buf, us, NULL);
	free(text);
	return 0;
}

/* fuzz_crontab.c - Vixie crontab lines through trigger_parse (which is
 * how cron_parse_crontab is reached), then trigger_next. */
#include <stdint.h>
#include <stdlib.h>

#include "error.h"
#include "fuzz_common.h"
#include "trigger.h"
#include "util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fuzz_str(data, size), *field;
	const char *fields[2];
	struct mgr_error err = { 0 };
	struct trigger *t = NULL;
	int64_t prev = TRIGGER_NONE;
	int k;

	field = xasprintf("crontab=%s", line);
	fields[0] = field;
	fields[1] = "timezone=Europe/Berlin";
	if (trigger_parse("cron", fields, 2, &t, &err) == 0) {
		for (k = 0; k < 4 && (k == 0 || prev != TRIGGER_NONE); k++)
			prev = trigger_next(t, prev, INT64_C(1774746000000000));
		free(trigger_describe(t));
		trigger_free(t);
	} else if (err.msg[0] == '\0') {
		abort();
	}
	free(field);
	free(line);
	return 0;
}

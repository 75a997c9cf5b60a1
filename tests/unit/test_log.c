/* test_log.c - a log line reaches an unbuffered stream (stderr) in one
 * write, so that lines of threads and processes sharing it do not mix. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "log.h"

/* A stream that counts the writes it is handed and keeps their bytes. */
struct sink {
	int writes;
	char text[8192];
	size_t len;
};

static ssize_t
sink_write(void *cookie, const char *buf, size_t size)
{
	struct sink *s = cookie;

	s->writes++;
	if (s->len + size < sizeof s->text) {
		memcpy(s->text + s->len, buf, size);
		s->len += size;
		s->text[s->len] = '\0';
	}
	return (ssize_t)size;
}

static FILE *
sink_open(struct sink *s)
{
	cookie_io_functions_t io = { .write = sink_write };
	FILE *f = fopencookie(s, "w", io);

	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);	/* as stderr */
	return f;
}

static void
test_one_write_per_line(void **state)
{
	struct sink s = { 0 };
	struct mgr_log log = { .level = LOG_LVL_INFO };

	(void)state;
	log.file = sink_open(&s);
	log_msg(&log, LOG_LVL_INFO, "api: %s %s: %d", "GET", "/manager/tasks/x", 200);
	assert_int_equal(s.writes, 1);
	assert_non_null(strstr(s.text, " info: api: GET /manager/tasks/x: 200\n"));
	fclose(log.file);
}

static void
test_long_line_whole(void **state)
{
	struct sink s = { 0 };
	struct mgr_log log = { .level = LOG_LVL_INFO };
	char big[3000];

	(void)state;
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	log.file = sink_open(&s);
	log_msg(&log, LOG_LVL_WARNING, "%s", big);
	assert_non_null(strstr(s.text, big));
	/* one line: its only newline is the last byte */
	assert_ptr_equal(strchr(s.text, '\n'), s.text + s.len - 1);
	fclose(log.file);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_write_per_line),
		cmocka_unit_test(test_long_line_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

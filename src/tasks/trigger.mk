# Triggers (interval, cron, crontab, date), time zones, ISO 8601 times,
# and `manager schedule preview`.
src_libmgr_a_SOURCES += \
	src/tasks/trigger.c src/tasks/trigger.h src/tasks/cron.c src/tasks/cron.h \
	src/tasks/tz.c src/tasks/tz.h src/tasks/timefmt.c src/tasks/timefmt.h \
	src/tasks/cmd-schedule.c

check_PROGRAMS += tests/unit/test_tz tests/unit/test_trigger \
	tests/unit/test_trigger_cases
tests_unit_test_tz_SOURCES = tests/unit/test_tz.c
tests_unit_test_tz_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_tz_LDADD = $(TEST_LIBS)
tests_unit_test_trigger_SOURCES = tests/unit/test_trigger.c
tests_unit_test_trigger_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_trigger_LDADD = $(TEST_LIBS)
tests_unit_test_trigger_cases_SOURCES = tests/unit/test_trigger_cases.c
tests_unit_test_trigger_cases_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_trigger_cases_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_tz tests/unit/test_trigger tests/unit/test_trigger_cases
dist_noinst_DATA += tests/data/trigger-cases.txt
dist_noinst_SCRIPTS += tests/data/gen-trigger-cases.py

# The trigger library: triggers (interval, cron, crontab, date, calendar), time
# zones (TZif), ISO 8601 times.  Pure functions over core only, so it can
# be reused and tested alone.
src_libmgr_a_SOURCES += \
	src/trigger/trigger.c src/trigger/trigger.h src/trigger/cron.c src/trigger/cron.h \
	src/trigger/cron_impl.h src/trigger/cron_aps.c src/trigger/cron_tab.c \
	src/trigger/cron_bits.c \
	src/trigger/tz.c src/trigger/tz.h src/trigger/timefmt.c src/trigger/timefmt.h \
	src/trigger/calendar.c src/trigger/calendar.h

check_PROGRAMS += tests/unit/test_tz tests/unit/test_trigger \
	tests/unit/test_trigger_cases tests/unit/test_cron tests/unit/test_calendar \
	tests/unit/test_calendar_systemd
tests_unit_test_cron_SOURCES = tests/unit/test_cron.c
tests_unit_test_cron_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_cron_LDADD = $(TEST_LIBS)
tests_unit_test_tz_SOURCES = tests/unit/test_tz.c
tests_unit_test_tz_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_tz_LDADD = $(TEST_LIBS)
tests_unit_test_trigger_SOURCES = tests/unit/test_trigger.c
tests_unit_test_trigger_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_trigger_LDADD = $(TEST_LIBS)
tests_unit_test_trigger_cases_SOURCES = tests/unit/test_trigger_cases.c
tests_unit_test_trigger_cases_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_trigger_cases_LDADD = $(TEST_LIBS)
tests_unit_test_calendar_SOURCES = tests/unit/test_calendar.c
tests_unit_test_calendar_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_calendar_LDADD = $(TEST_LIBS)
tests_unit_test_calendar_systemd_SOURCES = tests/unit/test_calendar_systemd.c
tests_unit_test_calendar_systemd_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_calendar_systemd_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_tz tests/unit/test_trigger tests/unit/test_trigger_cases \
	tests/unit/test_cron tests/unit/test_calendar tests/unit/test_calendar_systemd
dist_noinst_DATA += tests/data/trigger-cases.txt tests/data/cron-dialect-cases.txt
dist_noinst_SCRIPTS += tests/data/gen-trigger-cases.py \
	tests/data/gen-cron-dialect-cases.py
# Through the binary: schedule preview --id, task add with H and relative
# run_date (uses tests/sched/common.sh).
dist_noinst_SCRIPTS += tests/sched/cron-dialects.sh
TESTS += tests/sched/cron-dialects.sh

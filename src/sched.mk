# The scheduler (issue 5): task manager, timers, runs, sandbox, history,
# task commands, and the manager-run sandbox helper.
src_libmgr_a_SOURCES += \
	src/scheduler.c src/scheduler.h src/sched_int.h \
	src/sched_index.c src/sched_files.c \
	src/taskmgr.c \
	src/runner.c src/runner.h src/runner_int.h src/runner_plugin.c \
	src/pool.c src/pool.h \
	src/sandbox.c src/sandbox.h \
	src/cmd-task.c src/cmd-task-history.c

pkglibexec_PROGRAMS += manager-run
manager_run_SOURCES = src/manager-run.c
manager_run_CFLAGS = $(AM_CFLAGS) $(MGR_CFLAGS)
manager_run_LDADD = src/libmgr.a $(MGR_LIBS)

check_PROGRAMS += tests/unit/test_sched_split
tests_unit_test_sched_split_SOURCES = tests/unit/test_sched_split.c tests/unit/testutil.h
tests_unit_test_sched_split_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_sched_split_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_sched_split

dist_check_SCRIPTS += tests/sched/common.sh tests/sched/run.sh \
	tests/sched/tasks.sh tests/sched/persist.sh tests/sched/plugins.sh
TESTS += tests/sched/run.sh tests/sched/tasks.sh tests/sched/persist.sh \
	tests/sched/plugins.sh

check_PROGRAMS += tests/unit/test_sched_engine
tests_unit_test_sched_engine_SOURCES = tests/unit/test_sched_engine.c tests/unit/testutil.h
tests_unit_test_sched_engine_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_sched_engine_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_sched_engine

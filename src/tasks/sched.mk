# The scheduler (issue 5): task manager, timers, runs, sandbox, history,
# task commands, and the manager-exec helper.  (Plugin functions run
# through src/plugins: runner_plugin.c and the manager-run helper.)
src_libmgr_a_SOURCES += \
	src/tasks/cmd-schedule.c \
	src/tasks/scheduler.c src/tasks/scheduler.h src/tasks/sched_int.h \
	src/tasks/sched_due.c src/tasks/sched_attempt.c src/tasks/sched_flush.c \
	src/tasks/sched_runid.c src/tasks/sched_task.c \
	src/tasks/sched_index.c src/tasks/sched_claim.c src/tasks/sched_files.c src/tasks/sched_reload.c src/tasks/sched_slice.c src/tasks/sched_batch.c src/tasks/sched_bulk.c src/tasks/cmd_applied.c src/tasks/cmd_applied.h src/tasks/sched_writer.c src/tasks/sched_writer.h \
	src/tasks/taskmgr.c \
	src/tasks/runner.c src/tasks/runner.h src/tasks/runner_int.h src/tasks/runner_worker.c \
	src/tasks/runlog.c src/tasks/runlog.h src/tasks/runlog_tail.c \
	src/tasks/runlog_record.c src/tasks/runlog_record.h \
	src/tasks/runlog_pool.c src/tasks/runlog_pool.h src/tasks/runlog_prune.c \
	src/tasks/runlog_ship.c src/tasks/runlog_ship.h \
	src/tasks/spawner.c src/tasks/spawner.h \
	src/tasks/pool.c src/tasks/pool.h \
	src/tasks/sandbox.c src/tasks/sandbox.h \
	src/tasks/task_context.c src/tasks/task_context.h \
	src/tasks/confine.c src/tasks/confine.h \
	src/tasks/worker_host.c src/tasks/worker_host.h \
	src/tasks/cmd-task.c src/tasks/task_add.h src/tasks/cmd-task-add-from.c \
	src/tasks/task_lines.c src/tasks/task_lines.h src/tasks/idmap.c src/tasks/idmap.h \
	src/tasks/task_checked.c src/tasks/task_checked.h \
	src/tasks/cmd-task-history.c src/tasks/cmd-run.c src/tasks/run_view.h \
	src/tasks/cmd-task-logs.c src/tasks/cmd-db-copy.c \
	src/tasks/runlog_copy.c src/tasks/runlog_copy.h \
	src/tasks/import.c src/tasks/import.h src/tasks/import_crontab.c \
	src/tasks/import_systemd.c src/tasks/import_dropin.c src/tasks/import_spec.c \
	src/tasks/cmd-task-import.c src/tasks/cmd-task-export.c \
	src/tasks/task_fields.c src/tasks/task_fields.h src/tasks/task_fields_argv.c \
	src/tasks/sched_metrics.c src/tasks/sched_metrics.h

# manager-exec: the exec: tasks' helper, libc and libseccomp only, linked
# statically where it can be (configure: --disable-static-exec), for a
# fast start; then a run that switches user or group goes on in
# manager-exec-user, the same program linked dynamically (NSS modules).
pkglibexec_PROGRAMS += manager-exec
manager_exec_SOURCES = src/tasks/manager-exec.c src/tasks/exec_pump.c src/tasks/exec_pump.h
manager_exec_CFLAGS = $(AM_CFLAGS)
manager_exec_LDFLAGS = $(AM_LDFLAGS) -Wl,--as-needed $(EXEC_STATIC_LDFLAGS)
manager_exec_LDADD = src/libmgr.a $(SECCOMP_LIBS) $(LIBINTL)
manager_exec_CPPFLAGS = $(AM_CPPFLAGS)
if STATIC_EXEC
manager_exec_CPPFLAGS += -DMGR_EXEC_STATIC
pkglibexec_PROGRAMS += manager-exec-user
manager_exec_user_SOURCES = $(manager_exec_SOURCES)
manager_exec_user_CFLAGS = $(AM_CFLAGS)
manager_exec_user_LDFLAGS = $(AM_LDFLAGS) -Wl,--as-needed
manager_exec_user_LDADD = $(manager_exec_LDADD)
endif

check_PROGRAMS += tests/unit/test_sched_split
tests_unit_test_sched_split_SOURCES = tests/unit/test_sched_split.c tests/unit/testutil.h
tests_unit_test_sched_split_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_sched_split_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_sched_split

check_PROGRAMS += tests/unit/test_sched_writer
tests_unit_test_sched_writer_SOURCES = tests/unit/test_sched_writer.c tests/unit/testutil.h
tests_unit_test_sched_writer_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_sched_writer_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_sched_writer

check_PROGRAMS += tests/unit/test_sched_rows
tests_unit_test_sched_rows_SOURCES = tests/unit/test_sched_rows.c tests/unit/testutil.h
tests_unit_test_sched_rows_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_sched_rows_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_sched_rows

check_PROGRAMS += tests/unit/test_runlog
tests_unit_test_runlog_SOURCES = tests/unit/test_runlog.c tests/unit/testutil.h
tests_unit_test_runlog_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_runlog_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_runlog

check_PROGRAMS += tests/unit/test_runlog_tail
tests_unit_test_runlog_tail_SOURCES = tests/unit/test_runlog_tail.c tests/unit/testutil.h
tests_unit_test_runlog_tail_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_runlog_tail_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_runlog_tail

dist_check_SCRIPTS += tests/sched/common.sh tests/sched/run.sh \
	tests/sched/tasks.sh tests/sched/func-edit.sh tests/sched/persist.sh tests/sched/plugins.sh \
	tests/sched/restart.sh tests/sched/logs.sh tests/sched/logs-big.sh tests/sched/calendar.sh \
	tests/sched/task-sandbox.sh tests/sched/plugin-funcs.sh tests/sched/import.sh \
	tests/sched/import-exec.sh \
	tests/sched/files.sh tests/sched/retention.sh tests/sched/files-hup.sh \
	tests/sched/bulk-slices.sh tests/sched/bulk-import.sh
TESTS += tests/sched/task-sandbox.sh tests/sched/plugin-funcs.sh tests/sched/calendar.sh tests/sched/run.sh tests/sched/tasks.sh tests/sched/func-edit.sh \
	tests/sched/persist.sh tests/sched/plugins.sh tests/sched/restart.sh \
	tests/sched/logs.sh tests/sched/logs-big.sh tests/sched/import.sh tests/sched/import-exec.sh tests/sched/files.sh \
	tests/sched/retention.sh tests/sched/files-hup.sh tests/sched/bulk-slices.sh tests/sched/bulk-import.sh

check_PROGRAMS += tests/unit/test_sched_engine
tests_unit_test_sched_engine_SOURCES = tests/unit/test_sched_engine.c tests/unit/testutil.h
tests_unit_test_sched_engine_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_sched_engine_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_sched_engine

# `make bench`: the dispatch benchmark (bench/run), never part of check.
EXTRA_PROGRAMS += bench/sched_bench
bench_sched_bench_SOURCES = bench/sched_bench.c
bench_sched_bench_CFLAGS = $(AM_CFLAGS) $(MGR_CFLAGS)
bench_sched_bench_LDADD = src/libmgr.a $(MGR_LIBS)
bench/noop/noop.so: $(srcdir)/bench/noop/noop.c $(srcdir)/bench/noop/plugin.conf $(PLUGIN_HEADER)
	$(AM_V_CC)$(PLUGIN_BUILD)
CLEANFILES += bench/sched_bench bench/noop/noop.so
EXTRA_DIST += doc/SCHEDULER.md bench/noop/noop.c bench/noop/plugin.conf bench/sched_bench.c \
	bench/apscheduler_bench.py bench/RESULTS-sched.md
dist_noinst_SCRIPTS += bench/run bench/ab bench/runlog-cost.sh bench/task-sandbox.sh
bench: manager manager-run manager-exec bench/sched_bench bench/noop/noop.so
	top_builddir='$(abs_top_builddir)' top_srcdir='$(abs_top_srcdir)' \
	  $(SHELL) $(srcdir)/bench/run
.PHONY: bench
# Adding many tasks at once (task add --from, task import) against
# APScheduler's SQLAlchemyJobStore: bench/bulk-add.sh, run by `make bench`
# too.
dist_noinst_SCRIPTS += bench/bulk-add.sh
# What task add --from through a daemon costs its loop (not in `make
# bench`): bench/bulk-gap.sh [N [ROUNDS]].
dist_noinst_SCRIPTS += bench/bulk-gap.sh
EXTRA_DIST += bench/apscheduler_bulk.py bench/spawn-cost.c bench/rows_pass_bench.c
bench-bulk: manager
	top_builddir='$(abs_top_builddir)' top_srcdir='$(abs_top_srcdir)' \
	  $(SHELL) $(srcdir)/bench/bulk-add.sh
bench: bench-bulk
.PHONY: bench-bulk
# Memory per idle task, the daemon's VmRSS with 20,000 tasks from a task
# file against none: bench/task-memory.sh, run by `make bench` too.
dist_noinst_SCRIPTS += bench/task-memory.sh
bench-memory: manager
	top_builddir='$(abs_top_builddir)' $(SHELL) $(srcdir)/bench/task-memory.sh
bench: bench-memory
.PHONY: bench-memory
# An idle daemon's wake-ups and CPU a minute at 0, 1,000 and 100,000
# tasks beside Debian's cron (when installed and run as root):
# bench/idle.sh, run by `make bench` too.
dist_noinst_SCRIPTS += bench/idle.sh
bench-idle: manager
	top_builddir='$(abs_top_builddir)' $(SHELL) $(srcdir)/bench/idle.sh
bench: bench-idle
.PHONY: bench-idle

# CLI and API latency (issue 18, Deliver 8): bench/cli-latency.sh beside
# crontab and systemctl, bench/api-load.sh (wrk) beside FastAPI + uvicorn
# and nginx; run by `make bench` too.
dist_noinst_SCRIPTS += bench/cli-latency.sh bench/api-load.sh
EXTRA_DIST += bench/fastapi_task.py
bench-latency: manager
	top_builddir='$(abs_top_builddir)' $(SHELL) $(srcdir)/bench/cli-latency.sh
bench-api: manager
	top_builddir='$(abs_top_builddir)' top_srcdir='$(abs_top_srcdir)' $(SHELL) $(srcdir)/bench/api-load.sh
bench: bench-latency bench-api
.PHONY: bench-latency bench-api
# Task files (issue 18, Deliver 5): the first load and a SIGHUP's reload
# at 10,000 and 100,000 tasks (linear time; the loop's longest slice and
# the longest gap between an interval task's fires across the reload):
# bench/files-reload.sh, run by `make bench` too.
dist_noinst_SCRIPTS += bench/files-reload.sh
# A burst's start lag on one daemon (not in make bench): bench/start-lag.sh.
dist_noinst_SCRIPTS += bench/start-lag.sh
bench-files: manager
	for n in 10000 100000; do \
	  top_builddir='$(abs_top_builddir)' top_srcdir='$(abs_top_srcdir)' \
	  MANAGER='$(abs_top_builddir)/manager' \
	  $(SHELL) $(srcdir)/bench/files-reload.sh $$n 3 || exit 1; done
bench: bench-files
.PHONY: bench-files

check_PROGRAMS += tests/unit/test_task_context
tests_unit_test_task_context_SOURCES = tests/unit/test_task_context.c tests/unit/testutil.h
tests_unit_test_task_context_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_task_context_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_task_context

check_PROGRAMS += tests/unit/test_import
tests_unit_test_import_SOURCES = tests/unit/test_import.c tests/unit/testutil.h
tests_unit_test_import_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_import_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_import
dist_noinst_DATA += tests/data/import/crontab tests/data/import/e2scrub_all.cron.d \
	tests/data/import/php.cron.d \
	tests/data/import/apt-daily.timer tests/data/import/apt-daily.service \
	tests/data/import/dpkg-db-backup.timer tests/data/import/dpkg-db-backup.service \
	tests/data/import/e2scrub_all.timer tests/data/import/e2scrub_all.service \
	tests/data/import/fstrim.timer tests/data/import/fstrim.service \
	tests/data/import/man-db.timer tests/data/import/man-db.service \
	tests/data/import/systemd-tmpfiles-clean.timer \
	tests/data/import/systemd-tmpfiles-clean.service

check_PROGRAMS += tests/unit/test_runner_spawn
tests_unit_test_runner_spawn_SOURCES = tests/unit/test_runner_spawn.c tests/unit/testutil.h
tests_unit_test_runner_spawn_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_runner_spawn_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_runner_spawn

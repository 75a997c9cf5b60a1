# Notifications, dependencies and groups of tasks (issue 14): the task's
# hooks (task_hooks.c, their store in src/store/sqlite/task_hooks.c), what
# a final outcome sets off (hooks_run.c, notify_run.c; the notifications
# owed across a crash in src/store/sqlite/notify.c), the dependency
# graph (deps_graph.c) and `task deps`.
src_libmgr_a_SOURCES += \
	src/store/task_hooks_store.h src/store/sqlite/task_hooks.c \
	src/store/notify_store.h src/store/sqlite/notify.c \
	src/tasks/task_hooks.h src/tasks/task_hooks.c src/tasks/task_hooks_file.c \
	src/tasks/deps_graph.c \
	src/tasks/hooks_run.h src/tasks/hooks_run.c src/tasks/notify_run.c \
	src/tasks/cmd-task-deps.c

# manager-webhook: webhook: notifications with libcurl, run as a
# notification's command (through manager-exec), so that manager-exec,
# which every exec: task starts, links no libcurl.
pkglibexec_PROGRAMS += manager-webhook
manager_webhook_SOURCES = src/tasks/manager-webhook.c
manager_webhook_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS)
manager_webhook_LDFLAGS = $(AM_LDFLAGS) -Wl,--as-needed
manager_webhook_LDADD = $(CURL_LIBS) $(LIBINTL)

check_PROGRAMS += tests/unit/test_deps_graph
tests_unit_test_deps_graph_SOURCES = tests/unit/test_deps_graph.c tests/unit/testutil.h
tests_unit_test_deps_graph_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_deps_graph_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_deps_graph

dist_check_SCRIPTS += tests/sched/notify.sh tests/sched/deps.sh \
	tests/console/deps.sh tests/engine/notify_crash.sh
TESTS += tests/sched/notify.sh tests/sched/deps.sh tests/console/deps.sh \
	tests/engine/notify_crash.sh

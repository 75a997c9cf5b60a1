# The engine host: host lock, control plane, daemon, signals, HTTP API.
src_libmgr_a_SOURCES += \
	src/engine/api.c src/engine/api.h \
	src/engine/api_auth.c src/engine/api_auth.h \
	src/engine/api_routes.c src/engine/api_routes.h \
	src/engine/api_reply.c src/engine/api_fields.c src/engine/api_fields.h \
	src/engine/api_tasks.c src/engine/api_batch.c src/engine/api_answers.c src/engine/api_plugins.c \
	src/engine/api_openapi.c src/engine/api_openapi.h \
	src/engine/api_metrics.c \
	src/engine/mhd_fns.c src/engine/mhd_fns.h \
	src/engine/api_stream.c src/engine/api_stream.h \
	src/engine/cmd-host.c \
	src/engine/cmd-scheduler-run.c \
	src/engine/control.c \
	src/engine/daemon.c \
	src/engine/engine.c src/engine/engine.h \
	src/engine/heartbeat.c src/engine/heartbeat.h \
	src/engine/host.h \
	src/engine/hostlock.c \
	src/engine/hostreg.c \
	src/engine/standby.c \
	src/engine/notify.c src/engine/notify.h \
	src/engine/reload.c \
	src/engine/route.c

ENGINE_TESTS = \
	tests/engine/daemon.sh \
	tests/engine/crash.sh \
	tests/engine/crash-busy.sh \
	tests/engine/crash-queued.sh \
	tests/engine/crash-claimed.sh \
	tests/engine/crash-ended.sh \
	tests/engine/control.sh \
	tests/engine/api.sh \
	tests/engine/api_client.sh \
	tests/engine/api_group.sh \
	tests/engine/abuse.sh \
	tests/engine/tasks.sh \
	tests/engine/jobctl.sh \
	tests/engine/runid.sh \
	tests/engine/logging.sh \
	tests/engine/runlog-exec.sh \
	tests/engine/exec-child.sh \
	tests/engine/runlog-pool.sh \
	tests/engine/xdg.sh \
	tests/engine/hosts.sh \
	tests/engine/libs.sh
dist_check_SCRIPTS += tests/engine/lib.sh $(ENGINE_TESTS)
EXTRA_DIST += doc/API.md
EXTRA_DIST += tests/node/package.json tests/node/package-lock.json \
	tests/node/api-client.js
TESTS += $(ENGINE_TESTS)

# systemd unit (paths filled in at build time) and the man page.
systemdsystemunitdir = $(prefix)/lib/systemd/system
systemdsystemunit_DATA = data/manager.service
data/manager.service: $(srcdir)/data/manager.service.in Makefile
	$(MKDIR_P) data
	sed -e 's|@bindir[@]|$(bindir)|g' $(srcdir)/data/manager.service.in >$@
CLEANFILES += data/manager.service
EXTRA_DIST += data/manager.service.in
dist_man_MANS = data/manager.1 data/manager.conf.5 data/manager-tasks.5 \
	data/manager-plugin.3
EXTRA_DIST += bench/engine-latency.sh bench/RESULTS-engine.md
# Three hosts on one PostgreSQL under faults (issue 19): bench/cluster.sh
# [SECONDS [TASKS [FAULT_S]]], a throwaway server of its own; run by
# `make bench` too (10 minutes).
dist_noinst_SCRIPTS += bench/cluster.sh
bench-cluster: manager
	top_builddir='$(abs_top_builddir)' top_srcdir='$(abs_top_srcdir)' \
	  $(SHELL) $(srcdir)/bench/cluster.sh
bench: bench-cluster
.PHONY: bench-cluster

check_PROGRAMS += tests/unit/test_control
tests_unit_test_control_SOURCES = tests/unit/test_control.c tests/unit/testutil.h
tests_unit_test_control_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_control_LDADD = $(FRONT_LIBS) $(CMOCKA_LIBS)
TESTS += tests/unit/test_control

check_PROGRAMS += tests/unit/test_api_fields
tests_unit_test_api_fields_SOURCES = tests/unit/test_api_fields.c tests/unit/testutil.h
tests_unit_test_api_fields_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_api_fields_LDADD = $(FRONT_LIBS) $(CMOCKA_LIBS)
TESTS += tests/unit/test_api_fields

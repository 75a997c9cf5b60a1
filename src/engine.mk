# The engine host: host lock, control plane, daemon, signals, HTTP API.
src_libmgr_a_SOURCES += \
	src/api.c src/api.h \
	src/api_auth.c src/api_auth.h \
	src/api_routes.c src/api_routes.h \
	src/cmd-host.c \
	src/control.c \
	src/control_store.c src/control_store.h \
	src/daemon.c \
	src/engine.c src/engine.h \
	src/host.h \
	src/hostlock.c \
	src/notify.c src/notify.h \
	src/reload.c \
	src/route.c

ENGINE_TESTS = \
	tests/engine/daemon.sh \
	tests/engine/control.sh \
	tests/engine/api.sh \
	tests/engine/tasks.sh
dist_check_SCRIPTS += tests/engine/lib.sh $(ENGINE_TESTS)
TESTS += $(ENGINE_TESTS)

# systemd unit (paths filled in at build time) and the man page.
systemdsystemunitdir = $(prefix)/lib/systemd/system
systemdsystemunit_DATA = data/manager.service
data/manager.service: $(srcdir)/data/manager.service.in Makefile
	$(MKDIR_P) data
	sed -e 's|@bindir[@]|$(bindir)|g' $(srcdir)/data/manager.service.in >$@
CLEANFILES += data/manager.service
EXTRA_DIST += data/manager.service.in
dist_man_MANS = data/manager.1
EXTRA_DIST += bench/engine-latency.sh bench/RESULTS-engine.md

# The engine library: everything but main(), shared by the manager binary,
# the sandbox helper and the tests.
noinst_LIBRARIES += src/libmgr.a
src_libmgr_a_CFLAGS = $(AM_CFLAGS) $(MGR_CFLAGS)
src_libmgr_a_SOURCES = \
	src/cli.c src/cli.h \
	src/cmd.c src/cmd.h \
	src/cmd-config.c \
	src/cmd-db.c \
	src/conf.c src/conf.h \
	src/db.c src/db.h \
	src/error.c src/error.h \
	src/i18n.h \
	src/log.c src/log.h \
	src/manager.h src/mgr.c \
	src/plugin_store.c src/run_store.c src/store.h src/task_store.c \
	src/sha256.c \
	src/util.c src/util.h

bin_PROGRAMS += manager
manager_SOURCES = src/main.c
manager_CFLAGS = $(AM_CFLAGS) $(MGR_CFLAGS)
manager_LDADD = src/libmgr.a $(MGR_LIBS)

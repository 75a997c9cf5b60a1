# The engine library: everything but main(), shared by the manager binary,
# the sandbox helper and the tests.  This fragment is the base layer,
# src/core: configuration, errors, log, strings and files, checksums, and
# the command types and their helpers.  It includes nothing above it.
noinst_LIBRARIES += src/libmgr.a
src_libmgr_a_CFLAGS = $(AM_CFLAGS) $(MGR_CFLAGS)
src_libmgr_a_SOURCES = \
	src/core/cmd.c src/core/cmd.h \
	src/core/cmd_args.c src/core/cmd_help.c \
	src/core/conf.c src/core/conf.h \
	src/core/dbstring.c src/core/dbstring.h \
	src/core/dlsyms.c src/core/dlsyms.h \
	src/core/error.c src/core/error.h \
	src/core/i18n.h \
	src/core/json_flat.c src/core/json_flat.h \
	src/core/log.c src/core/log.h \
	src/core/migrate_paths.c src/core/migrate_paths.h \
	src/core/sha256.c \
	src/core/spin.c src/core/spin.h \
	src/core/util.c src/core/util.h src/core/strv_json.c

bin_PROGRAMS += manager
manager_SOURCES = src/main.c
manager_CFLAGS = $(AM_CFLAGS) $(MGR_CFLAGS)
manager_LDADD = $(FRONT_LIBS)

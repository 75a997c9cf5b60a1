/* zip_fns.h - libzip's functions as archives and snapshots call them:
 * through a table filled by dlsym when the first archive is opened or
 * built (zip_fns.c), so that the commands that read no archive and build
 * none do not load libzip and the libraries it brings (bz2, z; issue 18,
 * item 8).  Included by archive.c and snapshot.c after <zip.h>: each
 * zip_x below is a macro for the table's member of that name, so their
 * calls read as libzip's own.  zip_fns.c includes it with
 * ZIP_FNS_TABLE_ONLY to see the table without the macros. */
#ifndef MGR_ZIP_FNS_H
#define MGR_ZIP_FNS_H

#include <zip.h>
#include "error.h"

/* The soname opened: libzip's ABI has been libzip.so.4 since 1.0. */
#define ZIP_FNS_LIB "libzip.so.4"

/* X(name) for each libzip function the program calls. */
#define ZIP_FNS_EACH(X) \
	X(zip_close) X(zip_dir_add) X(zip_discard) X(zip_error_fini) \
	X(zip_error_init) X(zip_error_init_with_code) X(zip_error_strerror) \
	X(zip_fclose) X(zip_file_add) X(zip_file_get_external_attributes) \
	X(zip_file_set_external_attributes) X(zip_file_strerror) \
	X(zip_fopen_index) X(zip_fread) X(zip_get_num_entries) X(zip_open) \
	X(zip_open_from_source) X(zip_source_buffer) \
	X(zip_source_buffer_create) X(zip_source_close) X(zip_source_free) \
	X(zip_source_keep) X(zip_source_open) X(zip_source_read) \
	X(zip_source_seek) X(zip_source_tell) X(zip_stat_index) \
	X(zip_strerror)

/* Each member has the type zip.h declares for its function. */
#define ZIP_FNS_MEMBER(name) __typeof__(name) *name;
struct zip_fns {
	ZIP_FNS_EACH(ZIP_FNS_MEMBER)
};
#undef ZIP_FNS_MEMBER

/* Loads libzip (once per process; later calls give the first outcome):
 * 0, or MGR_EIO with err naming the library and `zip`, the archive that
 * needed it. */
int zip_fns_load(const char *zip, struct mgr_error *err);
/* The table; only after zip_fns_load succeeded. */
const struct zip_fns *zip_fns(void);

#ifndef ZIP_FNS_TABLE_ONLY
#define zip_close (zip_fns()->zip_close)
#define zip_dir_add (zip_fns()->zip_dir_add)
#define zip_discard (zip_fns()->zip_discard)
#define zip_error_fini (zip_fns()->zip_error_fini)
#define zip_error_init (zip_fns()->zip_error_init)
#define zip_error_init_with_code (zip_fns()->zip_error_init_with_code)
#define zip_error_strerror (zip_fns()->zip_error_strerror)
#define zip_fclose (zip_fns()->zip_fclose)
#define zip_file_add (zip_fns()->zip_file_add)
#define zip_file_get_external_attributes (zip_fns()->zip_file_get_external_attributes)
#define zip_file_set_external_attributes (zip_fns()->zip_file_set_external_attributes)
#define zip_file_strerror (zip_fns()->zip_file_strerror)
#define zip_fopen_index (zip_fns()->zip_fopen_index)
#define zip_fread (zip_fns()->zip_fread)
#define zip_get_num_entries (zip_fns()->zip_get_num_entries)
#define zip_open (zip_fns()->zip_open)
#define zip_open_from_source (zip_fns()->zip_open_from_source)
#define zip_source_buffer (zip_fns()->zip_source_buffer)
#define zip_source_buffer_create (zip_fns()->zip_source_buffer_create)
#define zip_source_close (zip_fns()->zip_source_close)
#define zip_source_free (zip_fns()->zip_source_free)
#define zip_source_keep (zip_fns()->zip_source_keep)
#define zip_source_open (zip_fns()->zip_source_open)
#define zip_source_read (zip_fns()->zip_source_read)
#define zip_source_seek (zip_fns()->zip_source_seek)
#define zip_source_tell (zip_fns()->zip_source_tell)
#define zip_stat_index (zip_fns()->zip_stat_index)
#define zip_strerror (zip_fns()->zip_strerror)
#endif

#endif

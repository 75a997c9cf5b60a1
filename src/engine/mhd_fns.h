/* mhd_fns.h - libmicrohttpd's functions as the HTTP API calls them:
 * through a table filled by dlsym when a host starts serving the API
 * (mhd_fns.c), so that no other process loads libmicrohttpd and the
 * nine libraries it brings (gnutls, nettle, gmp, p11-kit, ...; issue 18,
 * item 8).  Each MHD_x below is a macro for the table's member of that
 * name, so api.c and api_stream.c read as libmicrohttpd's own calls.
 * mhd_fns.c includes it with MHD_FNS_TABLE_ONLY to see the table
 * without the macros. */
#ifndef MGR_MHD_FNS_H
#define MGR_MHD_FNS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include "error.h"

/* libmicrohttpd's ABI has been libmicrohttpd.so.12 since 0.9.28. */
#define MHD_FNS_LIB "libmicrohttpd.so.12"

/* X(name) for each libmicrohttpd function the API calls. */
#define MHD_FNS_EACH(X) \
	X(MHD_add_response_header) X(MHD_create_response_from_buffer) \
	X(MHD_create_response_from_callback) X(MHD_destroy_response) \
	X(MHD_get_connection_info) X(MHD_get_daemon_info) \
	X(MHD_get_timeout) X(MHD_lookup_connection_value) \
	X(MHD_queue_response) X(MHD_resume_connection) X(MHD_run) \
	X(MHD_start_daemon) X(MHD_stop_daemon) X(MHD_suspend_connection)

/* Each member has the type microhttpd.h declares for its function. */
#define MHD_FNS_MEMBER(name) __typeof__(name) *name;
struct mhd_fns {
	MHD_FNS_EACH(MHD_FNS_MEMBER)
};
#undef MHD_FNS_MEMBER

/* Loads libmicrohttpd (once per process; later calls give the first
 * outcome): 0, or MGR_EIO with err naming the library and `listen`, the
 * api.listen address that needed it. */
int mhd_fns_load(const char *listen, struct mgr_error *err);
/* The table; only after mhd_fns_load succeeded. */
const struct mhd_fns *mhd_fns(void);

#ifndef MHD_FNS_TABLE_ONLY
#define MHD_add_response_header (mhd_fns()->MHD_add_response_header)
#define MHD_create_response_from_buffer \
	(mhd_fns()->MHD_create_response_from_buffer)
#define MHD_create_response_from_callback \
	(mhd_fns()->MHD_create_response_from_callback)
#define MHD_destroy_response (mhd_fns()->MHD_destroy_response)
#define MHD_get_connection_info (mhd_fns()->MHD_get_connection_info)
#define MHD_get_daemon_info (mhd_fns()->MHD_get_daemon_info)
#define MHD_get_timeout (mhd_fns()->MHD_get_timeout)
#define MHD_lookup_connection_value (mhd_fns()->MHD_lookup_connection_value)
#define MHD_queue_response (mhd_fns()->MHD_queue_response)
#define MHD_resume_connection (mhd_fns()->MHD_resume_connection)
#define MHD_run (mhd_fns()->MHD_run)
#define MHD_start_daemon (mhd_fns()->MHD_start_daemon)
#define MHD_stop_daemon (mhd_fns()->MHD_stop_daemon)
#define MHD_suspend_connection (mhd_fns()->MHD_suspend_connection)
#endif

#endif

/* dlsyms.h - a shared library opened with dlopen by the code that needs
 * it, its functions copied into a table of pointers: for the libraries
 * that only some commands use (libpq, libmicrohttpd), which linked into
 * the program would be loaded and relocated by every command, with the
 * libraries they bring (issue 18, item 8). */
#ifndef MGR_DLSYMS_H
#define MGR_DLSYMS_H

#include <pthread.h>
#include <stddef.h>

/* One function: its name and where its pointer goes in the table. */
struct dlsym_slot {
	const char *name;
	size_t offset;
};

/* Opens soname (RTLD_NOW | RTLD_LOCAL) and stores each slot's function
 * at table + offset.  0; or -1 with why holding the loader's reason (a
 * missing file, a missing function by name), the library not kept open. */
int dlsyms_open(const char *soname, const struct dlsym_slot *slots,
		size_t n, void *table, char *why, size_t whylen);

/* A library of a process, loaded by the first dlsyms_load and only read
 * after: its table is written once, under the lock, before any caller
 * reads it, as the loader writes a linked library's symbols.  Static, one
 * per library (the code's only process-wide state: the tables replace
 * the loader's own, and their users, libpq's results or curses' macros,
 * have no context to carry one). */
struct dlsyms_lib {
	pthread_mutex_t lock;
	int tried, loaded;
	char why[512];		/* the loader's reason when not loaded */
};
#define DLSYMS_LIB_INIT { PTHREAD_MUTEX_INITIALIZER, 0, 0, "" }

/* dlsyms_open the first time; later calls give that outcome: 0, or -1
 * with lib->why. */
int dlsyms_load(struct dlsyms_lib *lib, const char *soname,
		const struct dlsym_slot *slots, size_t n, void *table);

#endif

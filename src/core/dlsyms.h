/* dlsyms.h - a shared library opened with dlopen by the code that needs
 * it, its functions copied into a table of pointers: for the libraries
 * that only some commands use (libpq, libmicrohttpd), which linked into
 * the program would be loaded and relocated by every command, with the
 * libraries they bring (issue 18, item 8). */
#ifndef MGR_DLSYMS_H
#define MGR_DLSYMS_H

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

#endif

/* dlsyms.c - a library's functions into a table, by dlopen and dlsym. */
#include "i18n.h"
#include "dlsyms.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int
dlsyms_open(const char *soname, const struct dlsym_slot *slots, size_t n,
	    void *table, char *why, size_t whylen)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL) {
		snprintf(why, whylen, "%s", dlerror());
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		void *p = dlsym(h, slots[i].name);

		if (p == NULL) {
			snprintf(why, whylen, _("it has no %s: %s"),
			    slots[i].name, dlerror());
			dlclose(h);
			return -1;
		}
		/* dlsym's void * is copied into the function pointer: ISO C
		 * has no conversion between the two, POSIX requires they be
		 * alike. */
		memcpy((char *)table + slots[i].offset, &p, sizeof p);
	}
	return 0;
}

int
dlsyms_load(struct dlsyms_lib *lib, const char *soname,
	    const struct dlsym_slot *slots, size_t n, void *table)
{
	int loaded;

	pthread_mutex_lock(&lib->lock);
	if (!lib->tried) {
		lib->loaded = dlsyms_open(soname, slots, n, table, lib->why,
		    sizeof lib->why) == 0;
		lib->tried = 1;
	}
	loaded = lib->loaded;
	pthread_mutex_unlock(&lib->lock);
	return loaded ? 0 : -1;
}

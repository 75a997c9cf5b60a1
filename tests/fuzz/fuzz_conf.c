/* fuzz_conf.c - manager.conf through conf_load (file written to a
 * temporary folder, no environment). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "conf.h"
#include "error.h"
#include "fuzz_common.h"

static const char *
no_env(void *arg, const char *name)
{
	(void)arg;
	(void)name;
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = fuzz_write_file("manager.conf", data, size);
	char path[128], db[128];
	struct conf_source src = { 0 };
	struct conf_origin *origins = NULL;
	struct mgr_conf *conf = NULL;
	struct mgr_error err = { 0 };
	FILE *warn = fopen("/dev/null", "w");
	size_t n = 0;

	snprintf(path, sizeof path, "%s/manager.conf", dir);
	snprintf(db, sizeof db, "%s/state.db", dir);
	src.config_arg = path;
	src.db_arg = db;
	src.getenv_fn = no_env;
	src.sysconfdir = dir;
	src.warnings = warn;
	if (conf_load(&src, &conf, &origins, &n, &err) == 0) {
		conf_free(conf);
		conf_origins_free(origins, n);
	} else if (err.msg[0] == '\0') {
		abort();
	}
	fclose(warn);
	return 0;
}

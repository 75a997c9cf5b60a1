/* runner_plugin.c - PLUGIN:FUNCTION attempts.  Until the plugin loader
 * is part of the build, plugin functions cannot run and say so. */
#include "i18n.h"
#include "runner_int.h"

int
runner_plugin_start(struct runner *r, const struct run_spec *spec,
		    run_done_fn done, void *arg, struct mgr_error *err)
{
	(void)r;
	(void)done;
	(void)arg;
	return mgr_error_set(err, MGR_ENOENT,
	    _("%s: plugin functions need the plugin loader"), spec->func_path);
}

void
runner_plugin_interrupt_all(struct runner *r)
{
	(void)r;
}

void
runner_plugin_free(struct runner *r)
{
	(void)r;
}

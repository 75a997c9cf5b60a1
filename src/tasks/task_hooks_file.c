/* task_hooks_file.c - a task file's notification, dependency and group
 * keys (task_hooks.h): on_failure ... on_output and concurrency_group
 * strings, after and after_any a task id or a list of them. */
#include "i18n.h"
#include "manager.h"
#include "task_hooks.h"
#include "util.h"

#include <libconfig.h>
#include <string.h>

static int
hooks_file_error(struct mgr_error *err, const char *path,
		 const config_setting_t *v, const char *msg)
{
	return mgr_error_set(err, MGR_EINVAL, "%s:%d: %s: %s", path,
	    config_setting_source_line(v), config_setting_name(v), msg);
}

static int
hooks_file_key(const char *path, const config_setting_t *v,
	       struct task_hooks *h, struct mgr_error *err)
{
	const char *name = config_setting_name(v);
	int list = strcmp(name, "after") == 0 || strcmp(name, "after_any") == 0;
	struct mgr_error e = { 0 };

	if (list && config_setting_is_aggregate(v)) {
		for (int i = 0; i < config_setting_length(v); i++) {
			const config_setting_t *item =
			    config_setting_get_elem(v, (unsigned)i);
			if (config_setting_type(item) != CONFIG_TYPE_STRING)
				return hooks_file_error(err, path, v,
				    _("expected a task id or a list of them"));
			if (task_hooks_set(h, name, config_setting_get_string(item),
			    &e) < 0)
				return hooks_file_error(err, path, v, e.msg);
		}
		return 0;
	}
	if (config_setting_type(v) != CONFIG_TYPE_STRING)
		return hooks_file_error(err, path, v, list ?
		    _("expected a task id or a list of them") :
		    _("expected a string"));
	if (task_hooks_set(h, name, config_setting_get_string(v), &e) < 0)
		return hooks_file_error(err, path, v, e.msg);
	return 0;
}

int
task_file_has_any(const config_setting_t *st, const char *const *names)
{
	for (int i = 0; i < config_setting_length(st); i++) {
		const char *name = config_setting_name(
		    config_setting_get_elem(st, (unsigned)i));

		for (size_t k = 0; name != NULL && names[k] != NULL; k++)
			if (name[0] == names[k][0] && strcmp(name, names[k]) == 0)
				return 1;
	}
	return 0;
}

int
task_hooks_file(struct mgr *mgr, const char *path, const config_setting_t *st,
		struct task_hooks *h, struct mgr_error *err)
{
	static const char *const keys[] = { "on_failure", "on_success",
	    "on_recovery", "on_missed", "on_output", "after", "after_any",
	    "concurrency_group", NULL };
	const config_setting_t *v;
	int rc;

	if (!task_file_has_any(st, keys))
		return 0;
	for (size_t i = 0; keys[i] != NULL; i++) {
		if ((v = config_setting_get_member(st, keys[i])) == NULL)
			continue;
		if ((rc = hooks_file_key(path, v, h, err)) != 0)
			return rc;
		if (i < HOOK_NEVENTS && h->on[i] != NULL &&
		    hook_action_check(mgr, keys[i], h->on[i], err) != 0)
			return mgr_error_prefix(err, "%s:%d", path,
			    config_setting_source_line(v));
	}
	return 0;
}

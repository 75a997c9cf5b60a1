/* api_fields.h - request bodies checked against a field table. */
#ifndef MGR_API_FIELDS_H
#define MGR_API_FIELDS_H

#include "api_routes.h"
#include "task_fields.h"

/* The fields of body the client sets (a new object): unknown fields,
 * wrong types, values out of range and (on create) missing required
 * fields are added to *errs; read-only fields are left out, not refused. */
json_t *api_fields_check(const struct field_def *defs, size_t n, json_t *body,
			 enum field_mode mode, json_t **errs);

/* api_tasks.c: the task routes. */
void api_task_create(struct api_call *call, const char *id);
void api_task_update(struct api_call *call, const char *id);
/* The task as `task show --json` prints it (status on success), read
 * in one snapshot of the store; the store's error otherwise. */
void api_task_answer(struct api_call *call, const char *id, int status);
/* api_plugins.c: the plugin fields of PluginCreate, PluginUpdate and
 * PluginRead, and the plugin routes that take a body. */
const struct field_def *api_plugin_fields(size_t *n);
void api_plugin_install(struct api_call *call, const char *id);
void api_plugin_update(struct api_call *call, const char *id);
void api_plugin_route_missing(struct api_call *call, const char *id,
			      const char *path);

#endif

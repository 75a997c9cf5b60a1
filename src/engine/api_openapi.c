/* api_openapi.c - GET /openapi.json: OpenAPI 3.1, written from the route
 * table (api_routes.c) and the field tables (task_fields.c,
 * api_plugins.c) that the routes check bodies against, so the document
 * cannot say anything the server does not do.
 */
#include "config.h"
#include "i18n.h"
#include "api_fields.h"
#include "api_openapi.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* ---- schemas from a field table ---- */

static json_t *
type_of(const char *type, int nullable)
{
	return nullable ? json_pack("[s, s]", type, "null") : json_string(type);
}

static json_t *
field_schema(const struct field_def *f)
{
	int nul = (f->flags & FIELD_NULLABLE) != 0;
	json_t *s = json_pack("{s:s}", "description", _(f->help));

	switch (f->type) {
	case FIELD_STRING:
		json_object_set_new(s, "type", type_of("string", nul));
		if (f->values != NULL) {
			json_t *e = json_array();
			for (size_t i = 0; f->values[i] != NULL; i++)
				json_array_append_new(e, json_string(f->values[i]));
			if (nul)	/* JSON Schema: null must be listed too */
				json_array_append_new(e, json_null());
			json_object_set_new(s, "enum", e);
		}
		break;
	case FIELD_INTEGER:
		json_object_set_new(s, "type", type_of("integer", nul));
		if (f->min != FIELD_NO_MIN)
			json_object_set_new(s, "minimum", json_integer(f->min));
		if (f->max != FIELD_NO_MAX)
			json_object_set_new(s, "maximum", json_integer(f->max));
		break;
	case FIELD_BOOLEAN:
		json_object_set_new(s, "type", type_of("boolean", nul));
		break;
	case FIELD_TIME:
		json_object_set_new(s, "type", type_of("string", nul));
		json_object_set_new(s, "format", json_string("date-time"));
		json_object_set_new(s, "examples",
		    json_pack("[s]", "2026-03-02T08:00:00.000Z"));
		break;
	case FIELD_STRINGS:
		json_object_set_new(s, "type", json_string("array"));
		json_object_set_new(s, "items", json_pack("{s:s}", "type",
		    "string"));
		break;
	case FIELD_TRIGGER_ARGS:
		json_object_set_new(s, "type", json_string("object"));
		json_object_set_new(s, "additionalProperties", json_pack("{s:[s,s,s]}",
		    "type", "string", "number", "boolean"));
		break;
	case FIELD_OBJECT:
		json_object_set_new(s, "type", json_string("object"));
		break;
	case FIELD_OBJECTS:
		json_object_set_new(s, "type", json_string("array"));
		json_object_set_new(s, "items", json_pack("{s:s}", "type",
		    "object"));
		break;
	}
	return s;
}

enum schema_kind { SCHEMA_READ, SCHEMA_CREATE, SCHEMA_UPDATE };

static int
in_schema(const struct field_def *f, enum schema_kind kind)
{
	switch (kind) {
	case SCHEMA_READ:
		return !(f->flags & FIELD_WRITEONLY);
	case SCHEMA_CREATE:
		return !(f->flags & FIELD_READONLY);
	case SCHEMA_UPDATE:	/* the seed's fields set only on create are
				 * taken and ignored, as read-only ones are */
		return !(f->flags & FIELD_READONLY) && (!(f->flags &
		    FIELD_CREATE_ONLY) || (f->flags & FIELD_SEED));
	}
	return 0;
}

static json_t *
table_schema(const struct field_def *defs, size_t n, enum schema_kind kind,
	     const char *title, const char *desc)
{
	json_t *props = json_object(), *req = json_array();

	for (size_t i = 0; i < n; i++) {
		if (!in_schema(&defs[i], kind))
			continue;
		json_object_set_new(props, defs[i].name, field_schema(&defs[i]));
		if ((kind == SCHEMA_READ && !(defs[i].flags &
		    FIELD_SOMETIMES)) || (kind == SCHEMA_CREATE &&
		    (defs[i].flags & FIELD_REQUIRED)))
			json_array_append_new(req, json_string(defs[i].name));
	}
	return json_pack("{s:s, s:s, s:s, s:o, s:o}", "title", title,
	    "description", desc, "type", "object", "properties", props,
	    "required", req);
}

/* ---- schemas of what the commands answer as they are ---- */

static const char run_schema[] =
	"{\"title\":\"Run\",\"type\":\"object\",\"description\":\"One attempt "
	"of a task.\",\"required\":[\"id\",\"task_id\",\"attempt\",\"status\"],"
	"\"properties\":{\"id\":{\"type\":\"integer\"},\"task_id\":{\"type\":"
	"\"string\"},\"attempt\":{\"type\":\"integer\"},\"scheduled_at\":{"
	"\"type\":[\"string\",\"null\"],\"format\":\"date-time\"},\"started_at\""
	":{\"type\":[\"string\",\"null\"],\"format\":\"date-time\"},\"ended_at\""
	":{\"type\":[\"string\",\"null\"],\"format\":\"date-time\"},\"status\":{"
	"\"type\":\"string\"},\"duration\":{\"type\":[\"number\",\"null\"],"
	"\"description\":\"seconds, to the millisecond\"},\"exit_code\":{\"type\""
	":[\"integer\",\"null\"]},\"signal\":{\"type\":[\"integer\",\"null\"]},"
	"\"output\":{\"type\":[\"string\",\"null\"]},\"error\":{\"type\":["
	"\"string\",\"null\"]},\"user_cpu\":{\"type\":[\"number\",\"null\"],"
	"\"description\":\"seconds\"},\"system_cpu\":{\"type\":[\"number\","
	"\"null\"],\"description\":\"seconds\"},\"max_rss_kb\":{\"type\":["
	"\"integer\",\"null\"]}}}";

static const char run_started_schema[] =
	"{\"title\":\"RunStarted\",\"type\":\"object\",\"description\":\"A run "
	"started by hand; follow it at the Location.\",\"required\":[\"id\","
	"\"task_id\",\"status\"],\"properties\":{\"id\":{\"type\":\"integer\"},"
	"\"task_id\":{\"type\":\"string\"},\"status\":{\"type\":\"string\"}}}";

static const char snapshot_schema[] =
	"{\"title\":\"Snapshot\",\"type\":\"object\",\"description\":\"A copy "
	"of an installed plugin to restore.\",\"required\":[\"id\",\"plugin_id\","
	"\"version\",\"created_at\"],\"properties\":{\"id\":{\"type\":\"integer\""
	"},\"plugin_id\":{\"type\":\"string\"},\"version\":{\"type\":\"string\"},"
	"\"created_at\":{\"type\":\"string\",\"format\":\"date-time\"},\"path\":{"
	"\"type\":\"string\"},\"sha256\":{\"type\":\"string\"},\"size\":{\"type\""
	":\"integer\"},\"reason\":{\"type\":\"string\"}}}";

static const char error_schema[] =
	"{\"title\":\"Error\",\"type\":\"object\",\"description\":\"FastAPI's "
	"HTTPException body, with a machine-readable type.\",\"required\":["
	"\"detail\",\"type\"],\"properties\":{\"detail\":{\"type\":\"string\"},"
	"\"type\":{\"type\":\"string\",\"enum\":[\"not_found\",\"already_exists\""
	",\"conflict\",\"busy\",\"unauthorized\",\"method_not_allowed\","
	"\"too_large\",\"invalid_input\",\"unsafe_input\",\"version_mismatch\","
	"\"io_error\",\"database_error\",\"out_of_memory\",\"plugin_failure\","
	"\"timed_out\",\"internal_error\"]}}}";

static const char validation_schema[] =
	"{\"title\":\"HTTPValidationError\",\"type\":\"object\",\"description\":"
	"\"FastAPI's 422 body: one item per wrong value.\",\"required\":["
	"\"detail\"],\"properties\":{\"detail\":{\"type\":\"array\",\"items\":{"
	"\"type\":\"object\",\"required\":[\"loc\",\"msg\",\"type\"],"
	"\"properties\":{\"loc\":{\"type\":\"array\",\"items\":{\"type\":["
	"\"string\",\"integer\"]}},\"msg\":{\"type\":\"string\"},\"type\":{"
	"\"type\":\"string\",\"description\":\"Pydantic's code: missing, "
	"extra_forbidden, string_type, int_type, bool_type, literal_error, "
	"greater_than_equal, json_invalid, value_error, ...\"}}}}}}";

static json_t *
schemas(void)
{
	const struct field_def *t, *p;
	size_t nt, np;
	json_t *s;

	t = task_fields(&nt);
	p = api_plugin_fields(&np);
	s = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}",
	    "Task", table_schema(t, nt, SCHEMA_READ, "TaskRead",
	    _("A task, as every route answers it (the seed's TaskRead and more).")),
	    "TaskCreate", table_schema(t, nt, SCHEMA_CREATE, "TaskCreate",
	    _("A new task; read-only fields of a Task are ignored.")),
	    "TaskUpdate", table_schema(t, nt, SCHEMA_UPDATE, "TaskUpdate",
	    _("The fields to change; read-only fields of a Task are ignored, so "
	    "a body taken from GET goes back as it is.")),
	    "Plugin", table_schema(p, np, SCHEMA_READ, "PluginRead",
	    _("An installed plugin (the seed's PluginRead and more).")),
	    "PluginCreate", table_schema(p, np, SCHEMA_CREATE, "PluginCreate",
	    _("A plugin to install, from path (or source).")),
	    "PluginUpdate", table_schema(p, np, SCHEMA_UPDATE, "PluginUpdate",
	    _("enabled enables or disables it; the manifest's fields are "
	    "ignored.")));
	json_object_set_new(s, "Run", json_loads(run_schema, 0, NULL));
	json_object_set_new(s, "RunStarted", json_loads(run_started_schema, 0,
	    NULL));
	json_object_set_new(s, "Snapshot", json_loads(snapshot_schema, 0, NULL));
	json_object_set_new(s, "Error", json_loads(error_schema, 0, NULL));
	json_object_set_new(s, "HTTPValidationError",
	    json_loads(validation_schema, 0, NULL));
	json_object_set_new(s, "OpenAPI", json_pack("{s:s, s:s}", "type",
	    "object", "description", "An OpenAPI 3.1 document"));
	return s;
}

/* ---- paths ---- */

static json_t *
ref(const char *kind, const char *name)
{
	char *r = xasprintf("#/components/%s/%s", kind, name);
	json_t *o = json_pack("{s:s}", "$ref", r);

	free(r);
	return o;
}

static json_t *
json_content(const char *schema)
{
	json_t *s;

	if (schema[0] == '[') {
		char *name = xstrndup(schema + 1, strlen(schema) - 2);
		s = json_pack("{s:s, s:o}", "type", "array", "items",
		    ref("schemas", name));
		free(name);
	} else
		s = ref("schemas", schema);
	return json_pack("{s:{s:o}}", "application/json", "schema", s);
}

static json_t *
success(const struct api_route *r)
{
	json_t *res = json_pack("{s:s}", "description", _(r->summary)), *h;

	if (r->flags & ROUTE_TEXT)
		json_object_set_new(res, "content", json_pack("{s:{s:{s:s}}}",
		    "text/plain", "schema", "type", "string"));
	else if (r->response != NULL)
		json_object_set_new(res, "content", json_content(r->response));
	h = json_object();
	if (r->flags & ROUTE_LOCATION)
		json_object_set_new(h, "Location", json_pack("{s:s, s:{s:s}}",
		    "description", _("where the new resource is"), "schema",
		    "type", "string"));
	if (r->flags & ROUTE_PAGED)
		json_object_set_new(h, "X-Total-Count", json_pack("{s:s, s:{s:s}}",
		    "description", _("the number of items in every page"),
		    "schema", "type", "integer"));
	if (json_object_size(h) > 0)
		json_object_set_new(res, "headers", h);
	else
		json_decref(h);
	return res;
}

static json_t *
responses(const struct api_route *r)
{
	json_t *o = json_object();
	char code[8];

	snprintf(code, sizeof code, "%d", r->status);
	json_object_set_new(o, code, success(r));
	json_object_set_new(o, "401", ref("responses", "Unauthorized"));
	if (r->flags & ROUTE_HAS_ID)
		json_object_set_new(o, "404", ref("responses", "NotFound"));
	if (r->flags & ROUTE_CONFLICT)
		json_object_set_new(o, "409", ref("responses", "Conflict"));
	if (r->request != NULL || (r->flags & (ROUTE_HAS_ID | ROUTE_PAGED)))
		json_object_set_new(o, "422", ref("responses", "Invalid"));
	json_object_set_new(o, "500", ref("responses", "Failed"));
	return o;
}

/* The query arguments a route takes besides ?limit and ?offset. */
static const struct {
	const char *op, *name, *type, *help;
} queries[] = {
	{ "deleteTask", "stop", "boolean", N_("also stop the runs going on") },
	{ "uninstallPlugin", "keep_tasks", "boolean", N_("keep the plugin's "
	  "tasks") },
	{ "disablePlugin", "cascade", "boolean", N_("disable the plugins that "
	  "need it first") },
	{ "getRunLog", "stream", "string", N_("stdout or stderr; both when "
	  "absent") },
	{ "getRunLog", "format", "string", N_("text (the default) or json: "
	  "one JSON object a line") },
	{ "getRunLog", "follow", "boolean", N_("go on while the run does") },
};

static json_t *
param(const char *in, const char *name, const char *type, const char *help)
{
	return json_pack("{s:s, s:s, s:b, s:s, s:{s:s}}", "name", name, "in", in,
	    "required", strcmp(in, "path") == 0, "description", help, "schema",
	    "type", type);
}

static json_t *
parameters(const struct api_route *r)
{
	const char *open = strchr(r->path, '{');
	json_t *v = json_array();

	if (open != NULL) {
		char *name = xstrndup(open + 1, strcspn(open + 1, "}"));
		int num = strcmp(name, "run_id") == 0 ||
		    strcmp(name, "snapshot_id") == 0;
		json_array_append_new(v, param("path", name, num ? "integer" :
		    "string", num ? _("a number") : _("an id")));
		free(name);
	}
	if (r->flags & ROUTE_PAGED) {
		json_array_append_new(v, ref("parameters", "limit"));
		json_array_append_new(v, ref("parameters", "offset"));
	}
	for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
		if (strcmp(queries[i].op, r->op_id) == 0)
			json_array_append_new(v, param("query", queries[i].name,
			    queries[i].type, _(queries[i].help)));
	return v;
}

static json_t *
operation(const struct api_route *r)
{
	json_t *op = json_pack("{s:s, s:s, s:[s], s:o}", "operationId", r->op_id,
	    "summary", _(r->summary), "tags", r->tag, "responses", responses(r));
	json_t *params = parameters(r);

	if (json_array_size(params) > 0)
		json_object_set_new(op, "parameters", params);
	else
		json_decref(params);
	if (r->request != NULL)
		json_object_set_new(op, "requestBody", json_pack("{s:b, s:o}",
		    "required", 1, "content", json_content(r->request)));
	return op;
}

static json_t *
paths(void)
{
	const struct api_route *r;
	json_t *o = json_object();
	size_t n;
	char method[8];

	r = api_routes(&n);
	for (size_t i = 0; i < n; i++) {
		json_t *item = json_object_get(o, r[i].path);
		size_t j;
		if (item == NULL) {
			item = json_object();
			json_object_set_new(o, r[i].path, item);
		}
		for (j = 0; r[i].method[j] != '\0' && j < sizeof method - 1; j++)
			method[j] = (char)(r[i].method[j] | 0x20);	/* lower */
		method[j] = '\0';
		json_object_set_new(item, method, operation(&r[i]));
	}
	return o;
}

/* ---- the document ---- */

static json_t *
error_response(const char *desc, const char *schema)
{
	return json_pack("{s:s, s:o}", "description", desc, "content",
	    json_content(schema));
}

static json_t *
components(void)
{
	return json_pack("{s:o, s:{s:o, s:o, s:o, s:o, s:o}, s:{s:o, s:o}, "
	    "s:{s:{s:s, s:s, s:s}}}",
	    "schemas", schemas(),
	    "responses",
	    "Unauthorized", error_response(_("missing or wrong bearer token"),
	    "Error"),
	    "NotFound", error_response(_("no such task, plugin, run or "
	    "snapshot"), "Error"),
	    "Conflict", error_response(_("the state forbids it, or the id is "
	    "taken"), "Error"),
	    "Invalid", error_response(_("a body, path or query value is wrong"),
	    "HTTPValidationError"),
	    "Failed", error_response(_("the host failed"), "Error"),
	    "parameters",
	    "limit", json_pack("{s:s, s:s, s:s, s:{s:s, s:i, s:i, s:i}}", "name",
	    "limit", "in", "query", "description", _("items in the page"),
	    "schema", "type", "integer", "minimum", 0, "maximum", API_PAGE_MAX,
	    "default", API_PAGE_DEFAULT),
	    "offset", json_pack("{s:s, s:s, s:s, s:{s:s, s:i, s:i}}", "name",
	    "offset", "in", "query", "description", _("items skipped"),
	    "schema", "type", "integer", "minimum", 0, "default", 0),
	    "securitySchemes", "bearer", "type", "http", "scheme", "bearer",
	    "description", _("api.token, or the contents of api.token_file"));
}

static json_t *
tags(void)
{
	return json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}, "
	    "{s:s, s:s}]",
	    "name", "tasks", "description", _("Scheduled tasks"),
	    "name", "runs", "description", _("Runs of tasks and their output"),
	    "name", "plugins", "description", _("Installed plugins"),
	    "name", "snapshots", "description", _("Copies of plugins to "
	    "restore"),
	    "name", "host", "description", _("The engine host: metrics and "
	    "this document"));
}

json_t *
api_openapi_document(void)
{
	return json_pack("{s:s, s:{s:s, s:s, s:s, s:{s:s, s:s}}, s:[{s:s}], "
	    "s:[{s:[]}], s:o, s:o, s:o}",
	    "openapi", "3.1.0",
	    "info", "title", "manager", "version", PACKAGE_VERSION,
	    "description", _("The HTTP API of manager's engine host, in "
	    "FastAPI's conventions. A plugin's own routes are under "
	    "/plugins/{plugin_id}/ and described by the plugin."),
	    "license", "name", "GPL-3.0-or-later", "identifier",
	    "GPL-3.0-or-later",
	    "servers", "url", "/",
	    "security", "bearer",
	    "tags", tags(),
	    "paths", paths(),
	    "components", components());
}

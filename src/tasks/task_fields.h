/* task_fields.h - the one table of a task's fields: name, JSON type,
 * whether a client must, may or cannot set it, its limits and its help.
 *
 * The HTTP API validates request bodies, builds the `task add`/`task
 * edit` command lines and writes the schemas of GET /openapi.json from
 * this table, so the three cannot drift apart.  It lives in src/tasks,
 * next to the task commands, so that they and the task files can read
 * it too.
 */
#ifndef MGR_TASK_FIELDS_H
#define MGR_TASK_FIELDS_H

#include <jansson.h>
#include <limits.h>
#include <stddef.h>

enum field_type {
	FIELD_STRING,
	FIELD_INTEGER,
	FIELD_BOOLEAN,
	FIELD_TIME,		/* an RFC 3339 UTC time string, or null */
	FIELD_STRINGS,		/* an array of strings */
	FIELD_TRIGGER_ARGS,	/* an object of string, number or boolean */
	FIELD_OBJECT,		/* any object (a plugin's manifest) */
	FIELD_OBJECTS		/* an array of objects (a plugin's functions) */
};

enum field_flags {
	FIELD_REQUIRED = 1 << 0,	/* on create */
	FIELD_READONLY = 1 << 1,	/* answered, never set: ignored in PUT */
	FIELD_NULLABLE = 1 << 2,	/* null is a value (none, or default) */
	FIELD_CREATE_ONLY = 1 << 3,	/* set on create, read-only after */
	FIELD_SEED = 1 << 4,		/* one of the seed's Pydantic fields */
	FIELD_WRITEONLY = 1 << 5,	/* taken on create, never answered */
	FIELD_SOMETIMES = 1 << 6,	/* answered only when it applies */
};

#define FIELD_NO_MIN INT_MIN
#define FIELD_NO_MAX INT_MAX

struct field_def {
	const char *name;
	enum field_type type;
	unsigned flags;
	/* The command-line option that sets it ("--name"); NULL when it is
	 * a positional argument or has a road of its own. */
	const char *option;
	int min, max;			/* FIELD_INTEGER */
	const char *const *values;	/* FIELD_STRING: the allowed values */
	const char *help;		/* N_(): one line */
};

/* Which words a JSON object of fields becomes: a new task's (`task add`,
 * required fields positional) or a change's (`task edit`, null resets). */
enum field_mode { FIELD_CREATE, FIELD_UPDATE };

/* The task's fields, in the order TaskRead lists them; n set to their
 * number. */
const struct field_def *task_fields(size_t *n);
/* The field called name, or NULL. */
const struct field_def *field_find(const struct field_def *v, size_t n,
				   const char *name);

/* task_fields_argv.c: the words "--opt=VALUE" (never taken for an
 * option whatever VALUE is) of every field of set, a checked object;
 * on create, the required fields but name are left to the caller. */
char **task_fields_argv(char **argv, json_t *set, enum field_mode mode);
/* trigger_args {"minutes": 30} as the words minutes=30. */
char **task_trigger_args_argv(char **argv, json_t *args);
/* "Nightly backup!" gives "nightly-backup" (malloc'd). */
char *task_id_from_name(const char *name);

#endif

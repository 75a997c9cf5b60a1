/* task_fields_argv.c - the words of `task add` and `task edit` from a
 * JSON object of a task's fields (the API's request bodies, the JSON
 * lines of `task add --from`), read through the one field table. */
#include "task_fields.h"
#include "util.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The word "A=B" ("--opt=VALUE"). */
static char **
push_word(char **argv, const char *a, const char *b)
{
	char *w = xasprintf("%s=%s", a, b);

	argv = strv_push(argv, w);
	free(w);
	return argv;
}

/* A boolean option: "--network" or "--no-network". */
static char **
push_flag(char **argv, const char *option, int on)
{
	char *w = on ? xstrdup(option) : xasprintf("--no-%s", option + 2);

	argv = strv_push(argv, w);
	free(w);
	return argv;
}

/* A list: "--after=A" per item; [] is "--after=", which empties it. */
static char **
push_list(char **argv, const char *option, json_t *a)
{
	json_t *item;
	size_t i;

	if (json_array_size(a) == 0)
		return push_word(argv, option, "");
	json_array_foreach(a, i, item)
		argv = push_word(argv, option, json_string_value(item));
	return argv;
}

/* One word "--opt=VALUE" per field that has an option: a value that
 * looks like an option ("--func") can never be taken for one. */
static char **
push_option(char **argv, const struct field_def *f, json_t *v,
	    enum field_mode mode)
{
	char num[32];

	if (json_is_null(v)) {		/* nullable: back to none/default */
		if (mode == FIELD_UPDATE)
			argv = push_word(argv, f->option,
			    f->type == FIELD_INTEGER ? "default" : "");
		return argv;
	}
	if (f->type == FIELD_INTEGER) {
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
		return push_word(argv, f->option, num);
	}
	if (f->type == FIELD_BOOLEAN)
		return push_flag(argv, f->option, json_is_true(v));
	if (f->type == FIELD_STRINGS)
		return push_list(argv, f->option, v);
	return push_word(argv, f->option, json_string_value(v));
}

/* Fields with a road of their own: coalesce, enabled (on create), env. */
static char **
push_special(char **argv, const char *key, json_t *v, enum field_mode mode)
{
	json_t *item;
	size_t i;

	if (strcmp(key, "coalesce") == 0 && (mode == FIELD_UPDATE ||
	    json_is_false(v)))
		argv = strv_push(argv, json_is_true(v) ? "--coalesce" :
		    "--no-coalesce");
	else if (strcmp(key, "enabled") == 0 && mode == FIELD_CREATE &&
	    json_is_false(v))
		argv = strv_push(argv, "--disable");
	else if (strcmp(key, "env") == 0)
		json_array_foreach(v, i, item)
			argv = push_word(argv, "--env", json_string_value(item));
	return argv;
}

/* trigger_args {"minutes": 30} become minutes=30. */
char **
task_trigger_args_argv(char **argv, json_t *args)
{
	const char *key;
	json_t *v;
	char *s;

	json_object_foreach(args, key, v) {
		if (json_is_string(v))
			s = xasprintf("%s=%s", key, json_string_value(v));
		else if (json_is_integer(v))
			s = xasprintf("%s=%lld", key, (long long)json_integer_value(v));
		else if (json_is_real(v))
			s = xasprintf("%s=%.17g", key, json_real_value(v));
		else
			s = xasprintf("%s=%s", key, json_is_true(v) ? "true" : "false");
		argv = strv_push(argv, s);
		free(s);
	}
	return argv;
}

/* The options of every field set; on create func_path and trigger are
 * positional (`task add ID FUNC TYPE`). */
char **
task_fields_argv(char **argv, json_t *set, enum field_mode mode)
{
	const struct field_def *defs, *f;
	const char *key;
	size_t n;
	json_t *v;

	defs = task_fields(&n);
	json_object_foreach(set, key, v) {
		f = field_find(defs, n, key);
		if (f->option != NULL && !(mode == FIELD_CREATE &&
		    (f->flags & FIELD_REQUIRED) && strcmp(key, "name") != 0))
			argv = push_option(argv, f, v, mode);
		else
			argv = push_special(argv, key, v, mode);
	}
	return argv;
}

/* "Nightly backup!" gives "nightly-backup": the id rule's characters,
 * lower case, runs of others one "-"; "task" when nothing is left. */
char *
task_id_from_name(const char *name)
{
	struct strbuf b = { 0 };
	int dash = 0;

	for (const char *p = name; *p != '\0' && b.len < 64; p++) {
		unsigned char c = (unsigned char)*p;
		if (isalnum(c) || ((c == '_' || c == '.') && b.len > 0)) {
			if (dash && b.len > 0)
				strbuf_adds(&b, "-");
			strbuf_add(&b, (const char[]){ (char)tolower(c) }, 1);
			dash = 0;
		} else
			dash = 1;
	}
	if (b.len == 0)
		strbuf_adds(&b, "task");
	return strbuf_detach(&b);
}

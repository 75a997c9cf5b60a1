/* json_flat.h - a flat JSON object of strings and integers read as
 * "NAME=VALUE" fields without building a jansson tree: the scheduler
 * reads every task's stored trigger_args at start, and json_loads'
 * allocations were a third of that start at 100,000 tasks. */
#ifndef JSON_FLAT_H
#define JSON_FLAT_H

/* Reads json, an object whose values are strings (ASCII, escapes other
 * than \u) or integers, as a NULL-terminated vector of "NAME=VALUE"
 * (NULL for "{}"), in the object's order, into *fields.  0 on success;
 * -1 when the text is anything else (a real, a nested value, a
 * duplicate name, non-ASCII bytes, an error): the caller reads it with
 * jansson then, which gives the same fields or names the error. */
int json_flat_fields(const char *json, char ***fields);

#endif

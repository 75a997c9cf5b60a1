/* strv_json: a string list as a JSON array.  A file of its own so that
 * the small helpers linking libmgr.a for util.c (manager-exec) do not
 * need jansson. */
#include "util.h"

#include <jansson.h>

json_t *
strv_json(char *const *v)
{
	json_t *a = json_array();

	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

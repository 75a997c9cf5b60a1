/* task_lines.h - the lines of `manager task add --from FILE`: each is
 * the words of one `task add` command line (ID FUNC TYPE FIELD=VALUE
 * and options), split as a shell splits them without a shell (quotes
 * and backslashes, no expansion: exec_split), or one JSON object of the
 * API's TaskCreate fields (task_fields.h), turned into the same words.
 * Either way the words then go through `task add`'s own option table
 * and checks (cmd-task-add-from.c): there is no second parser of a
 * task. */
#ifndef MGR_TASK_LINES_H
#define MGR_TASK_LINES_H

#include "error.h"

/* Whether the line is skipped: blank, or a comment (# first). */
int task_line_skip(const char *line);
/* The words of a line that is not skipped (NULL-terminated, strv_free).
 * A JSON line whose object has no id gets one derived from its name as
 * the API derives it: *derived is then the index of that word, else -1.
 * Errors name the field or the column at fault. */
int task_line_words(const char *line, char ***words, int *derived,
		    struct mgr_error *err);

#endif

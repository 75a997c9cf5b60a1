/* api_answers.c - the last answers of GET /manager/tasks/{id}, by task
 * (issue 18): reading the row, its hooks and its context and writing
 * the JSON was two fifths of a GET's CPU.  An answer is given again
 * only while the store's change mark (db_change_mark: any connection's
 * commit, this one's writes) and the configured misfire grace (the
 * default a task's answer shows) are those it was made under, so it is
 * always the bytes a fresh read would give.  A fixed table of slots, one
 * answer each, chosen by the id's hash: bounded memory whatever is
 * asked.
 */
#include "api_routes.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ANSWER_SLOTS 64

struct api_answer {
	char *id;		/* NULL: empty */
	char *body;
	int64_t mark;
	int grace;
};

struct api_answers {
	struct api_answer slot[ANSWER_SLOTS];
};

static struct api_answer *
slot_of(struct api_answers *a, const char *id)
{
	return &a->slot[fnv1a(FNV_OFFSET, id) % ANSWER_SLOTS];
}

struct api_answers *
api_answers_new(void)
{
	return xcalloc(1, sizeof(struct api_answers));
}

void
api_answers_free(struct api_answers *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < ANSWER_SLOTS; i++) {
		free(a->slot[i].id);
		free(a->slot[i].body);
	}
	free(a);
}

const char *
api_answers_get(struct api_answers *a, const char *id, int64_t mark,
		int grace)
{
	struct api_answer *s;

	if (a == NULL || mark < 0)
		return NULL;
	s = slot_of(a, id);
	if (s->id == NULL || s->mark != mark || s->grace != grace ||
	    strcmp(s->id, id) != 0)
		return NULL;
	return s->body;
}

void
api_answers_put(struct api_answers *a, const char *id, int64_t mark,
		int grace, const char *body)
{
	struct api_answer *s;

	if (a == NULL || mark < 0 || body == NULL)
		return;
	s = slot_of(a, id);
	free(s->id);
	free(s->body);
	s->id = xstrdup(id);
	s->body = xstrdup(body);
	s->mark = mark;
	s->grace = grace;
}

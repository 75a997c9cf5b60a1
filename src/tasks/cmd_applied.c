/* cmd_applied.c - the answer of a bulk command, given once the
 * scheduler has its tasks (cmd_applied.h). */
#include "cmd_applied.h"
#include "i18n.h"
#include "manager.h"
#include "scheduler.h"
#include "util.h"

#include <stdlib.h>

struct applied_wait {
	struct cmd_later *later;
	int status;
};

static void
answer_cb(void *arg, int stopped)
{
	struct applied_wait *w = arg;

	/* The tasks are written: only their scheduling waits for the next
	 * start, which the user had better know. */
	if (stopped)
		fprintf(w->later->err, "manager: %s\n", _("the engine stopped "
		    "before it scheduled every task: its next start does"));
	w->later->finish(w->later, w->status);
	free(w);
}

void
cmd_capture_begin(struct cmd_capture *c, struct cmd_ctx *ctx)
{
	c->ctx = *ctx;
	c->ctx.defer = NULL;	/* only cmd_answer_applied defers */
	c->orig = ctx;
	c->mgr = ctx->mgr;
	c->later = NULL;
	c->out = c->err = NULL;
	c->olen = c->elen = 0;
	c->on = ctx->defer != NULL && ctx->mgr != NULL &&
	    ctx->mgr->sched != NULL;
	if (!c->on)
		return;
	c->ctx.out = open_memstream(&c->out, &c->olen);
	c->ctx.err = open_memstream(&c->err, &c->elen);
	if (c->ctx.out == NULL || c->ctx.err == NULL)
		abort();	/* as xmalloc: no memory */
}

/* What was held goes to out and err. */
static void
capture_end(struct cmd_capture *c, FILE *out, FILE *err)
{
	fclose(c->ctx.out);
	fclose(c->ctx.err);
	fwrite(c->out, 1, c->olen, out);
	fwrite(c->err, 1, c->elen, err);
	free(c->out);
	free(c->err);
}

void
cmd_capture_defer(struct cmd_capture *c)
{
	c->later = c->orig->defer(c->orig);
	c->orig = NULL;
}

/* Nothing to wait for: the answer now. */
static int
answer_now(struct cmd_capture *c, int status)
{
	if (!c->on)
		return status;
	if (c->later == NULL) {
		capture_end(c, c->orig->out, c->orig->err);
		return status;
	}
	capture_end(c, c->later->out, c->later->err);
	c->later->finish(c->later, status);
	return CMD_EXIT_LATER;
}

int
cmd_answer_applied(struct cmd_capture *c, int status, const char *const *ids,
		   size_t n)
{
	struct applied_wait *w;

	if (!c->on || n == 0) {
		status = answer_now(c, status);
		if (n > 0)
			scheduler_tasks_changed(c->mgr, ids, n);
		return status;
	}
	w = xcalloc(1, sizeof *w);
	w->later = c->later != NULL ? c->later : c->orig->defer(c->orig);
	w->status = status;
	capture_end(c, w->later->out, w->later->err);
	scheduler_tasks_changed_then(c->mgr, ids, n, answer_cb, w);
	return CMD_EXIT_LATER;
}

/* cmd_applied.h - a command that adds many tasks on an engine host
 * answers once the scheduler has applied them (sched_batch.c applies
 * them in slices, so the answer comes a few loop iterations later): a
 * client that runs one of them right after the answer finds it
 * scheduled, as when the tasks were applied in one go. */
#ifndef MGR_CMD_APPLIED_H
#define MGR_CMD_APPLIED_H

#include <stddef.h>
#include <stdio.h>
#include "cmd.h"

/* What the command prints, held until the answer. */
struct cmd_capture {
	struct cmd_ctx ctx;	/* the command's, printing into the buffers */
	struct cmd_ctx *orig;	/* NULL once deferred */
	struct mgr *mgr;	/* the engine's */
	struct cmd_later *later;	/* cmd_capture_defer's */
	int on;			/* printing goes into the buffers */
	char *out, *err;
	size_t olen, elen;
};

/* The command prints to c->ctx from here on.  Its output is held only
 * where the answer may wait: a host's command (ctx->defer) with a
 * scheduler; elsewhere c->ctx prints straight to ctx's streams. */
void cmd_capture_begin(struct cmd_capture *c, struct cmd_ctx *ctx);
/* The command goes on after it returns CMD_EXIT_LATER (off the loop:
 * sched_bulk.c): the answer is owed from here, and given by
 * cmd_answer_applied.  Only when c->on. */
void cmd_capture_defer(struct cmd_capture *c);
/* The command is over with status, having changed the n tasks ids
 * (none when it wrote nothing): the scheduler is told, and the answer
 * given now (status) or once they are applied (CMD_EXIT_LATER). */
int cmd_answer_applied(struct cmd_capture *c, int status,
		       const char *const *ids, size_t n);

#endif

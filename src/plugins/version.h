/* version.h - semantic versions, constraints, dependency specs.
 *
 * Constraints follow npm/cargo: ">= 1.0", "> 1.2.3", "<= 2", "< 2.0",
 * "= 1.2" (any 1.2.x), "^1.2.3" (>= 1.2.3, < 2.0.0; ^0.2.3 means < 0.3.0,
 * ^0.0.3 means < 0.0.4), "~1.2.3" (>= 1.2.3, < 1.3.0; ~1 means < 2.0.0).
 * A bare version "1.2" means "= 1.2", and "*" or "" matches anything.
 */
#ifndef MGR_VERSION_H
#define MGR_VERSION_H

#include <stddef.h>
#include "error.h"

struct semver {
	long major, minor, patch;
	char pre[64];		/* pre-release ("rc.1"), "" when none */
	int parts;		/* components written: 1, 2 or 3 */
};

/* Parses "MAJOR.MINOR.PATCH[-PRE][+BUILD]"; with allow_partial, "1" and
 * "1.2" too (missing parts are 0). */
int version_parse(const char *text, int allow_partial, struct semver *out,
		  struct mgr_error *err);
/* <0, 0, >0 by semver precedence (build metadata ignored). */
int version_cmp(const struct semver *a, const struct semver *b);
int version_cmp_text(const char *a, const char *b);

enum version_op { VOP_ANY, VOP_EQ, VOP_GT, VOP_GE, VOP_LT, VOP_LE,
		  VOP_CARET, VOP_TILDE };

struct vconstraint {
	enum version_op op;
	struct semver v;
};

int constraint_parse(const char *text, struct vconstraint *out,
		     struct mgr_error *err);
int constraint_match(const struct vconstraint *c, const struct semver *v);
/* Formats as "OP VERSION" (or "*") into buf. */
void constraint_format(const struct vconstraint *c, char *buf, size_t size);

/* A dependency: "ID", "ID OP VERSION" or "ID@CONSTRAINT". */
struct dep_spec {
	char id[65];
	struct vconstraint c;
	char text[160];		/* constraint as written, "" for any */
};

int dep_parse(const char *text, struct dep_spec *out, struct mgr_error *err);
/* 1 if id is a valid plugin id: [a-z0-9][a-z0-9_-]{0,63}. */
int plugin_id_valid(const char *id);

#endif

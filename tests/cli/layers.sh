#!/bin/sh
# layers.sh - the folders are layers that only look down
# (scripts/check-layers.sh, doc/ARCHITECTURE.md): the tree keeps the rule,
# and the check catches a folder that includes from a layer above it.
. "$top_srcdir/tests/cli/lib.sh"
setup_tmp
plan 7

run sh "$top_srcdir/scripts/check-layers.sh" "$top_srcdir"
is "$rc" 0 "every #include of the tree looks down"

# A copy of the sources with one include that looks up.
(cd "$top_srcdir" && find src ui -name '*.[ch]' | tar -cf - -T -) | (cd "$T" && tar -xf -)
printf '#include "scheduler.h"\n' >>"$T/src/core/util.c"
run sh "$top_srcdir/scripts/check-layers.sh" "$T"
is "$rc" 1 "a core file including a tasks header fails the check"
like "$out" 'src/core/util.c:[0-9]*: core may not include scheduler.h \(from tasks\)' \
	"... naming the file, the line and the header"
sed -i '$d' "$T/src/core/util.c"
printf '#include "plugins.h"\n' >>"$T/src/tasks/runner.c"
run sh "$top_srcdir/scripts/check-layers.sh" "$T"
like "$out" 'src/tasks/runner.c:[0-9]*: tasks may not include plugins.h' \
	"the tasks including the plugins fails too (no cycle between them)"
sed -i '$d' "$T/src/tasks/runner.c"
run sh "$top_srcdir/scripts/check-layers.sh" "$T"
is "$rc" 0 "the copy passes again without them"

# The store's seam: nobody outside src/store/sqlite sees the backend.
printf '#include "sqlite_int.h"\n' >>"$T/src/tasks/runner.c"
run sh "$top_srcdir/scripts/check-layers.sh" "$T"
like "$out" 'src/tasks/runner.c:[0-9]*: sqlite_int.h is private to src/store/sqlite' \
	"a task file including the SQLite backend's header fails the check"
sed -i '$d' "$T/src/tasks/runner.c"
printf '#include "backend.h"\n' >>"$T/src/engine/control.c"
run sh "$top_srcdir/scripts/check-layers.sh" "$T"
like "$out" 'src/engine/control.c:[0-9]*: backend.h is private to src/store' \
	"... and so does the engine including the backends' table"

#!/bin/sh
# The HTTP API through clients no one here wrote: swagger-client (npm),
# built from the served /openapi.json, drives every route, and ajv checks
# every answer against the schema the document gives for it
# (tests/node/api-client.js); @redocly/cli lints the document.  The npm
# packages are installed into tests/node by scripts/install-deps.sh.
. "$top_srcdir/tests/engine/lib.sh"

if ! command -v node >/dev/null 2>&1; then
	skip "node is not installed (scripts/install-deps.sh installs it)"
	finish
	exit 0
fi
# tests/node of this tree, or of the checkout around a copy of it
# (make distcheck, the sanitizer build of .ci/run).
NODE_DIR=
for d in "$top_srcdir/tests/node" "$top_srcdir/../tests/node" \
    "$top_srcdir/../../tests/node"; do
	if [ -d "$d/node_modules/swagger-client" ]; then
		NODE_DIR=$(cd "$d" && pwd)
		break
	fi
done
[ -n "$NODE_DIR" ]
ok $? "the npm packages are installed (scripts/install-deps.sh: npm ci in tests/node)"
[ -n "$NODE_DIR" ] || { finish; exit 0; }

printf 'manager = { shutdown_grace_seconds = 2; };\napi = { listen = "127.0.0.1:0"; token = "client-token-0123456789"; };\n' >"$CONF"
start_daemon
ok $? "daemon with the API started"
PORT=$(sed -n 's/.*api: listening on .*(port \([0-9]*\)).*/\1/p' "$T/daemon.log")
URL="http://127.0.0.1:$PORT"
TOKEN=client-token-0123456789

# Each line of the client: "ok<TAB>text" or "not ok<TAB>text<TAB>why".
# NODE_PATH: this tree's client finds the packages of the checkout around
# it (make distcheck tests a copy that has none of its own).
NODE_PATH="$NODE_DIR/node_modules" node "$top_srcdir/tests/node/api-client.js" "$URL" "$TOKEN" \
	"$top_builddir/data/plugins/hello" >"$T/client.out" 2>"$T/client.err"
ok $? "the client exits 0"
tab=$(printf '\t')
while IFS="$tab" read -r verdict text why; do
	case $verdict in
	ok) ok 0 "$text" ;;
	"not ok")
		ok 1 "$text"
		printf '#   %s\n' "$why" | head -c 2000
		echo ;;
	esac
done <"$T/client.out"
[ -s "$T/client.err" ] && sed 's/^/# /' "$T/client.err" | head -n 20
n=$(grep -c "^ok$tab" "$T/client.out")
[ "$n" -ge 100 ]
ok $? "the client made at least 100 checks ($n passed)"

# The served document passes redocly's recommended rules.
curl -s -H "Authorization: Bearer $TOKEN" "$URL/openapi.json" >"$T/openapi.json"
(cd "$T" && "$NODE_DIR/node_modules/.bin/redocly" lint --format stylish \
	openapi.json) >"$T/lint.out" 2>&1
ok $? "redocly lint: the document is valid"
sed 's/^/# /' "$T/lint.out" | tail -n 15
unlike "$(cat "$T/lint.out")" '[0-9]+ warnings?' "... without warnings"

stop_daemon TERM
is "$daemon_rc" 0 "daemon stopped"
finish

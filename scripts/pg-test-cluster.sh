#!/bin/sh
# pg-test-cluster.sh - a throwaway PostgreSQL cluster for the tests of the
# PostgreSQL store backend: initdb + pg_ctl in a folder of its own, on a
# Unix socket in that folder only (no TCP port), trust authentication.
#
#   scripts/pg-test-cluster.sh start DIR   prints the connection string
#   scripts/pg-test-cluster.sh restart DIR restarts the server (a fault
#                                          for bench/cluster.sh)
#   scripts/pg-test-cluster.sh stop DIR    stops the server, removes DIR
#
# Use: export MANAGER_TEST_PG="$(scripts/pg-test-cluster.sh start /tmp/pg)"
# before `make check`; the tests of the PostgreSQL backend skip, saying
# why, when MANAGER_TEST_PG is unset.  PostgreSQL refuses to run as root,
# so as root the cluster belongs to the user "postgres" (the Debian
# package makes it) or MANAGER_PG_USER.
set -eu

usage() {
	echo "usage: $0 start|restart|stop DIR" >&2
	exit 2
}
[ $# -eq 2 ] || usage
cmd=$1
dir=$2

# The server programs: on PATH, or Debian's versioned folder.
bindir=
if ! command -v initdb >/dev/null 2>&1; then
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && bindir=$d/
	done
	[ -n "$bindir" ] || {
		echo "$0: initdb not found: install the Debian package postgresql" >&2
		exit 1
	}
fi

owner=
if [ "$(id -u)" -eq 0 ]; then
	owner=${MANAGER_PG_USER:-postgres}
	id "$owner" >/dev/null 2>&1 || {
		echo "$0: user $owner does not exist (set MANAGER_PG_USER)" >&2
		exit 1
	}
fi

# as_owner CMD ARGS...: runs a server program as the cluster's owner.
as_owner() {
	if [ -n "$owner" ]; then
		runuser -u "$owner" -- "$@"
	else
		"$@"
	fi
}

case $cmd in
start)
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	[ -z "$owner" ] || chown "$owner" "$dir"
	chmod 0700 "$dir"
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_owner "${bindir}initdb" -D "$dir/data" -A trust -U postgres \
			-E UTF8 --no-locale >"$dir/initdb.log" 2>&1 || {
			cat "$dir/initdb.log" >&2
			exit 1
		}
	fi
	# Small and quick: no TCP, no fsync (the data is thrown away).
	as_owner "${bindir}pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
		-o "-c listen_addresses='' -k $dir -c fsync=off \
		    -c synchronous_commit=off -c full_page_writes=off \
		    -c max_connections=200" start >/dev/null || {
		cat "$dir/server.log" >&2
		exit 1
	}
	echo "host=$dir user=postgres dbname=postgres"
	;;
restart)
	# pg_ctl restart starts it with the options it last had.
	as_owner "${bindir}pg_ctl" -D "$dir/data" -l "$dir/server.log" \
		-m fast -w restart >/dev/null
	;;
stop)
	[ -d "$dir/data" ] || exit 0
	as_owner "${bindir}pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null ||
		true
	rm -rf "$dir"
	;;
*)
	usage
	;;
esac

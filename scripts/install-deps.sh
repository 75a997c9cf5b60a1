#!/bin/sh
# install-deps.sh - installs what manager needs to build and test on
# Debian 12, generates the German locale the translation tests use, and
# installs the API tests' npm packages (swagger-client, ajv, @redocly/cli,
# pinned in tests/node/package-lock.json) into tests/node.
# The one list of build dependencies: .ci/run and the README use this file.
set -e
PACKAGES="
	build-essential autoconf automake libtool autopoint gettext pkg-config
	libncurses-dev libsqlite3-dev libconfig-dev libev-dev libzip-dev
	libjansson-dev libmicrohttpd-dev libcmocka-dev libseccomp-dev libssl-dev
	libpq-dev postgresql
	libcurl4-openssl-dev
	sqlite3 jq tmux zip unzip curl locales tzdata python3 valgrind
	logrotate man-db groff-base systemd bash-completion
	python3-apscheduler python3-croniter python3-tz python3-sqlalchemy
"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
if ! locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
	$SUDO sed -i 's/^# *\(de_DE.UTF-8 UTF-8\)/\1/' /etc/locale.gen
	grep -q '^de_DE.UTF-8 UTF-8' /etc/locale.gen ||
		echo 'de_DE.UTF-8 UTF-8' | $SUDO tee -a /etc/locale.gen >/dev/null
	$SUDO locale-gen >/dev/null
fi
# Node.js and npm from Debian when the machine has none (a machine that
# has Node.js from elsewhere keeps it: its npm comes with it).
NODE_PACKAGES=
command -v node >/dev/null 2>&1 || NODE_PACKAGES=nodejs
command -v npm >/dev/null 2>&1 || NODE_PACKAGES="$NODE_PACKAGES npm"
if [ -n "$NODE_PACKAGES" ]; then
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $NODE_PACKAGES >/dev/null
fi
# A failed download is said, not fatal: tests/engine/api_client.sh then
# fails naming what is missing, and the rest of the suite still runs.
(cd "$(dirname "$0")/../tests/node" &&
	npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
	echo "install-deps.sh: npm ci in tests/node failed: the API client tests will fail" >&2

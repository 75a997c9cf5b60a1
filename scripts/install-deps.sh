#!/bin/sh
# install-deps.sh - installs what manager needs to build and test on
# Debian 12, and generates the German locale the translation tests use.
# The one list of build dependencies: .ci/run and the README use this file.
set -e
PACKAGES="
	build-essential autoconf automake libtool autopoint gettext pkg-config
	libncurses-dev libsqlite3-dev libconfig-dev libev-dev libzip-dev
	libjansson-dev libmicrohttpd-dev libcmocka-dev libseccomp-dev libssl-dev
	libpq-dev postgresql
	sqlite3 jq tmux zip unzip curl locales tzdata python3 valgrind
	logrotate man-db groff-base systemd
	python3-apscheduler python3-croniter python3-tz
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

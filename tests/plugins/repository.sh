#!/bin/sh
# Installing by name from a package repository (index.conf): newest
# satisfying version, dependencies first, checksums.
. "${top_srcdir:-.}/tests/plugins/lib.sh"

REPO="$T/repo"
mkdir -p "$REPO"

# package ID VERSION [DEPENDENCY]: zips a copy of the example plugin with
# that version into the repository; prints its index entry.
package() {
	rm -rf "$T/pkg"
	cp -r "$EX/$1" "$T/pkg"
	sed -i "s/^version = .*/version = \"$2\";/" "$T/pkg/plugin.conf"
	python3 - "$REPO/$1-$2.zip" "$T/pkg" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for f in ("plugin.conf", os.path.basename(sys.argv[1]).split("-")[0] + ".so"):
        z.write(os.path.join(sys.argv[2], f), f)
PY
	sum=$(sha256sum "$REPO/$1-$2.zip" | cut -d' ' -f1)
	deps=""
	[ -n "${3:-}" ] && deps="dependencies = [ \"$3\" ];"
	echo "  { id = \"$1\"; version = \"$2\"; archive = \"$1-$2.zip\"; sha256 = \"$sum\"; $deps },"
}

{
	echo 'packages = ('
	package hello 1.0.0
	package hello 1.2.0
	package hello 2.0.0-rc.1
	package base 1.0.0
	package base 1.1.0
	package base 2.0.0
	package greeter 0.3.1 "base ^1.0"
	echo '  { id = "faulty"; version = "0.1.0"; archive = "hello-1.0.0.zip";'
	echo '    sha256 = "0000000000000000000000000000000000000000000000000000000000000000"; },'
	echo '  { id = "badtop"; version = "1.0.0"; archive = "greeter-0.3.1.zip";'
	echo '    sha256 = "0000000000000000000000000000000000000000000000000000000000000000";'
	echo '    dependencies = [ "base >= 2.0" ]; }'
	echo ');'
} > "$REPO/index.conf"
write_conf "repositories = [ \"$REPO\" ];"

check "install by name from the repository" m plugin install hello
is "$(plugin_field hello version)" "1.2.0" "picks the newest release"
check "install NAME@CONSTRAINT" m plugin install --force "hello@~1.0"
is "$(plugin_field hello version)" "1.0.0" "picks the newest satisfying version"

check "install a plugin with a dependency" m plugin install greeter
is "$(plugin_field base version)" "1.1.0" \
    "its dependency came first, newest satisfying ^1.0"
is "$(installed_ids)" "base greeter hello" "both are installed"

expect_fail "a wrong checksum is refused" 1 \
    "checksum mismatch: .*index.conf:[0-9]+ says sha256 0000" m plugin install faulty
is "$(installed_ids)" "base greeter hello" "no row for it"
plugins_dir_is "base greeter hello " "no staging folder left"

expect_fail "a bad checksum is found before any dependency is installed" 1 \
    "checksum mismatch" m plugin install badtop
is "$(plugin_field base version)" "1.1.0" \
    "the dependency it would have upgraded is untouched"

expect_fail "an unknown package exits 3" 3 \
    'no package "nothere" matching' m plugin install nothere
expect_fail "an unsatisfiable constraint exits 3" 3 \
    'no package "base" matching ">= 3.0"' m plugin install "base@>=3.0"

# Several repositories, in order of preference: a package comes from the
# first that has a satisfying version, even when a later one has a newer
# one, unless it is pinned with "from REPO".
REPO1=$REPO REPO="$T/repo2"
mkdir -p "$REPO"
{ echo 'packages = ('; package hello 1.5.0 | sed 's/,$//'; echo ');'; } > "$REPO/index.conf"
REPO2=$REPO REPO=$REPO1
write_conf "repositories = [ \"$REPO1\", \"$REPO2\" ];"
check "install from the first of two repositories" m plugin install --force hello
is "$(plugin_field hello version)" "1.2.0" \
    "the first repository's newest, not the second's newer 1.5.0"
check "a constraint only the second satisfies" m plugin install --force "hello@>=1.3"
is "$(plugin_field hello version)" "1.5.0" "comes from the second"
check "pinned to a repository" m plugin install --force "hello@^1" from "$REPO1"
is "$(plugin_field hello version)" "1.2.0" "comes from that repository"
expect_fail "pinned, a version only the other repository has is not taken" 3 \
    "no package \"hello\" matching \"~ ?1.0\" in $REPO2\$" m plugin install --force "hello@~1.0" from "$REPO2"
is "$(plugin_field hello version)" "1.2.0" "and nothing changed"

# A folder repository may be signed too; repository_require_signature
# asks a trusted key of every repository.
write_conf "repositories = [ \"$REPO2\" ];" "repository_require_signature = true;"
expect_fail "with signatures required, an unsigned folder repository is refused" 1 \
    "repository $REPO2: refused: signatures are required" m plugin install --force hello
is "$(plugin_field hello version)" "1.2.0" "and nothing changed"
m repo keygen "$T/key" >/dev/null && m repo sign "$REPO2" --key "$T/key" >/dev/null &&
    m repo key add "$REPO2" "$T/key.pub" >/dev/null
check "signed and its key trusted, it is used" m plugin install --force hello
is "$(plugin_field hello version)" "1.5.0" "from the signed folder"
echo "# changed after signing" >> "$REPO2/index.conf"
expect_fail "a signed folder's index changed after signing is refused" 1 \
    "repository $REPO2: refused: .*bad signature" m plugin install --force "hello@^1"
is "$(plugin_field hello version)" "1.5.0" "and nothing changed"

printf 'packages = ( { id = "x"; version = "1"; } );\n' > "$T/bad-index.conf"
mkdir -p "$T/badrepo" && mv "$T/bad-index.conf" "$T/badrepo/index.conf"
write_conf "repositories = [ \"$T/badrepo\" ];"
expect_fail "a broken index names its file and line" 1 "badrepo/index.conf:1: " \
    m plugin install x

write_conf
expect_fail "no repositories configured is explained" 3 \
    "no package repositories are configured" m plugin install somename

done_testing

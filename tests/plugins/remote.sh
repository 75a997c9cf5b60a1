#!/bin/sh
# Remote repositories over HTTPS with signed indexes: a real TLS server on
# loopback (python3 http.server wrapped in ssl, a throwaway CA made here
# by openssl), install, search, outdated and upgrade from it, and every
# refusal: each leaves the rows, the plugins folder and the cache as
# they were.
. "${top_srcdir:-.}/tests/plugins/lib.sh"

SERVER="${top_srcdir:-.}/tests/plugins/https_server.py"
WWW="$T/www"
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; cleanup_tmp' EXIT
mkdir -p "$WWW" "$T/pki"

# ca NAME: a CA; cert NAME CA: a server certificate for 127.0.0.1.
ca() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" \
	    -keyout "$T/pki/$1.key" -out "$T/pki/$1.crt" 2>/dev/null
}
cert() {
	openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
	    -keyout "$T/pki/$1.key" -out "$T/pki/$1.csr" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$T/pki/ext"
	openssl x509 -req -in "$T/pki/$1.csr" -CA "$T/pki/$2.crt" \
	    -CAkey "$T/pki/$2.key" -CAcreateserial -days 2 \
	    -extfile "$T/pki/ext" -out "$T/pki/$1.crt" 2>/dev/null
}
ca ca1
ca ca2
cert srv ca1
cert other ca2

# serve NAME CERT [--stall]: starts a server; $NAME_port gets its port.
serve() {
	name=$1 crt=$2
	shift 2
	python3 "$SERVER" "$WWW" "$T/pki/$crt.crt" "$T/pki/$crt.key" \
	    "$T/$name.port" "$@" &
	PIDS="$PIDS $!"
	eval "${name}_pid=$!"
	wait_until 60 test -s "$T/$name.port" || echo "# server $name did not start"
	eval "${name}_port=$(cat "$T/$name.port")"
}

# package ID VERSION: a zip of the example plugin with that version.
package() {
	rm -rf "$T/pkg"
	cp -r "$EX/$1" "$T/pkg"
	sed -i "s/^version = .*/version = \"$2\";/" "$T/pkg/plugin.conf"
	(cd "$T/pkg" && zip -q "$WWW/$1-$2.zip" plugin.conf "$1.so")
}

# publish [SOURCE_DATE_EPOCH [KEY [DAYS]]]: index and sign the folder.
publish() {
	m repo index "$WWW" > /dev/null || echo "# repo index failed"
	SOURCE_DATE_EPOCH=${1:-$(date +%s)} m repo sign "$WWW" \
	    --key "$T/${2:-key}" --expires "${3:-30}" > /dev/null ||
	    echo "# repo sign failed"
}

serve good srv
URL="https://127.0.0.1:$good_port/"
conf_for() {	# URL [EXTRA...]
	u=$1
	shift
	write_conf "repositories = [ \"$u\" ];" \
	    "repository_ca_file = \"$T/pki/ca1.crt\";" \
	    "repository_timeout_seconds = 2;" "repository_retries = ${retries:-0};" "$@"
}
conf_for "$URL"

check "repo keygen writes a key pair" m repo keygen "$T/key"
is "$(mode_of "$T/key")" "600" "the secret key is private"
like "$(head -1 "$T/key.pub")" "^untrusted comment: minisign public key" \
    "the public key is in minisign's format"
m repo keygen "$T/other" > /dev/null
package hello 1.0.0
package base 1.0.0
publish $(($(date +%s) - 100))
check "repo key add trusts the key for the URL" m repo key add "$URL" "$T/key.pub"
like "$(m repo key list)" "^[0-9A-F]{16}  $URL" "repo key list shows it"
is "$(mode_of "$(ls -d "$STATE"/repositories/*)")" "700" "the state folder is private"

# Every refusal must leave this unchanged.
state() {
	{ m --json plugin list
	  ls -A "$PLUGINS" 2>/dev/null
	  find "$STATE/repositories" "$STATE/cache/repositories" -type f \
	      ! -name accepted -print0 2>/dev/null |
	      sort -z | xargs -0 -r sha256sum
	} | sha256sum
}

check "install hello from the HTTPS repository" m plugin install hello
is "$(plugin_field hello version)" "1.0.0" "the signed index's version"
check "repo update against an unchanged server" m repo update
like "$(cat "$T/out")" "unchanged" "the cache was still fresh (ETag)"
# libcurl is opened by the download that needs it (src/plugins/fetch.c),
# not loaded by every command: glibc's loader names each file it loads.
LD_DEBUG=files m repo list > /dev/null 2> "$T/ld"
is "$(grep -c 'file=libcurl' "$T/ld")" 0 \
    "a command that downloads nothing does not load libcurl"
LD_DEBUG=files m repo update > /dev/null 2> "$T/ld"
like "$(grep 'file=libcurl' "$T/ld")" "dynamically loaded by" \
    "repo update loads it when it downloads"

package hello 1.2.0
publish $(($(date +%s) - 50))
check "repo update takes the new signed index" m repo update
like "$(cat "$T/out")" "updated" "says so"
check "plugin search" m plugin search hel
like "$(cat "$T/out")" "^hello +1.2.0, 1.0.0 +https://127" "id, versions, repository"
like "$(cat "$T/out")" "Says hello" "and the description"
check "plugin outdated" m plugin outdated
like "$(cat "$T/out")" "^hello +1.0.0 +1.2.0 " "hello 1.0.0 -> 1.2.0"
check "plugin upgrade hello" m plugin upgrade hello
is "$(plugin_field hello version)" "1.2.0" "upgraded from the server"
like "$(m snapshot list)" "hello" "a snapshot was taken first"
check "plugin upgrade --all" m plugin upgrade --all
like "$(cat "$T/out")" "nothing to upgrade" "with nothing newer, says so"
check "install base pinned to the repository" \
    m plugin install "base@^1" from "$URL"
is "$(installed_ids)" "base hello" "both installed"

# refused CASE PATTERN COMMAND...: exit 1, the reason, nothing changed.
refused() {
	what=$1 pattern=$2
	shift 2
	before=$(state)
	expect_fail "$what is refused" 1 "$pattern" "$@"
	is "$(state)" "$before" "$what: no row, file or cache changed"
}

# A server whose validator is the index's mtime to the second answers
# "not modified" for an index rewritten within that second, while the
# signature, always fetched, is the new one: the index is fetched again
# and the signature decides (before: "bad signature", now and then).
m repo update > /dev/null
touch -r "$WWW/index.conf" "$T/stamp"
package hello 1.2.1
publish $(($(date +%s) - 45))
touch -r "$T/stamp" "$WWW/index.conf"
check "an index rewritten within the same second" m repo update
like "$(cat "$T/out")" "updated" "is fetched again and taken"
like "$(m plugin search hel)" "1.2.1" "its versions are listed"
rm "$WWW/hello-1.2.1.zip"

package hello 1.3.0
publish $(($(date +%s) - 40))
cp "$WWW/index.conf.minisig" "$T/good.sig"
python3 - "$WWW/index.conf.minisig" <<'PY'
import base64, sys
lines = open(sys.argv[1]).read().split("\n")
raw = bytearray(base64.b64decode(lines[1]))
raw[40] ^= 1
lines[1] = base64.b64encode(bytes(raw)).decode()
open(sys.argv[1], "w").write("\n".join(lines))
PY
refused "a bad signature" "repository $URL: refused: .*bad signature" \
    m plugin upgrade hello
cp "$T/good.sig" "$WWW/index.conf.minisig"
echo '# appended after signing' >> "$WWW/index.conf"
refused "an index changed after signing" \
    "repository $URL: refused: .*index.conf: bad signature: the index does not match it" \
    m repo update
publish $(($(date +%s) - 40)) other
refused "an unknown key" "refused: .*signed by unknown key" m repo update
publish 1700000000
refused "a rolled-back index" "refused: rollback: .*older than the index accepted" \
    m plugin upgrade --all
publish $(($(date +%s) - 30))
python3 - "$WWW/index.conf" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
text = re.sub(r'("hello-1.3.0.zip";\s*sha256 = ")[0-9a-f]+', r"\g<1>" + "0" * 64, text)
open(sys.argv[1], "w").write(text)
PY
grep -q '"hello-1.3.0.zip"' "$WWW/index.conf" || echo "# no 1.3.0 entry"
SOURCE_DATE_EPOCH=$(($(date +%s) - 30)) m repo sign "$WWW" --key "$T/key" > /dev/null
check "the index listing a bad archive is itself accepted" m repo update
refused "an archive checksum mismatch" "checksum mismatch" m plugin upgrade hello
ls "$STATE"/cache/repositories/*/archives | grep -q 1.3.0 &&
    not_ok "the bad archive is not kept" || ok 0 "the bad archive is not kept"

# Freeze: an index whose expiry passed, first seen by a fresh state.
publish $(($(date +%s) - 10 * 86400)) key 1
STATE_KEEP=$STATE
STATE="$T/state2"
PLUGINS="$STATE/plugins"
conf_for "$URL"
m repo key add "$URL" "$T/key.pub" > /dev/null
refused "an expired index" "refused: expired: .*expired at" m plugin install hello
STATE=$STATE_KEEP
PLUGINS="$STATE/plugins"
conf_for "$URL"
publish $(($(date +%s) - 20))

serve bad other
conf_for "https://127.0.0.1:$bad_port/"
m repo key add "https://127.0.0.1:$bad_port/" "$T/key.pub" > /dev/null
refused "a server certificate from another CA" \
    "127.0.0.1:$bad_port/index.conf.minisig: TLS: " m plugin install hello

conf_for "$URL" "repository_index_max_kb = 1;"
python3 -c 'print("# padding\n" * 200)' >> "$WWW/index.conf"
m repo sign "$WWW" --key "$T/key" > /dev/null
refused "an oversized index" "index.conf: size: larger than the limit of 1024 bytes" \
    m repo update

serve stall srv --stall
conf_for "https://127.0.0.1:$stall_port/"
m repo key add "https://127.0.0.1:$stall_port/" "$T/key.pub" > /dev/null
refused "a server that stalls" "127.0.0.1:$stall_port/.*timed out" m repo update

# Retries (repository_retries): a server that answers 503 twice, then
# serves, is read with 2 retries and refused, naming the status, with 1.
serve flaky srv --fail-first 2
retries=2 && conf_for "https://127.0.0.1:$flaky_port/"
m repo key add "https://127.0.0.1:$flaky_port/" "$T/key.pub" > /dev/null
check "a server that fails twice then serves is read with 2 retries" m repo update
serve flaky2 srv --fail-first 2
retries=1 && conf_for "https://127.0.0.1:$flaky2_port/" && retries=0
m repo key add "https://127.0.0.1:$flaky2_port/" "$T/key.pub" > /dev/null
refused "with 1 retry, the same server" \
    "127.0.0.1:$flaky2_port/index.conf.minisig: HTTP status 503" m repo update

conf_for "http://127.0.0.1:$good_port/"
refused "plain http:// without a trusted key" "plain http:// repository needs a trusted key" \
    m plugin install hello

# The cache when the server is down: search, and a reinstall of a
# version whose archive was downloaded before.
conf_for "$URL"
kill "$good_pid"
wait "$good_pid" 2>/dev/null
check "install while the server is down" m plugin install --force hello@=1.2.0
like "$(cat "$T/err")" "warning: .*connection.*using the cached index" \
    "warns that the cache is used"
is "$(plugin_field hello version)" "1.2.0" "from the cached archive"
check "search works from the cache" m plugin search base
like "$(cat "$T/out")" "^base " "finds base"

done_testing

#!/usr/bin/env bash
# Checks the built library as a C user gets it:
#  1. its exported (global) symbols are exactly the functions declared in ordercore.h;
#  2. it needs no Swift runtime (no libswift* in ldd, no run path into the toolchain);
#  3. a C program linked against it runs with the Swift toolchain's library directory unreachable.
set -uo pipefail
dist=${1:-dist}
lib="$dist/lib/libordercore.so.0"
passed=0; failed=0
ok()   { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

header_functions=$(grep -oE '\boc_[a-z0-9_]+\(' "$dist/include/ordercore.h" | tr -d '(' | sort -u)
exported=$(nm -D --defined-only --extern-only "$lib" | awk '{print $3}' | sed 's/@.*//' | sort -u)
if [ "$header_functions" = "$exported" ]; then
  ok "exported symbols equal the header's $(echo "$header_functions" | wc -l) functions"
else
  fail "exported symbols differ from the header:"; diff <(echo "$header_functions") <(echo "$exported")
fi

soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libordercore.so.0" ] && ok "soname is libordercore.so.0" || fail "soname is '$soname'"

if ldd "$lib" | grep -qi swift; then fail "ldd shows Swift libraries:"; ldd "$lib"; else ok "ldd shows no libswift*"; fi
if readelf -d "$lib" "$dist/bin/ordercore" | grep -E 'R(UN)?PATH' | grep -qi swift; then
  fail "a run path points into the Swift toolchain"
else
  ok "no run path into the Swift toolchain"
fi
if ldd "$dist/bin/ordercore" | grep -qi swift; then fail "the shell links Swift libraries"; else ok "the shell links no Swift libraries"; fi
if readelf -d "$lib" | grep NEEDED | grep -q libpq; then
  fail "the library links libpq (it must load it only when a PostgreSQL database is opened)"
else
  ok "libpq is not linked (loaded on the first PostgreSQL open)"
fi

# Hide the toolchain (a private mount namespace with an empty directory over its lib/; needs root or user
# namespaces) and libpq (/dev/null over it): the quickstart must still run, and opening a PostgreSQL URI
# must say that libpq is missing.
toolchain_lib=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")/lib
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc examples/c/quickstart.c -I "$dist/include" -L "$dist/lib" -lordercore -o "$tmp/quickstart"
cat > "$tmp/no_libpq.c" <<'C'
#include <ordercore.h>
#include <stdio.h>
#include <string.h>
int main(void) {
    oc_db *db = NULL;
    int rc = oc_open("postgresql://erp@127.0.0.1:1/orders", &db);
    int ok = rc == OC_IO && strstr(oc_errmsg(db), "libpq") != NULL;
    if (!ok) fprintf(stderr, "rc %d: %s\n", rc, oc_errmsg(db));
    oc_close(db);
    return ok ? 0 : 1;
}
C
cc "$tmp/no_libpq.c" -I "$dist/include" -L "$dist/lib" -lordercore -o "$tmp/no_libpq"
libpq=$(readlink -f "$(ldconfig -p | sed -n 's/.*libpq.so.5 .*=> //p' | head -1)" 2>/dev/null)
[ -n "$libpq" ] && [ -f "$libpq" ] && hide_libpq="mount --bind /dev/null '$libpq'" || hide_libpq=true
hide="mount -t tmpfs none '$toolchain_lib' && [ -z \"\$(ls '$toolchain_lib')\" ] && $hide_libpq"
run="cd '$tmp' && LD_LIBRARY_PATH='$PWD/$dist/lib' ./quickstart nt.db >/dev/null && LD_LIBRARY_PATH='$PWD/$dist/lib' ./no_libpq"
if unshare -m true 2>/dev/null; then
  if unshare -m sh -c "$hide && $run"; then
    ok "quickstart runs with $toolchain_lib and libpq hidden; a PostgreSQL URI then says libpq is missing"
  else
    fail "quickstart does not run, or a PostgreSQL URI is not refused clearly, with $toolchain_lib and libpq hidden"
  fi
elif unshare -rm true 2>/dev/null && unshare -rm sh -c "$hide && $run"; then
  ok "quickstart runs with $toolchain_lib hidden (user namespace)"
else
  echo "note: cannot hide $toolchain_lib here (no mount namespaces); relying on the ldd checks above"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# Runs test_full_disk on a 2 MiB tmpfs in a private mount namespace (needs root or user namespaces).
set -uo pipefail
binary=$(readlink -f "$1")
libdir=$(readlink -f "$2")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
run="mount -t tmpfs -o size=2m none '$dir' && LD_LIBRARY_PATH='$libdir' '$binary' '$dir/full.db'"
if unshare -m true 2>/dev/null; then
  unshare -m sh -c "$run"
elif unshare -rm true 2>/dev/null; then
  unshare -rm sh -c "$run"
else
  echo "note: no mount namespaces here; the full-disk test cannot run"
fi

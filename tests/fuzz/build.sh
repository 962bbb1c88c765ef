#!/bin/sh
# Builds one libFuzzer target: build.sh OUTPUT SOURCE... [LIBS...]
# FUZZ_CLANG and FUZZ_FLAGS come from tests/fuzz/local.mk.  Without a
# usable clang it builds nothing and says why; run.sh then skips the
# target, or fails it when CI=true.
set -eu
out=$1
shift
. "$(dirname "$0")/toolchain.sh"
problem=$(fuzz_toolchain_problem)
if [ -n "$problem" ]; then
	echo "fuzz: not building $out: $problem" >&2
	rm -f "$out"
	exit 0
fi
mkdir -p "$(dirname "$out")"
# shellcheck disable=SC2086 # FUZZ_FLAGS is a list of options
exec "${FUZZ_CLANG:-clang}" $FUZZ_FLAGS -o "$out" "$@"

#!/bin/bash
# Runs one libFuzzer target (tests/fuzz/README).
#
#   run.sh --mode fuzz|replay|campaign --seconds N --builddir DIR --srcdir DIR NAME.fuzz
#
# fuzz      (make check) mutate for N seconds from the simulator seeds and
#           the regression inputs, in a scratch corpus that is thrown away;
# replay    (make check in the sanitizer tree) run every seed and regression
#           input once: the targets carry ASan+UBSan already, so fuzzing
#           again there adds nothing, but the replay proves the dist tree
#           holds everything the targets need;
# campaign  (make fuzz) mutate for N seconds into a corpus kept under
#           tests/fuzz/work/NAME, and record libFuzzer's final statistics in
#           tests/fuzz/campaign.log.
#
# NAME.fuzz holds the target's libFuzzer options.  A crash or broken
# invariant leaves the input in tests/fuzz/artifacts/ and prints the command
# that reproduces it.  Without a usable clang the test is skipped (77), and
# fails when CI=true: a fuzz test skipped in CI proves nothing.
set -u

mode=fuzz seconds=10 builddir=. srcdir=.
while [ $# -gt 1 ]; do
	case $1 in
	--mode) mode=$2 ;;
	--seconds) seconds=$2 ;;
	--builddir) builddir=$2 ;;
	--srcdir) srcdir=$2 ;;
	*) echo "run.sh: unknown option $1" >&2; exit 99 ;;
	esac
	shift 2
done
spec=${1:?usage: run.sh [options] NAME.fuzz}
name=$(basename "$spec" .fuzz)
bin=$builddir/tests/fuzz/bin/fuzz_$name
seeds=$builddir/tests/fuzz/seeds/$name
regress=$srcdir/tests/fuzz/regress_$name
dict=$srcdir/tests/fuzz/$name.dict
artifacts=$builddir/tests/fuzz/artifacts

if [ ! -x "$bin" ]; then
	. "$srcdir/tests/fuzz/toolchain.sh"
	problem=$(fuzz_toolchain_problem)
	[ -n "$problem" ] || { echo "FAIL: fuzz_$name: not built (see the build output)"; exit 1; }
	if [ "${CI:-}" = true ]; then
		echo "FAIL: fuzz_$name: $problem (fuzz targets must run in CI)"
		exit 1
	fi
	echo "SKIP: fuzz_$name: $problem"
	exit 77
fi
if [ -z "$(ls -A "$seeds" 2>/dev/null)" ]; then
	echo "FAIL: fuzz_$name: no seed corpus in $seeds (tests/fuzz/gen_corpus)"
	exit 1
fi

# Options from the spec file, one or more per line, '#' starts a comment.
opts=$(sed -e 's/#.*//' "$spec")
corpora=("$seeds")
[ -d "$regress" ] && corpora+=("$regress")
[ -f "$dict" ] && opts="$opts -dict=$dict"
mkdir -p "$artifacts"
# A failure must not look like automake's skip (77) or hard error (99).
common="-error_exitcode=1 -timeout_exitcode=1 -timeout=10 -print_final_stats=1 \
-artifact_prefix=$artifacts/$name-"

case $mode in
replay)
	work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-$name.XXXXXX")
	# shellcheck disable=SC2086
	"$bin" $opts $common -runs=0 "$work" "${corpora[@]}" >"$work.log" 2>&1
	;;
fuzz)
	work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-$name.XXXXXX")
	# shellcheck disable=SC2086
	"$bin" $opts $common -max_total_time="$seconds" "$work" "${corpora[@]}" >"$work.log" 2>&1
	;;
campaign)
	work=$builddir/tests/fuzz/work/$name
	mkdir -p "$work" "$builddir/tests/fuzz/logs"
	start=$(date +%s)
	# shellcheck disable=SC2086
	"$bin" $opts $common -max_total_time="$seconds" "$work" "${corpora[@]}" \
		>"$builddir/tests/fuzz/logs/$name.log" 2>&1
	;;
*)
	echo "run.sh: unknown mode $mode" >&2
	exit 99
	;;
esac
rc=$?

if [ "$mode" = campaign ]; then
	log=$builddir/tests/fuzz/logs/$name.log
	elapsed=$(($(date +%s) - start))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	printf '%s %s target=%s rc=%s wall_s=%s runs=%s exec_per_s=%s\n' \
		"$(date -u +%FT%TZ)" "$(hostname)" "$name" "$rc" "$elapsed" "${runs:-?}" \
		"${speed:-?}" | tee -a "$builddir/tests/fuzz/campaign.log"
else
	log=$work.log
fi

if [ "$rc" -ne 0 ]; then
	tail -n 60 "$log"
	echo "FAIL: fuzz_$name (libFuzzer exit $rc); inputs kept in $artifacts/"
	sed -n 's/.*Test unit written to //p' "$log" | while read -r a; do
		echo "reproduce: $bin $a"
	done
else
	grep -E '^(#[0-9]+[[:space:]]+(INITED|DONE)|stat::|Done )' "$log"
	echo "ok: fuzz_$name ($mode)"
fi
[ "$mode" = campaign ] || rm -rf "$work" "$work.log"
[ "$rc" -eq 0 ] || exit 1
exit 0

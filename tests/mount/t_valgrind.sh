#!/bin/bash
# The mount tests again with the daemon under valgrind memcheck: any
# invalid access, uninitialised use or definite leak makes the daemon exit
# 99, which umount_ocxlfs turns into a failure of that test.
# (The sanitizer build skips this: valgrind cannot run ASan binaries.)
set -u
here=$(dirname "$0")
if ! command -v valgrind >/dev/null; then
	[ "${CI:-}" = true ] && { echo "FAIL: valgrind missing (CI)"; exit 1; }
	echo "SKIP: no valgrind"; exit 77
fi
export OCXLFS_WRAP="valgrind --quiet --error-exitcode=99 --leak-check=full \
--errors-for-leak-kinds=definite --show-leak-kinds=definite --track-fds=no \
--trace-children=yes"
rc=0
for t in t_tree t_control t_commands t_events t_faults; do
	if bash "$here/$t.sh" >"${TMPDIR:-/tmp}/ocxlfs-vg-$t.$$.log" 2>&1; then
		echo "ok - $t under valgrind"
	else
		st=$?
		[ $st = 77 ] && { echo "SKIP: $t"; rm -f "${TMPDIR:-/tmp}/ocxlfs-vg-$t.$$.log"; exit 77; }
		echo "FAIL: $t under valgrind (exit $st)"
		tail -n 40 "${TMPDIR:-/tmp}/ocxlfs-vg-$t.$$.log"
		rc=1
	fi
	rm -f "${TMPDIR:-/tmp}/ocxlfs-vg-$t.$$.log"
done
exit $rc

#!/bin/bash
# A second daemon on the same state directory is refused (docs/tree.md
# section 5.2: the state directory is locked): it exits with an error that
# names the lock, mounts nothing, and the first mount goes on serving.
. "$(dirname "$0")/lib.sh"

mount_ocxlfs --simulate=2 --sim-errlogs=2
serial=$(cat "$MNT/0/serial")
mkdir -p "$WORK/mnt2"
if backend_is_sim; then
	second=(--simulate=2 --sim-dir="$SIM")
else
	second=()
fi
timeout "$(scaled 30)" "$OCXLFS" -f --state-dir="$STATE" "${second[@]}" "$WORK/mnt2" \
	>"$WORK/second.log" 2>&1
rc=$?
[ "$rc" = 124 ] && { "$FUSERMOUNT" -u "$WORK/mnt2" 2>/dev/null; fail "the second daemon kept running"; }
[ "$rc" != 0 ] || fail "the second daemon exited 0: $(cat "$WORK/second.log")"
grep -qi 'busy\|in use\|locked' "$WORK/second.log" || fail "the second daemon's error: $(cat "$WORK/second.log")"
mountpoint -q "$WORK/mnt2" && { "$FUSERMOUNT" -u "$WORK/mnt2"; fail "the second daemon mounted"; }
assert_eq "$serial" "$(cat "$MNT/0/serial")" "the first mount after the second daemon"
grep -q '^id: 2$' "$MNT/0/error_log" || fail "the first mount's error_log"
ok "a second daemon on the same state directory exits with an error; the first serves on"

umount_ocxlfs || fail "daemon exit status"
finish

#!/bin/bash
# What only the kernel path has, seen through the mount: the message when
# there is no card, identity without the DIMM's sysfs group, and a card
# whose driver is the posted v4 one, served through /dev/ocxlpmemN.
export OCXLFS_BACKEND=kernel
. "$(dirname "$0")/../mount/lib.sh"

ids() { grep '^id: ' "$MNT/$1/error_log" | cut -d' ' -f2 | tr '\n' ' '; }

# No card at all: ocxlfs does not mount and says what to do instead.
harness_ctl setup 0 dir="$SIM" || fail "harness setup"
if "$OCXLFS" -f --state-dir="$STATE" "$MNT" >"$WORK/nocard.log" 2>&1; then
	fail "ocxlfs ran without a card"
fi
grep -q "no OpenCAPI persistent-memory card found" "$WORK/nocard.log" ||
	fail "no-card message: $(cat "$WORK/nocard.log")"
grep -q -- "--simulate" "$WORK/nocard.log" || fail "the message does not name --simulate"
mountpoint -q "$MNT" && fail "mounted without a card"
ok "without a card ocxlfs exits non-zero, naming --simulate"

# No ocxlpmem/ group in sysfs: the identity comes from the card.
HARNESS_SETUP="sysfs-identity=0" mount_ocxlfs --simulate=1
assert_eq 2020000000 "$(cat "$MNT/0/serial")" "serial by IDENTIFY"
assert_eq 01.02.03 "$(cat "$MNT/0/firmware_version")" "firmware by IDENTIFY"
grep -qx "transport: ndctl" "$MNT/0/info" || fail "info: $(cat "$MNT/0/info")"
ok "a card without the sysfs identity group is identified by command"
umount_ocxlfs || fail "daemon exit status"

# The posted v4 driver: ND_CMD_CALL knows SMART only, the rest goes through
# its character device (docs/protocol.md section 9).
rm -rf "$SIM" "$STATE" && mkdir -p "$SIM" "$STATE"
HARNESS_SETUP="flavour=v4" mount_ocxlfs --simulate=2 --sim-errlogs=3
for c in 0 1; do
	grep -qx "transport: ioctl-v4" "$MNT/$c/info" || fail "card $c info: $(cat "$MNT/$c/info")"
	grep -qx "device: /dev/ocxlpmem$c" "$MNT/$c/info" || fail "card $c device"
	assert_eq "$((2020000000 + c))" "$(cat "$MNT/$c/serial")" "card $c serial from sysfs"
done
assert_eq "1 2 3 " "$(ids 0)" "error_log through IOCTL_OCXLPMEM_ERROR_LOG"
grep -q '^host_load_count: [0-9]\+$' "$MNT/0/statistics" || fail "statistics: $(cat "$MNT/0/statistics")"
grep -q "^temperature id=0x" "$MNT/0/health" || fail "health: $(cat "$MNT/0/health")"
assert_eq 131072 "$(cat "$MNT/0/labels" | wc -c)" "labels through the DIMM"
ok "v4: info, identity, error_log, statistics, SMART and labels"

sim_ctl 1 inject "errlog 2"
wait_until '[ "$(ids 1)" = "1 2 3 4 5 " ]'
assert_eq "1 2 3 " "$(ids 0)" "card 0 after card 1's entries"
assert_eq ready "$(cat "$MNT/1/state")" "state"
ok "v4: entries the card posts are drained into error_log"
umount_ocxlfs || fail "daemon exit status"

finish

#!/bin/bash
# The Debian package, whole cycle: `make distdir` into a scratch directory
# (never the work tree), `dpkg-buildpackage -us -uc -b` there, lintian
# without errors, `dpkg -i`, the installed unit's lines run by hand the way
# systemd would (there is no systemd PID 1 here) inside a private mount
# namespace, a file read from the mount, stop, `dpkg --purge`: every file
# the package installed is gone, /var/lib/ocxlfs stays.  Prints how long
# each step took.
. "$(dirname "$0")/../mount/lib.sh"

# Never inside a package build started by this test.
[ -z "${OCXLFS_PKG_TEST:-}" ] || fail "t_deb.sh ran inside its own package build"
export OCXLFS_PKG_TEST=1
for tool in dpkg-buildpackage dh lintian dh_python3; do
	command -v "$tool" >/dev/null || skip_or_fail "no $tool (scripts/install-deps)"
done
BUILDDIR=$(dirname "$OCXLFS")
mk() { env -u MAKEFLAGS -u MFLAGS "${MAKE:-make}" -s -C "$BUILDDIR" "$@"; }
if dpkg-query -W -f='${Status}' ocxlfs 2>/dev/null | grep -q 'ok installed'; then
	fail "package ocxlfs is installed on this host already; not touching it"
fi
STATE_EXISTED=no
[ -e /var/lib/ocxlfs ] && STATE_EXISTED=yes
step_start=$(date +%s.%N)
timing=
step() { # name
	local now
	now=$(date +%s.%N)
	timing="$timing $1=$(awk -v a="$now" -v b="$step_start" 'BEGIN { printf "%.1f", a - b }')s"
	step_start=$now
}
pkg_cleanup() {
	dpkg-query -W ocxlfs >/dev/null 2>&1 && dpkg --purge ocxlfs >/dev/null 2>&1
	[ "$STATE_EXISTED" = no ] && rm -rf /var/lib/ocxlfs
	return 0
}
trap 'pkg_cleanup; cleanup' EXIT

# ---- build from a copy of the source ----
SRC=$WORK/src/ocxlfs-pkg
mkdir -p "$WORK/src"
mk distdir distdir="$SRC" >"$WORK/distdir.log" 2>&1 || fail "make distdir: $(tail "$WORK/distdir.log")"
# The build's own make must not inherit this make's variables (TESTS
# would make the package's test step run this very test again).
(cd "$SRC" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u TESTS DEB_BUILD_OPTIONS="parallel=2" \
	dpkg-buildpackage -us -uc -b) \
	>"$WORK/build.log" 2>&1 || fail "dpkg-buildpackage: $(tail -n 30 "$WORK/build.log")"
DEB=$(ls "$WORK"/src/ocxlfs_*_*.deb)
[ -f "$DEB" ] || fail "no .deb: $(ls "$WORK/src")"
step build
ok "dpkg-buildpackage -us -uc -b builds ${DEB##*/} from make distdir"

lintian "$DEB" >"$WORK/lintian.log" 2>&1 || fail "lintian: $(cat "$WORK/lintian.log")"
grep -q '^E:' "$WORK/lintian.log" && fail "lintian errors: $(cat "$WORK/lintian.log")"
step lintian
ok "lintian reports no error ($(grep -c '^[WIPXO]: ' "$WORK/lintian.log") other tags)"

dpkg-deb -c "$DEB" | awk '{ print $6 }' | sed 's|^\./|/|' >"$WORK/contents"
for f in /usr/bin/ocxlfs /usr/share/man/man8/ocxlfs.8.gz /lib/systemd/system/ocxlfs.service \
	/etc/default/ocxlfs /usr/lib/python3/dist-packages/sos/report/plugins/ocxlfs.py \
	/usr/share/doc/ocxlfs/copyright /usr/share/doc/ocxlfs/README.gz \
	/usr/share/doc/ocxlfs/tree.md.gz /usr/share/doc/ocxlfs/json.md.gz \
	/usr/share/ocxlfs/prometheus/ocxlfs.rules.yml \
	/usr/share/ocxlfs/prometheus/ocxlfs.grafana.json; do
	grep -qx "$f" "$WORK/contents" || fail "$f not in the package: $(cat "$WORK/contents")"
done
dpkg-deb -I "$DEB" conffiles | grep -qx /etc/default/ocxlfs || fail "/etc/default/ocxlfs is no conffile"
ok "the package holds the daemon, man page, unit, conffile, sos plugin, docs, contrib/prometheus files"

# ---- install ----
dpkg -i "$DEB" >"$WORK/install.log" 2>&1 || fail "dpkg -i: $(cat "$WORK/install.log")"
dpkg -L ocxlfs >"$WORK/files"
step install
UNIT=/lib/systemd/system/ocxlfs.service
systemd-analyze verify --man=no "$UNIT" >"$WORK/verify.log" 2>&1 ||
	fail "systemd-analyze verify: $(cat "$WORK/verify.log")"
ok "dpkg -i installs it; systemd-analyze verify accepts the installed unit"

# ---- the unit's lines, as systemd runs them, in a private mount namespace ----
# A tmpfs on /mnt keeps /mnt/ocxl and the FUSE mount away from this host.
# The script prints the serial it read through the mount.
cat >"$WORK/run-unit.sh" <<'SH'
#!/bin/bash
set -u
unit=$1
key() { sed -n "s/^$1=//p" "$unit"; }
mount -t tmpfs none /mnt || exit 90
set -a
. /etc/default/ocxlfs
set +a
line() { # key: the command line with $OCXLFS_OPTS split, $$ unescaped
	local l
	l=$(key "$1")
	l=${l#-}
	echo "${l//\$\$/\$}"
}
# ExecCondition runs through sh: its quoting is sh's.
eval "cond=($(line ExecCondition))"
"${cond[@]}" || { echo "condition false ($?)"; exit 91; }
eval "pre=($(line ExecStartPre))"
"${pre[@]}" || exit 92
read -r -a start <<<"$(key ExecStart)"
cmd=()
for w in "${start[@]}"; do
	case $w in
	\$OCXLFS_OPTS) cmd+=($OCXLFS_OPTS) ;;
	*) cmd+=("$w") ;;
	esac
done
"${cmd[@]}" >/tmp/ocxlfs-pkg-daemon.log 2>&1 &
pid=$!
for _ in $(seq 1 300); do
	[ -e /mnt/ocxl/1/serial ] && break
	sleep 0.1
done
cat /mnt/ocxl/0/serial || exit 93
grep -q '"schema":"ocxlfs.labels/1"' /mnt/ocxl/0/labels.json || exit 94
read -r -a stop <<<"$(key ExecStop)"
# Outside systemd the stop command says why it unmounts: kept apart.
"${stop[@]}" 2>/tmp/ocxlfs-pkg-stop.log || exit 95
grep -q 'unmounting /mnt/ocxl' /tmp/ocxlfs-pkg-stop.log || exit 97
wait "$pid" || exit 96
SH
# No card and no --simulate: the condition is false (a skip, not a failure).
unshare -m bash "$WORK/run-unit.sh" "$UNIT" >"$WORK/run0.log" 2>&1
rc=$?
[ "$rc" = 91 ] && grep -q 'condition false (1)' "$WORK/run0.log" ||
	fail "without a card the condition is not false with status 1: rc $rc, $(cat "$WORK/run0.log")"
sed -i 's/^OCXLFS_OPTS=.*/OCXLFS_OPTS="--simulate=2"/' /etc/default/ocxlfs
unshare -m bash "$WORK/run-unit.sh" "$UNIT" >"$WORK/run1.log" 2>&1 ||
	fail "the installed unit's lines (rc $?): $(cat "$WORK/run1.log" /tmp/ocxlfs-pkg-daemon.log)"
assert_eq 2020000000 "$(cat "$WORK/run1.log")" "card 0's serial through the installed daemon"
[ -d /var/lib/ocxlfs/2020000000 ] || fail "no state directory for card 0"
step run
ok "the installed unit: condition false without a card; with --simulate it mounts, serves, stops with 0"

# ---- purge ----
dpkg --purge ocxlfs >"$WORK/purge.log" 2>&1 || fail "dpkg --purge: $(cat "$WORK/purge.log")"
step purge
while read -r f; do
	[ -d "$f" ] && continue # shared directories (/usr/bin) stay
	[ -e "$f" ] || [ -L "$f" ] && fail "$f is still there after purge"
done <"$WORK/files"
[ -e /etc/default/ocxlfs ] && fail "the conffile survived the purge"
[ -e /etc/systemd/system/multi-user.target.wants/ocxlfs.service ] && fail "unit still enabled"
dpkg-query -W -f='${Status}' ocxlfs 2>/dev/null | grep -q installed && fail "dpkg still knows ocxlfs"
[ -d /var/lib/ocxlfs/2020000000 ] || fail "the purge removed the state directory"
ok "dpkg --purge removes every file it installed, the conffile and the enablement; /var/lib/ocxlfs stays"

echo "# timing:$timing"
finish

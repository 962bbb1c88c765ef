#!/bin/bash
# Under systemd the mount outlives the supervisor too (docs/architecture.md
# section 5.3): the supervisor keeps the /dev/fuse descriptor and the arena
# in the service's file-descriptor store (sd_notify FDSTORE=1), and takes
# them back when it is started again (LISTEN_FDS).  There is no systemd
# here, so a small service manager plays its part of the protocol: it
# listens on NOTIFY_SOCKET, keeps the descriptors it is sent, and starts
# the daemon again with them, as systemd does after `systemctl restart`
# (SIGTERM: the supervisor keeps the mount and exits 75) and after a crash
# (SIGKILL to every process of the service).  A file held open reads on
# across both; the unit's ExecStop (`ocxlfs --unit-stop`), with no service
# manager to ask, unmounts like a stop.
. "$(dirname "$0")/lib.sh"

if backend_is_sim; then
	set -- --simulate=2 --sim-dir="$SIM"
else
	harness_ctl setup 2 dir="$SIM" || fail "harness card setup"
	set --
fi

cat >"$WORK/manager.py" <<'PY'
import array, os, signal, socket, subprocess, sys, time

ocxlfs, mnt, work, log = sys.argv[1:5]
daemon_args = sys.argv[5:]
store = {}          # FDNAME -> descriptor kept by the "service manager"
notify_path = work + "/notify"
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(notify_path)
children = []

def fail(msg):
    for pid in children:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    print("FAIL: " + msg, flush=True)
    sys.exit(1)

def receive(timeout):
    """One notification: (text, descriptors)."""
    sock.settimeout(timeout)
    fds = array.array("i")
    msg, anc, _, _ = sock.recvmsg(4096, socket.CMSG_SPACE(16 * fds.itemsize))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[:len(data) - len(data) % fds.itemsize])
    return msg.decode(), list(fds)

def wait_ready(pid):
    deadline = time.monotonic() + float(os.environ.get("HANG_GUARD_S", "30"))
    while time.monotonic() < deadline:
        try:
            text, fds = receive(1.0)
        except socket.timeout:
            if os.waitpid(pid, os.WNOHANG)[0]:
                fail("the daemon exited before it was ready")
            continue
        fields = dict(l.split("=", 1) for l in text.split("\n") if "=" in l)
        if fields.get("FDSTORE") == "1":
            name = fields.get("FDNAME", "stored")
            if name in store:
                os.close(store[name])
            store[name] = fds[0]
            for extra in fds[1:]:
                os.close(extra)
        elif fds:
            for fd in fds:
                os.close(fd)
        if fields.get("READY") == "1":
            return
    fail("no READY=1")

def start(with_store):
    """Starts the daemon as systemd would; with the store passed back (LISTEN_FDS)."""
    names = ["fuse", "arena"] if with_store else []
    out = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    pid = os.fork()
    if pid == 0:
        env = dict(os.environ, NOTIFY_SOCKET=notify_path)
        for i, name in enumerate(names):
            os.dup2(store[name], 3 + i)
        if names:
            env.update(LISTEN_FDS=str(len(names)), LISTEN_PID=str(os.getpid()),
                       LISTEN_FDNAMES=":".join(names))
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.execve(ocxlfs, [ocxlfs, "-f", "--state-dir=" + work + "/state"] + daemon_args + [mnt],
                  env)
    os.close(out)
    children.append(pid)
    wait_ready(pid)
    return pid

def worker_of(pid):
    with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
        kids = f.read().split()
    return int(kids[0]) if kids else None

def serial():
    with open(mnt + "/0/serial") as f:
        return f.read().strip()

pid = start(False)
if sorted(store) != ["arena", "fuse"]:
    fail("stored descriptors: %r" % sorted(store))
print("ok - the daemon keeps fuse and arena in the service's store, then says READY=1", flush=True)
held = os.open(mnt + "/1/health", os.O_RDONLY)
size = os.fstat(held).st_size
got = os.read(held, 10)

# systemctl restart: SIGTERM (the unit's ExecStop left the mount), exit 75.
os.kill(pid, signal.SIGTERM)
_, status = os.waitpid(pid, 0)
children.remove(pid)
if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 75:
    fail("restart: exit status %r, not 75" % status)
if not os.path.ismount(mnt):
    fail("restart: unmounted")
pid = start(True)
if not serial().isdigit():
    fail("restart: serial")
print("ok - restart: SIGTERM exits 75 keeping the mount; the next start takes it over", flush=True)

# A crash of the whole service: SIGKILL to the supervisor and its worker.
worker = worker_of(pid)
os.kill(pid, signal.SIGKILL)
if worker:
    os.kill(worker, signal.SIGKILL)
os.waitpid(pid, 0)
children.remove(pid)
pid = start(True)
if not serial().isdigit():
    fail("crash: serial")
while True:
    b = os.read(held, 65536)
    if not b:
        break
    got += b
if len(got) != size:
    fail("held file: %d bytes of %d" % (len(got), size))
os.close(held)
print("ok - a crash of supervisor and worker: the next start takes the mount over; a held file reads whole", flush=True)

# systemctl stop: ExecStop unmounts (no manager to say it is a restart), the
# daemon ends 0.  A file held open keeps the connection after the (lazy)
# unmount: the stop is still a stop, not a restart that keeps the mount.
held = os.open(mnt + "/0/health", os.O_RDONLY)
rc = subprocess.call([ocxlfs, "--unit-stop=" + mnt])
if rc != 0:
    fail("ExecStop: exit %d" % rc)
if os.path.ismount(mnt):
    fail("ExecStop did not unmount")
os.kill(pid, signal.SIGTERM)
_, status = os.waitpid(pid, 0)
children.remove(pid)
if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
    fail("stop: exit status %r" % status)
# The manager lets the store go with the unit; the connection ends with it.
for fd in store.values():
    os.close(fd)
os.close(held)
print("ok - stop: ExecStop unmounts, the daemon exits 0, even with a file held open", flush=True)
PY

python3 "$WORK/manager.py" "$OCXLFS" "$MNT" "$WORK" "$WORK/daemon.log" "$@" >"$WORK/manager.out" 2>&1
rc=$?
cat "$WORK/manager.out"
[ $rc = 0 ] || fail "the service manager's run: $(tail -n 3 "$WORK/manager.out")"
T_PASSED=$(grep -c '^ok ' "$WORK/manager.out")
backend_is_sim || harness_ctl teardown || fail "harness teardown"
finish

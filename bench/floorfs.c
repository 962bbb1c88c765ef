// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * floorfs: the smallest libfuse low-level file system the bench can compare
 * ocxlfs against.  It serves one directory holding one regular file, "f",
 * whose bytes never change: either a short built-in constant or the content
 * of a file given with --content (mapped, so a 256 MiB baseline costs no
 * copy).  Whatever it costs to read "f" is what FUSE itself costs on this
 * machine: the floor.
 *
 * It uses the same loop as ocxlfs (multithreaded unless -s) and the same
 * defaults (1 s entry and attribute timeouts, no keep_cache, a flush that
 * does nothing, readdirplus off), and each kernel-offered knob ocxlfs might
 * use can be switched on alone, so the bench can price it:
 *   --attr-timeout=S --entry-timeout=S   what the kernel may cache
 *   --keep-cache      FOPEN_KEEP_CACHE: page cache survives open()
 *   --noflush         FOPEN_NOFLUSH: close() sends no FLUSH
 *   --no-open         answer OPEN with ENOSYS: the kernel stops sending
 *                     OPEN and RELEASE for the whole connection
 *   --flush-enosys    answer FLUSH with ENOSYS: no more FLUSH, ever
 *   --auto-inval      FUSE_CAP_AUTO_INVAL_DATA, as ocxlfs asks for
 *   --splice          reply to READ by splicing from the content file
 *   --direct-io       FOPEN_DIRECT_IO: bypass the page cache
 *
 * Built by bench/run with `cc $(pkg-config --cflags --libs fuse3)`; not part
 * of the product.
 */
#define FUSE_USE_VERSION 312
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ROOT_INO  1
#define FILE_INO  2
#define FILE_NAME "f"

/* About the length of a card's statistics file. */
static const char builtin[] = "reset_count: 0\nreset_uptime: 1\npower_on_uptime: 1\n";

struct options {
	char *content;
	double attr_timeout;
	double entry_timeout;
	int keep_cache;
	int noflush;
	int no_open;
	int flush_enosys;
	int auto_inval;
	int splice;
	int direct_io;
	int show_help;
};

// clang-format off
#define OPT(t, p, v) { t, offsetof(struct options, p), v }
static const struct fuse_opt option_spec[] = {
	OPT("--content=%s", content, 0),
	OPT("--attr-timeout=%lf", attr_timeout, 0),
	OPT("--entry-timeout=%lf", entry_timeout, 0),
	OPT("--keep-cache", keep_cache, 1),
	OPT("--noflush", noflush, 1),
	OPT("--no-open", no_open, 1),
	OPT("--flush-enosys", flush_enosys, 1),
	OPT("--auto-inval", auto_inval, 1),
	OPT("--splice", splice, 1),
	OPT("--direct-io", direct_io, 1),
	OPT("-h", show_help, 1),
	OPT("--help", show_help, 1),
	FUSE_OPT_END
};
// clang-format on

static struct {
	struct options opt;
	const char *data;
	size_t len;
	int fd; /* the content file, for --splice; -1 for the built-in */
	struct timespec born;
} fl = {.fd = -1};

static void fill_stat(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_uid = getuid();
	st->st_gid = getgid();
	st->st_mtim = st->st_ctim = st->st_atim = fl.born;
	if (ino == ROOT_INO) {
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
	} else {
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		st->st_size = (off_t)fl.len;
		st->st_blocks = (fl.len + 511) / 512;
		st->st_blksize = 4096;
	}
}

static void fl_init(void *userdata, struct fuse_conn_info *conn)
{
	if (fl.opt.auto_inval && (conn->capable & FUSE_CAP_AUTO_INVAL_DATA))
		conn->want |= FUSE_CAP_AUTO_INVAL_DATA;
	if (fl.opt.splice)
		conn->want |= conn->capable & (FUSE_CAP_SPLICE_WRITE | FUSE_CAP_SPLICE_MOVE);
	conn->want &= ~(FUSE_CAP_READDIRPLUS | FUSE_CAP_READDIRPLUS_AUTO);
}

static void fl_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e = {0};

	if (parent != ROOT_INO || strcmp(name, FILE_NAME)) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	e.ino = FILE_INO;
	e.attr_timeout = fl.opt.attr_timeout;
	e.entry_timeout = fl.opt.entry_timeout;
	fill_stat(FILE_INO, &e.attr);
	fuse_reply_entry(req, &e);
}

static void fl_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	if (ino != ROOT_INO && ino != FILE_INO) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fill_stat(ino, &st);
	fuse_reply_attr(req, &st, fl.opt.attr_timeout);
}

static void fl_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	static const char *const names[] = {".", "..", FILE_NAME};
	static const fuse_ino_t inos[] = {ROOT_INO, ROOT_INO, FILE_INO};
	char buf[512];
	size_t used = 0;

	if (ino != ROOT_INO) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	if (size > sizeof(buf))
		size = sizeof(buf);
	for (off_t i = off; i < 3; i++) {
		struct stat st = {.st_ino = inos[i]};
		size_t need;

		st.st_mode = i < 2 ? S_IFDIR : S_IFREG;
		need = fuse_add_direntry(req, buf + used, size - used, names[i], &st, i + 1);
		if (need > size - used)
			break;
		used += need;
	}
	fuse_reply_buf(req, buf, used);
}

static void fl_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (ino != FILE_INO) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	if ((fi->flags & O_ACCMODE) != O_RDONLY) {
		fuse_reply_err(req, EACCES);
		return;
	}
	/* ENOSYS on the first OPEN turns OPEN and RELEASE off for the mount. */
	if (fl.opt.no_open) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	fi->keep_cache = fl.opt.keep_cache;
	fi->noflush = fl.opt.noflush;
	fi->direct_io = fl.opt.direct_io;
	fuse_reply_open(req, fi);
}

static void fl_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	size_t n;

	if (off < 0 || (size_t)off >= fl.len) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	n = fl.len - (size_t)off < size ? fl.len - (size_t)off : size;
	if (fl.opt.splice && fl.fd >= 0) {
		struct fuse_bufvec bv = FUSE_BUFVEC_INIT(n);

		bv.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
		bv.buf[0].fd = fl.fd;
		bv.buf[0].pos = off;
		fuse_reply_data(req, &bv, FUSE_BUF_SPLICE_MOVE);
		return;
	}
	fuse_reply_buf(req, fl.data + off, n);
}

static void fl_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_err(req, fl.opt.flush_enosys ? ENOSYS : 0);
}

static void fl_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_err(req, 0);
}

static const struct fuse_lowlevel_ops fl_ops = {
    .init = fl_init,
    .lookup = fl_lookup,
    .getattr = fl_getattr,
    .readdir = fl_readdir,
    .open = fl_open,
    .read = fl_read,
    .flush = fl_flush,
    .release = fl_release,
};

static int load_content(const char *path)
{
	struct stat st;
	void *map;

	fl.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fl.fd < 0 || fstat(fl.fd, &st)) {
		perror(path);
		return -1;
	}
	fl.len = (size_t)st.st_size;
	if (fl.len == 0) {
		fl.data = "";
		return 0;
	}
	map = mmap(NULL, fl.len, PROT_READ, MAP_SHARED, fl.fd, 0);
	if (map == MAP_FAILED) {
		perror("mmap");
		return -1;
	}
	fl.data = map;
	return 0;
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts cmd = {0};
	struct fuse_loop_config *loop = NULL;
	struct fuse_session *se = NULL;
	int ret = 1;

	fl.opt.attr_timeout = 1.0;
	fl.opt.entry_timeout = 1.0;
	if (fuse_opt_parse(&args, &fl.opt, option_spec, NULL) == -1)
		return 1;
	if (fl.opt.show_help) {
		printf("usage: %s [--content=FILE] [knobs] [FUSE options] MOUNTPOINT\n"
		       "knobs: --attr-timeout=S --entry-timeout=S --keep-cache --noflush\n"
		       "       --no-open --flush-enosys --auto-inval --splice\n"
		       "       --direct-io\n",
		       argv[0]);
		ret = 0;
		goto out_args;
	}
	if (fuse_parse_cmdline(&args, &cmd) != 0 || !cmd.mountpoint) {
		fprintf(stderr, "floorfs: no mountpoint given\n");
		goto out_args;
	}
	clock_gettime(CLOCK_REALTIME, &fl.born);
	if (fl.opt.content) {
		if (load_content(fl.opt.content))
			goto out_args;
	} else {
		fl.data = builtin;
		fl.len = sizeof(builtin) - 1;
	}
	/* The same access policy as ocxlfs, so permission checks cost the same. */
	fuse_opt_add_arg(&args, "-odefault_permissions");
	se = fuse_session_new(&args, &fl_ops, sizeof(fl_ops), NULL);
	if (!se)
		goto out_args;
	if (fuse_set_signal_handlers(se) != 0)
		goto out;
	if (fuse_session_mount(se, cmd.mountpoint) != 0)
		goto out_handlers;
	fuse_daemonize(cmd.foreground);
	if (cmd.singlethread) {
		ret = fuse_session_loop(se);
	} else {
		loop = fuse_loop_cfg_create();
		fuse_loop_cfg_set_clone_fd(loop, cmd.clone_fd);
		fuse_loop_cfg_set_max_threads(loop, cmd.max_threads);
		ret = fuse_session_loop_mt(se, loop);
	}
	ret = ret ? 1 : 0;
	fuse_session_unmount(se);
out_handlers:
	fuse_remove_signal_handlers(se);
out:
	fuse_session_destroy(se);
	if (loop)
		fuse_loop_cfg_destroy(loop);
out_args:
	free(cmd.mountpoint);
	free(fl.opt.content);
	fuse_opt_free_args(&args);
	return ret;
}

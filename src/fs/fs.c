// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "card/card.h"
#include "fs/cards.h"
#include "fs/fs.h"
#include "fs/wire.h"
#include "fs/request.h"
#include "tree/tree.h"
#include "util/trace.h"

/*
 * The request this thread is serving while it is in the tree: a card call
 * that waited asks whether its caller gave up meanwhile
 * (card_set_interrupt_check).  Cleared before the reply frees it.
 */
static __thread fuse_req_t serving;

bool ocxlfs_request_interrupted(void)
{
	return serving && fuse_req_interrupted(serving);
}

static struct tree *req_tree(fuse_req_t req)
{
	serving = req;
	/* A test tells one caller's commands from another's (util/trace.h). */
	if (ocxlfs_tracing())
		ocxlfs_trace_context("request %d", (int)fuse_req_ctx(req)->pid);
	return ((struct ocxlfs *)fuse_req_userdata(req))->tree;
}

/* The tree is done with the request: only replying to it is left. */
static void served(void)
{
	serving = NULL;
}

/* Who asks, and which request this is (a resent one finds what a dead worker did). */
static struct tree_caller req_caller(fuse_req_t req)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	uint64_t unique = worker_request()->unique;

	return (struct tree_caller){
		.uid = ctx->uid,
		.tid = ctx->pid,
		.key = unique & ~WIRE_UNIQUE_RESEND,
		.resend = (unique & WIRE_UNIQUE_RESEND) != 0,
	};
}

unsigned ocxlfs_max_threads(unsigned asked, unsigned ncards)
{
	unsigned want = ncards > 250 ? 1010 : 10 + 4 * ncards;

	return asked > want ? asked : want;
}

/* These run in a monitor or hot-plug thread, never in a request. */
static void hook_wake(void *ctx, uint64_t kh)
{
	worker_notify_poll(kh);
}

static void hook_inval_entry(void *ctx, uint64_t parent, const char *name)
{
	struct ocxlfs *fs = ctx;

	/* -ENOENT: the kernel had nothing cached under that name. */
	if (fs->se)
		fuse_lowlevel_notify_inval_entry(fs->se, parent, name, strlen(name));
}

static void hook_inval_inode(void *ctx, uint64_t ino)
{
	struct ocxlfs *fs = ctx;

	if (fs->se)
		fuse_lowlevel_notify_inval_inode(fs->se, ino, 0, 0);
}

/* From a request (a write to sim/plug): the hot-plug thread tells the kernel. */
static int hook_sim_plug(void *ctx, unsigned number, bool plug)
{
	struct ocxlfs *fs = ctx;

	return plug ? cards_sim_plug(fs->cards, number) : cards_sim_unplug(fs->cards, number);
}

/*
 * Before the session serves and before any thread starts: request threads
 * read the hooks without a lock, and the INIT request of a first worker
 * is served by a thread of the loop, which may already have started the
 * thread that serves the next request.
 */
void ocxlfs_install_hooks(struct ocxlfs *fs)
{
	const struct tree_hooks hooks = {
		.ctx = fs,
		.wake = hook_wake,
		.inval_entry = hook_inval_entry,
		.inval_inode = hook_inval_inode,
		.simulated = fs->simulated,
		.sim_plug = hook_sim_plug,
	};

	tree_set_hooks(fs->tree, &hooks);
}

static void ocxlfs_init(void *userdata, struct fuse_conn_info *conn)
{
	struct ocxlfs *fs = userdata;

	/*
	 * With a zero attribute timeout this makes the kernel re-read the size
	 * of a file it caches pages of before reading it.
	 */
	if (conn->capable & FUSE_CAP_AUTO_INVAL_DATA)
		conn->want |= FUSE_CAP_AUTO_INVAL_DATA;
	/* Control files take O_TRUNC (`echo 1 > file`) in open, not as a setattr. */
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
	/* Plain readdir: readdirplus would render every snapshot of a card on `ls`. */
	conn->want &= ~(FUSE_CAP_READDIRPLUS | FUSE_CAP_READDIRPLUS_AUTO);
	/*
	 * A link's inode names one card index and its target is that index
	 * (docs/tree.md section 1), so the kernel may keep it: READLINK once.
	 */
	if (conn->capable & FUSE_CAP_CACHE_SYMLINKS)
		conn->want |= FUSE_CAP_CACHE_SYMLINKS;
	/* Directories hold no per-open state: opendir may cost no request. */
	if (conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT) {
		conn->want |= FUSE_CAP_NO_OPENDIR_SUPPORT;
		fs->no_opendir = true;
	}
}

static void ocxlfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e = { 0 };
	struct tree_caller who = req_caller(req);
	struct tree_cache cache;
	int rc = tree_lookup(req_tree(req), parent, name, &who, &e.attr, &cache);

	served();
	if (rc) {
		fuse_reply_err(req, -rc);
		return;
	}
	e.ino = e.attr.st_ino;
	e.attr_timeout = cache.attr_timeout;
	e.entry_timeout = cache.entry_timeout;
	fuse_reply_entry(req, &e);
}

static void ocxlfs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct tree_caller who = req_caller(req);
	struct tree_cache cache;
	struct stat st;
	int rc = tree_getattr(req_tree(req), ino, &who, &st, &cache);

	served();
	if (rc) {
		fuse_reply_err(req, -rc);
		return;
	}
	fuse_reply_attr(req, &st, cache.attr_timeout);
}

static void ocxlfs_readlink(fuse_req_t req, fuse_ino_t ino)
{
	char target[64];
	int rc = tree_readlink(req_tree(req), ino, target, sizeof(target));
	served();

	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_readlink(req, target);
}

static void ocxlfs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	const char *name;
	struct stat st;
	int rc = tree_dir_entry(req_tree(req), ino, 0, &name, &st);
	served();

	/*
	 * An empty directory answers -ENOENT for entry 0, a hidden first entry
	 * -EAGAIN; both are still directories.
	 */
	if (rc && rc != -ENOENT && rc != -EAGAIN)
		fuse_reply_err(req, -rc);
	else if (((struct ocxlfs *)fuse_req_userdata(req))->no_opendir)
		fuse_reply_err(req, ENOSYS); /* success, and no OPENDIR again */
	else
		fuse_reply_open(req, fi);
}

/*
 * Offsets: 1 is ".", 2 is "..", 3 + i is entry i; the offset stored with
 * each entry is the one to resume after it.
 */
static void ocxlfs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			   struct fuse_file_info *fi)
{
	struct tree *t = req_tree(req);
	char *buf = malloc(size);
	size_t used = 0;

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (off_t pos = off;; pos++) {
		struct stat st = { 0 };
		const char *name;
		size_t need;

		if (pos == 0) {
			name = ".";
			st.st_ino = ino;
			st.st_mode = S_IFDIR;
		} else if (pos == 1) {
			name = "..";
			st.st_mode = S_IFDIR;
		} else {
			int rc = tree_dir_entry(t, ino, (size_t)(pos - 2), &name, &st);

			if (rc == -ENOENT)
				break;
			if (rc == -EAGAIN)
				continue; /* hidden for now; offsets stay positional */
			if (rc) {
				free(buf);
				served();
				fuse_reply_err(req, -rc);
				return;
			}
		}
		need = fuse_add_direntry(req, buf + used, size - used, name, &st, pos + 1);
		if (need > size - used)
			break;
		used += need;
	}
	served();
	fuse_reply_buf(req, buf, used);
	free(buf);
}

static void ocxlfs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct tree_caller who = req_caller(req);
	struct tree_open_mode mode = { 0 };
	uint64_t fh;
	struct tree *t = req_tree(req);
	int rc = tree_open(t, ino, fi->flags, &who, &fh, &mode);

	served();
	if (rc) {
		fuse_reply_err(req, -rc);
		return;
	}
	fi->fh = fh;
	fi->keep_cache = mode.keep_cache;
	fi->direct_io = mode.direct_io;
	/* Flush does nothing here (one write is one command): skip the round trip. */
	fi->noflush = 1;
	if (fuse_reply_open(req, fi) == -ENOENT)
		tree_release(t, fh); /* the opener was interrupted */
}

static void ocxlfs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			struct fuse_file_info *fi)
{
	char *buf = malloc(size ? size : 1);
	ssize_t got;

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	got = tree_read(req_tree(req), fi->fh, buf, size, off);
	served();
	if (got < 0)
		fuse_reply_err(req, (int)-got);
	else
		fuse_reply_buf(req, buf, (size_t)got);
	free(buf);
}

static void ocxlfs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size,
			 off_t off, struct fuse_file_info *fi)
{
	struct tree_caller who = req_caller(req);
	struct tree *t = req_tree(req);
	uint32_t record;
	ssize_t rc = tree_write(t, fi->fh, buf, size, &who, &record);

	served();
	/* After the answer REQ is gone. */
	if (rc < 0)
		fuse_reply_err(req, (int)-rc);
	else
		fuse_reply_write(req, (size_t)rc);
	/* The kernel has the answer: a resend can no longer come. */
	tree_write_answered(t, record);
}

/* Only truncation to 0 of a control file (an O_TRUNC the kernel split off). */
static void ocxlfs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
			   struct fuse_file_info *fi)
{
	struct tree_caller who = req_caller(req);
	struct tree_cache cache;
	struct stat st;
	int rc = -EPERM;

	if ((to_set & ~(FUSE_SET_ATTR_SIZE | FUSE_SET_ATTR_CTIME | FUSE_SET_ATTR_MTIME |
			FUSE_SET_ATTR_MTIME_NOW)) == 0 &&
	    (to_set & FUSE_SET_ATTR_SIZE))
		rc = tree_truncate(req_tree(req), ino, attr->st_size, &who, &st, &cache);
	served();
	if (rc) {
		fuse_reply_err(req, -rc);
		return;
	}
	fuse_reply_attr(req, &st, cache.attr_timeout);
}

static void ocxlfs_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	/* One write is one command: there is nothing to flush. */
	fuse_reply_err(req, 0);
}

static void ocxlfs_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
			struct fuse_pollhandle *ph)
{
	/* The kernel's handle, from the request itself: the tree keeps it in the arena. */
	int rc = tree_poll(req_tree(req), fi->fh, ph ? worker_request()->poll_kh : 0);
	served();

	if (ph)
		fuse_pollhandle_destroy(ph);
	if (rc < 0)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_poll(req, rc == TREE_POLL_READY ? POLLIN | POLLRDNORM | POLLPRI : 0);
}

static void ocxlfs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	tree_release(req_tree(req), fi->fh);
	served();
	fuse_reply_err(req, 0);
}

/*
 * The tree's names are the daemon's: nothing is created, removed or
 * renamed (docs/tree.md section 1.2).  EPERM, not libfuse's ENOSYS.
 */
static void ocxlfs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			 dev_t rdev)
{
	fuse_reply_err(req, EPERM);
}

static void ocxlfs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	fuse_reply_err(req, EPERM);
}

static void ocxlfs_remove(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	fuse_reply_err(req, EPERM);
}

static void ocxlfs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	fuse_reply_err(req, EPERM);
}

static void ocxlfs_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
			  fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	fuse_reply_err(req, EPERM);
}

static void ocxlfs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	fuse_reply_err(req, EPERM);
}

static void ocxlfs_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			  struct fuse_file_info *fi)
{
	fuse_reply_err(req, EPERM);
}

const struct fuse_lowlevel_ops ocxlfs_ops = {
	.init = ocxlfs_init,
	.lookup = ocxlfs_lookup,
	.getattr = ocxlfs_getattr,
	.readlink = ocxlfs_readlink,
	.opendir = ocxlfs_opendir,
	.readdir = ocxlfs_readdir,
	.open = ocxlfs_open,
	.read = ocxlfs_read,
	.write = ocxlfs_write,
	.setattr = ocxlfs_setattr,
	.flush = ocxlfs_flush,
	.poll = ocxlfs_poll,
	.release = ocxlfs_release,
	.mknod = ocxlfs_mknod,
	.mkdir = ocxlfs_mkdir,
	.unlink = ocxlfs_remove,
	.rmdir = ocxlfs_remove,
	.symlink = ocxlfs_symlink,
	.rename = ocxlfs_rename,
	.link = ocxlfs_link,
	.create = ocxlfs_create,
};

// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <linux/fuse.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "card/card.h"
#include "fs/cards.h"
#include "fs/detach.h"
#include "fs/fs.h"
#include "fs/options.h"
#include "fs/request.h"
#include "fs/wire.h"
#include "fs/worker.h"
#include "tree/tree.h"
#include "util/arena.h"
#include "util/log.h"

/* The unique of the FUSE_INIT a worker hands libfuse itself: no request of the kernel's has it. */
#define REPLAY_UNIQUE 0x7ffffffffffffff0ull

/* Threads that can be blocked in read(2) on the connection: kicked to stop. */
#define MAX_READERS 2048

enum phase {
	PHASE_LIVE,	/* reads go to the kernel */
	PHASE_PROBE,	/* the first read tells whether the kernel had its INIT answered */
	PHASE_PROBING,	/* ... one thread is doing it */
	PHASE_REPLAYED, /* libfuse has the kept INIT: nothing else until it answered */
};

struct worker {
	int fd;
	struct arena arena;
	struct wire_init *init;
	struct tree *tree;
	struct fuse_session *se;
	bool has_resend;

	pthread_mutex_t lock;
	pthread_cond_t live;
	enum phase phase;
	char *stash; /* the request read while probing, served after the replay */
	size_t stash_len;

	/* Stopping. */
	pthread_mutex_t readers_lock;
	pthread_t readers[MAX_READERS];
	bool in_read[MAX_READERS];
	bool used[MAX_READERS];
	pthread_key_t reader_key;
	volatile sig_atomic_t stopping;
	bool loop_done;
};

static struct worker w_;

static void note_request(const void *buf, ssize_t n)
{
	worker_request_note(buf, (long)n);
}

/* ---- stopping: the threads in read(2) are interrupted ---- */

static int reader_slot(void)
{
	void *v = pthread_getspecific(w_.reader_key);

	if (v)
		return (int)(intptr_t)v - 1;
	pthread_mutex_lock(&w_.readers_lock);
	for (int i = 0; i < MAX_READERS; i++) {
		if (!w_.used[i]) {
			w_.used[i] = true;
			w_.readers[i] = pthread_self();
			pthread_mutex_unlock(&w_.readers_lock);
			pthread_setspecific(w_.reader_key, (void *)(intptr_t)(i + 1));
			return i;
		}
	}
	pthread_mutex_unlock(&w_.readers_lock);
	return -1;
}

static void reader_gone(void *v)
{
	pthread_mutex_lock(&w_.readers_lock);
	w_.used[(intptr_t)v - 1] = false;
	w_.in_read[(intptr_t)v - 1] = false;
	pthread_mutex_unlock(&w_.readers_lock);
}

static void set_in_read(int slot, bool on)
{
	if (slot < 0)
		return;
	pthread_mutex_lock(&w_.readers_lock);
	w_.in_read[slot] = on;
	pthread_mutex_unlock(&w_.readers_lock);
}

static void out_of_read(void *slot)
{
	set_in_read((int)(intptr_t)slot, false);
}

/* One read(2) of the kernel; libfuse may cancel a thread in it when the loop ends. */
static ssize_t kernel_read(int fd, void *buf, size_t len)
{
	int slot = reader_slot(), old;
	ssize_t n;

	set_in_read(slot, true);
	pthread_cleanup_push(out_of_read, (void *)(intptr_t)slot);
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
	/* Stopping: no new request is taken, the loop sees it exited. */
	if (w_.stopping) {
		errno = EINTR;
		n = -1;
	} else {
		n = read(fd, buf, len);
	}
	pthread_setcancelstate(old, NULL);
	pthread_cleanup_pop(1);
	return n;
}

static void ignore_signal(int sig)
{
}

static void *stop_main(void *arg)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigwait(&set, &sig);
	if (__atomic_load_n(&w_.loop_done, __ATOMIC_ACQUIRE))
		return NULL;
	log_info("worker %d: stopping (signal %d): answering what it read, reading no more",
		 (int)getpid(), sig);
	w_.stopping = 1;
	fuse_session_exit(w_.se);
	/* A thread may be just about to block in read(): kick until the loop ended. */
	while (!__atomic_load_n(&w_.loop_done, __ATOMIC_ACQUIRE)) {
		pthread_mutex_lock(&w_.readers_lock);
		for (int i = 0; i < MAX_READERS; i++)
			if (w_.used[i] && w_.in_read[i])
				pthread_kill(w_.readers[i], SIGUSR1);
		pthread_mutex_unlock(&w_.readers_lock);
		nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000000 }, NULL);
	}
	return NULL;
}

/* ---- the connection, through libfuse ---- */

/* libfuse gets the kept FUSE_INIT, marked so that its answer is recognised. */
static ssize_t replay(void *buf, size_t len)
{
	uint32_t n = __atomic_load_n(&w_.init->len, __ATOMIC_ACQUIRE);

	if (n > len)
		n = (uint32_t)len;
	memcpy(buf, w_.init->request, n);
	((struct fuse_in_header *)buf)->unique = REPLAY_UNIQUE;
	note_request(buf, n);
	return n;
}

static bool is_init(const void *buf, ssize_t n)
{
	return n >= (ssize_t)sizeof(struct fuse_in_header) &&
	       ((const struct fuse_in_header *)buf)->opcode == FUSE_INIT;
}

static void saw_init(const void *buf, ssize_t n)
{
	wire_init_save(w_.init, buf, (size_t)n);
	w_.has_resend = wire_init_has_resend(w_.init);
	if (!w_.has_resend)
		log_warn("this kernel cannot send requests again (no FUSE_NOTIFY_RESEND, "
			 "Linux < 6.9): if a worker dies, the requests it had read are never "
			 "answered: their callers wait until the connection is aborted");
}

static ssize_t io_read(int fd, void *buf, size_t len, void *userdata)
{
	int old;
	ssize_t n;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	pthread_mutex_lock(&w_.lock);
	for (;;) {
		if (w_.phase == PHASE_LIVE) {
			if (w_.stash_len) {
				n = (ssize_t)(w_.stash_len < len ? w_.stash_len : len);
				memcpy(buf, w_.stash, (size_t)n);
				w_.stash_len = 0;
				pthread_mutex_unlock(&w_.lock);
				note_request(buf, n);
				pthread_setcancelstate(old, NULL);
				return n;
			}
			break;
		}
		if (w_.phase != PHASE_PROBE) {
			pthread_cond_wait(&w_.live, &w_.lock);
			continue;
		}
		/* The first request says what the previous worker left. */
		w_.phase = PHASE_PROBING;
		pthread_mutex_unlock(&w_.lock);
		n = kernel_read(fd, buf, len);
		pthread_mutex_lock(&w_.lock);
		if (n > 0 && is_init(buf, n)) {
			/* Never answered (it died right after reading it): libfuse answers it now. */
			w_.phase = PHASE_LIVE;
			saw_init(buf, n);
		} else if (n > 0) {
			w_.stash = malloc((size_t)n);
			if (w_.stash) {
				memcpy(w_.stash, buf, (size_t)n);
				w_.stash_len = (size_t)n;
			}
			w_.phase = PHASE_REPLAYED;
			n = replay(buf, len);
		} else {
			w_.phase = PHASE_PROBE;
		}
		pthread_cond_broadcast(&w_.live);
		pthread_mutex_unlock(&w_.lock);
		if (n > 0 && w_.phase == PHASE_LIVE)
			note_request(buf, n);
		pthread_setcancelstate(old, NULL);
		return n;
	}
	pthread_mutex_unlock(&w_.lock);
	pthread_setcancelstate(old, NULL);

	n = kernel_read(fd, buf, len);
	if (n > 0) {
		if (is_init(buf, n))
			saw_init(buf, n);
		note_request(buf, n);
	}
	return n;
}

static void wake_inherited(void *ctx, uint64_t kh)
{
	worker_notify_poll(kh);
}

static ssize_t io_writev(int fd, struct iovec *iov, int count, void *userdata)
{
	const struct fuse_out_header *oh = iov[0].iov_base;
	ssize_t total = 0;

	if (oh->unique != REPLAY_UNIQUE)
		return writev(fd, iov, count);
	/* libfuse's answer to the kept INIT: the kernel had its answer long ago. */
	for (int i = 0; i < count; i++)
		total += (ssize_t)iov[i].iov_len;
	if (oh->error)
		log_err("libfuse refused the kept FUSE_INIT: %s", strerror(-oh->error));
	tree_wake_inherited(w_.tree, wake_inherited, NULL);
	pthread_mutex_lock(&w_.lock);
	w_.phase = PHASE_LIVE;
	pthread_cond_broadcast(&w_.live);
	pthread_mutex_unlock(&w_.lock);
	return total;
}

/* What the previous worker left decides how this one starts reading. */
static void take_over(void)
{
	int rc;

	if (!__atomic_load_n(&w_.init->len, __ATOMIC_ACQUIRE)) {
		w_.phase = PHASE_LIVE; /* the first worker: the kernel's INIT comes */
		return;
	}
	w_.has_resend = wire_init_has_resend(w_.init);
	w_.phase = PHASE_PROBE;
	if (!w_.has_resend) {
		log_warn("taking over a connection whose kernel cannot send requests again "
			 "(no FUSE_NOTIFY_RESEND): requests the previous worker had read stay "
			 "unanswered until the connection is aborted");
		return;
	}
	rc = wire_notify_resend(w_.fd);
	if (rc)
		log_err("FUSE_NOTIFY_RESEND: %s", strerror(-rc));
}

static int parse_fds(const char *s, int *fuse_fd, int *arena_fd, int *ready_fd)
{
	return sscanf(s, "%d,%d,%d", fuse_fd, arena_fd, ready_fd) == 3 ? 0 : -EINVAL;
}

static void block_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = ignore_signal };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/* Every thread made after this inherits the mask: only stop_main() takes them. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	/* No SA_RESTART: it interrupts read(2) on the connection. */
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int worker_main(struct fuse_args *args, const struct options *opt,
		const struct fuse_cmdline_opts *cmd)
{
	const struct tree_limits limits = {
		.max_handles = opt->max_open,
		.max_handles_per_user = opt->max_open_per_user,
		.handles_reserved = opt->open_reserve,
		.max_snapshot_bytes = opt->max_snapshot_size,
	};
	struct fuse_custom_io io = { .read = io_read, .writev = io_writev };
	uint64_t sizes[ARENA_SEC_COUNT] = { 0 };
	struct fuse_loop_config *loop = NULL;
	struct ocxlfs fs = { 0 };
	struct cards *cards = NULL;
	int arena_fd, ready_fd, rc, exit_code = OCXLFS_EXIT_START;
	pthread_t stopper;
	bool stopper_started = false;
	uint32_t version;
	size_t bytes;

	if (parse_fds(opt->worker, &w_.fd, &arena_fd, &ready_fd)) {
		log_err("--worker=%s: expected FUSE-FD,ARENA-FD,READY-FD", opt->worker);
		return OCXLFS_EXIT_START;
	}
	pthread_mutex_init(&w_.lock, NULL);
	pthread_cond_init(&w_.live, NULL);
	pthread_mutex_init(&w_.readers_lock, NULL);
	pthread_key_create(&w_.reader_key, reader_gone);
	worker_set_connection(w_.fd);
	block_stop_signals();

	tree_arena_sizes(&limits, sizes);
	sizes[ARENA_SEC_INIT] = sizeof(struct wire_init);
	sizes[ARENA_SEC_CARDS] = cards_arena_size();
	rc = arena_attach(arena_fd, sizes, &w_.arena, &version);
	if (rc == -EPROTO) {
		log_err("the arena was laid out by version %u; this binary knows version %u",
			version, ARENA_VERSION);
		return OCXLFS_EXIT_ARENA_VERSION;
	}
	if (rc) {
		log_err("arena: %s", strerror(-rc));
		return OCXLFS_EXIT_START;
	}
	w_.init = arena_section(&w_.arena, ARENA_SEC_INIT, &bytes);
	rc = tree_attach(&w_.arena, &limits, &w_.tree);
	if (rc) {
		log_err("tree: %s", strerror(-rc));
		goto out;
	}
	rc = cards_open(opt, &w_.arena, w_.tree, &cards);
	if (rc)
		goto out;
	fs.tree = w_.tree;
	fs.cards = cards;
	fs.simulated = opt->simulate > 0;

	w_.se = fuse_session_new(args, &ocxlfs_ops, sizeof(ocxlfs_ops), &fs);
	if (!w_.se)
		goto out;
	fs.se = w_.se;
	ocxlfs_install_hooks(&fs);
	take_over();
	if (fuse_session_custom_io(w_.se, &io, w_.fd)) {
		log_err("libfuse: custom I/O refused");
		goto out;
	}
	rc = pthread_create(&stopper, NULL, stop_main, NULL);
	if (rc)
		goto out;
	stopper_started = true;
	/* Before any thread can wait for a card: a reader whose caller left sends nothing. */
	card_set_interrupt_check(ocxlfs_request_interrupted);
	cards_start(cards);
	/* Serving: the supervisor counts a start from here. */
	if (write(ready_fd, "1", 1) != 1)
		log_warn("worker: cannot tell the supervisor it serves: %s", strerror(errno));
	close(ready_fd);
	/* The first worker of a background start holds the shell's streams too. */
	if (!cmd->foreground)
		ocxlfs_detach_stdio();

	if (cmd->singlethread) {
		rc = fuse_session_loop(w_.se);
	} else {
		loop = fuse_loop_cfg_create();
		/* One device: a cloned one would be this process's alone. */
		fuse_loop_cfg_set_clone_fd(loop, 0);
		fuse_loop_cfg_set_max_threads(loop, ocxlfs_max_threads(cmd->max_threads,
								       tree_ncards(w_.tree)));
		rc = fuse_session_loop_mt(w_.se, loop);
	}
	__atomic_store_n(&w_.loop_done, true, __ATOMIC_RELEASE);
	exit_code = w_.stopping ? OCXLFS_EXIT_STOPPED : OCXLFS_EXIT_UNMOUNTED;
	if (!w_.stopping && rc < 0)
		log_warn("worker: the connection ended: %s", strerror(-rc));
out:
	cards_stop(cards);
	if (stopper_started) {
		__atomic_store_n(&w_.loop_done, true, __ATOMIC_RELEASE);
		pthread_kill(stopper, SIGTERM);
		pthread_join(stopper, NULL);
	}
	if (w_.se)
		fuse_session_destroy(w_.se); /* closes the worker's copy of the connection */
	if (loop)
		fuse_loop_cfg_destroy(loop);
	/* What open files need stays in the arena, for the next worker. */
	tree_free(w_.tree);
	cards_close(cards);
	arena_detach(&w_.arena);
	free(w_.stash);
	pthread_key_delete(w_.reader_key);
	return exit_code;
}

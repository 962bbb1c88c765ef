/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ocxl-harness: simulated cards behind the kernel's own interfaces.
 *
 * A private mount namespace gets an emulated sysfs (/sys/class/nd,
 * /sys/dev/char, /sys/bus/nd, /sys/class/ocxlpmem) and a private /dev with
 * /dev/nmemN and /dev/ocxlpmemN; the ioctl()s a command under the harness
 * issues on those nodes are trapped with seccomp user notification and
 * answered by src/sim, after the checks libnvdimm's __nd_ioctl() makes.
 * Nothing in the programs under test is replaced: libndctl, ndctl(1) and
 * ocxlfs run unmodified (docs/testing.md).
 */
#ifndef OCXLFS_HARNESS_H
#define OCXLFS_HARNESS_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "sim/sim.h"

/* Environment variable naming the harness root for `ocxl-harness ctl`. */
#define HARNESS_ENV	  "OCXL_HARNESS"
#define HARNESS_MAX_CARDS 64u
#define HARNESS_RETIRED	  256u

/* Which kernel the namespace pretends to run. */
enum harness_flavour {
	/* A driver that offers the passthru contract over ND_CMD_CALL. */
	FLAVOUR_PASSTHRU,
	/*
	 * The posted v4 driver: ND_CMD_CALL family 6 knows SMART only (other
	 * commands return 0 with the error in the dropped cmd_rc); everything
	 * else through /dev/ocxlpmemN.
	 */
	FLAVOUR_V4,
};

/* The v4 driver's ioctls: 0x30 (ERROR_LOG) .. 0x37 (REQUEST_HEALTH). */
#define V4DEV_FIRST_NR 0x30u
#define V4DEV_IOCTLS 8u
/* Their names, as the setup key v4-lacks= and `ctl calls` spell them. */
extern const char *const v4dev_ioctl_names[V4DEV_IOCTLS];

struct harness_card {
	unsigned id;	      /* bus, DIMM, region and node number */
	struct sim_card *sim; /* NULL: slot unused */
	enum harness_flavour flavour;
	bool plugged;	     /* its sysfs and /dev entries exist */
	bool sysfs_identity; /* nmemN/ocxlpmem/{serial,fw_version} exist */
	bool ns_enabled;     /* mirrored into sysfs: namespaceN.0/driver */
	bool dimm_disabled;  /* nmemN has no driver link (ndctl disable-dimm) */
	/* Inodes of its nodes in the private /dev: how a trapped fd is matched. */
	dev_t node_dev;
	ino_t nmem_ino, v4_ino;
	int v4_eventfd; /* the v4 node's registered eventfd, dup'ed here; -1 */
	/* The v4 driver double (v4dev.c), set up with the card: */
	bool v4_keeps_errlog;	/* the card keeps an entry ERROR_LOG read (v4-errlog=keep) */
	unsigned v4_lacks;	/* bit n: ioctl 0x30 + n left out of the driver (v4-lacks=) */
	unsigned long v4_calls[V4DEV_IOCTLS]; /* requests received, per ioctl (ctl calls) */
	uint32_t v4_admin_data;	/* the admin data buffer's size, read at probe */
};

struct harness {
	char root[PATH_MAX]; /* tmpfs holding the emulated trees */
	unsigned bus_major;  /* major of the fake /sys/dev/char entries */
	/*
	 * Readers: every trapped ioctl while it uses a card.  Writers:
	 * control commands that add, remove or replug cards.
	 */
	pthread_rwlock_t lock;
	struct harness_card cards[HARNESS_MAX_CARDS];
	unsigned ncards;
	/*
	 * Nodes of cards unplugged since: a descriptor still open on one gets
	 * ENXIO, as the kernel answers for a DIMM minor that is gone.
	 */
	dev_t retired_dev;
	ino_t retired[HARNESS_RETIRED];
	unsigned retired_next;
	FILE *trace; /* one line per trapped ioctl, or NULL */
	pthread_mutex_t trace_lock;
};

/* What a card setup asks for (the --sim-* options of ocxlfs). */
struct harness_setup {
	unsigned count;
	char dir[PATH_MAX];
	uint32_t label_size, dump_size;
	unsigned errlogs, latency_us, erase_ms;
	uint64_t serial_base; /* 0: the serials ocxlfs --simulate gives */
	enum harness_flavour flavour;
	bool sysfs_identity;
	uint32_t admin_buffer;	/* the cards' admin data buffer; 0: the simulator's default */
	bool v4_keeps_errlog;
	unsigned v4_lacks;
};

void harness_setup_defaults(struct harness_setup *s);
/* Parses "key=value" into S: 0 or -EINVAL. */
int harness_setup_option(struct harness_setup *s, const char *kv);

/* ---- sysfs.c: the emulated trees ---- */

/*
 * Enters a private mount namespace and puts the emulated /sys and /dev in
 * place, with no card yet.  H->root must be an existing directory.
 */
int sysfs_enter(struct harness *h);
/* Creates / removes card C's sysfs directories and /dev nodes. */
int sysfs_plug(struct harness *h, struct harness_card *c);
void sysfs_unplug(struct harness *h, struct harness_card *c);
/* Mirrors C->ns_enabled into its namespace and region driver links. */
int sysfs_sync_namespace(struct harness *h, struct harness_card *c);
/* Mirrors C->dimm_disabled into nmemN/driver. */
int sysfs_sync_dimm(struct harness *h, struct harness_card *c);

/* ---- cards.c: card lifetime, under h->lock held for writing ---- */

int cards_setup(struct harness *h, const struct harness_setup *s);
void cards_teardown(struct harness *h);
struct harness_card *cards_get(struct harness *h, unsigned id);

/* ---- supervisor.c: seccomp user notification ---- */

/* Installs the filter in the calling process; returns the listener fd or -errno. */
int supervisor_install_filter(void);
/* Receives and answers notifications until LISTENER is closed or fails. */
void *supervisor_main(void *h);
/* Listener fd used by supervisor_main(). */
extern int supervisor_listener;

/* ---- target.c: the trapped caller's memory ---- */

struct target {
	pid_t pid; /* thread id of the caller */
	int listener;
	uint64_t id; /* notification id, for TOCTOU checks */
};

int target_read(const struct target *t, uint64_t addr, void *buf, size_t len);
int target_write(const struct target *t, uint64_t addr, const void *buf, size_t len);
/* 0 while the notification is still pending, -ENOENT once it is not. */
int target_valid(const struct target *t);

/* ---- ndcore.c: libnvdimm's __nd_ioctl() for a DIMM node ---- */

/* Returns the ioctl's result: 0 or -errno. */
int ndcore_dimm_ioctl(struct harness *h, struct harness_card *c, const struct target *t,
		      bool read_only, unsigned cmd, uint64_t arg);

/* ---- v4dev.c: the posted v4 driver's /dev/ocxlpmemN ---- */

/* Returns the ioctl's result: 0, a positive admin status, or -errno. */
long v4dev_ioctl(struct harness *h, struct harness_card *c, const struct target *t, unsigned cmd,
		 uint64_t arg);
/* Signals C's registered eventfd if the card has something to report. */
void v4dev_kick(struct harness_card *c);
/* What the driver reads from the card at probe (its admin data buffer size). */
int v4dev_probe(struct harness_card *c);

/* ---- control.c: the control socket ---- */

int control_listen(struct harness *h); /* returns the listening fd */
void *control_main(void *h);	       /* accepts until the fd is closed */
extern int control_fd;

/* ---- client.c: talking to the control socket (also linked into tests) ---- */

#define HARNESS_MSG_MAX 4096
struct sockaddr_un;
int harness_sock_path(const char *root, struct sockaddr_un *sa);
/*
 * Sends one request (ARGV) to the harness at ROOT.  Returns the verb's
 * result (0 or -errno); its output, NUL-terminated, goes to OUT (CAP
 * bytes; OUT may be NULL).  -EPIPE if the harness could not be reached.
 */
int harness_request(const char *root, int argc, char **argv, char *out, size_t cap);
/* `ocxl-harness ctl`: prints the output; returns the exit status. */
int control_client(const char *root, int argc, char **argv);

/* ---- trace ---- */

void harness_trace(struct harness *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* OCXLFS_HARNESS_H */

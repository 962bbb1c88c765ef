// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Seccomp user notification: the command under the harness runs with a
 * filter that hands every ioctl() of type 'N' (libnvdimm) or 0xCA
 * (ocxlpmem v4) to this supervisor; all other system calls run untouched.
 * A trapped call on one of the cards' nodes is answered here; any other is
 * let through to the kernel (SECCOMP_USER_NOTIF_FLAG_CONTINUE is safe for
 * it: nothing is decided on data the caller could change afterwards).
 *
 * Each notification is answered in its own thread, so a hung simulated
 * card stalls only the callers that talk to it, as with a real driver.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/ndctl.h>

#include "harness.h"
#include "transport/ioctl_v4.h"
#include "util/log.h"

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE_ARCH AUDIT_ARCH_PPC64LE
#elif defined(__powerpc64__)
#define NATIVE_ARCH AUDIT_ARCH_PPC64
#else
#error "ocxl-harness: add this architecture's AUDIT_ARCH"
#endif

/* Low 32 bits of a 64-bit syscall argument, as BPF loads it. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LO(n) (offsetof(struct seccomp_data, args) + 8 * (n))
#else
#define ARG_LO(n) (offsetof(struct seccomp_data, args) + 8 * (n) + 4)
#endif

int supervisor_listener = -1;

int supervisor_install_filter(void)
{
	struct sock_filter code[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(1)),
	    BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xFF00),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ND_IOCTL << 8, 2, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, OCXLPMEM_MAGIC << 8, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	};
	struct sock_fprog prog = {.len = sizeof(code) / sizeof(code[0]), .filter = code};
	long fd;

	fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (fd < 0 && errno == EACCES) {
		/* Without CAP_SYS_ADMIN a filter needs no_new_privs. */
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0)
			fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				     SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	}
	return fd < 0 ? -errno : (int)fd;
}

struct job {
	struct harness *h;
	struct seccomp_notif *notif;
	struct seccomp_notif_resp *resp;
};

static struct seccomp_notif_sizes sizes;

/* O_ACCMODE of the caller's descriptor, as the kernel's f_flags has it. */
static int fd_accmode(pid_t pid, int fd)
{
	char path[64], line[128];
	unsigned flags;
	int mode = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "flags: %o", &flags) == 1) {
			mode = (int)(flags & O_ACCMODE);
			break;
		}
	fclose(f);
	return mode;
}

enum node_kind { NODE_OTHER, NODE_NMEM, NODE_V4, NODE_RETIRED };

/* Which of our nodes ST is; *card set for NMEM and V4.  Under h->lock. */
static enum node_kind classify(struct harness *h, const struct stat *st, struct harness_card **card)
{
	for (unsigned i = 0; i < h->ncards; i++) {
		struct harness_card *c = &h->cards[i];

		if (!c->sim || !c->plugged || st->st_dev != c->node_dev)
			continue;
		*card = c;
		if (st->st_ino == c->nmem_ino)
			return NODE_NMEM;
		if (st->st_ino == c->v4_ino)
			return NODE_V4;
	}
	for (unsigned i = 0; i < HARNESS_RETIRED; i++)
		if (h->retired[i] && st->st_dev == h->retired_dev && st->st_ino == h->retired[i])
			return NODE_RETIRED;
	return NODE_OTHER;
}

static void *job_main(void *arg)
{
	struct job *j = arg;
	const struct seccomp_data *d = &j->notif->data;
	const struct target t = {
	    .pid = (pid_t)j->notif->pid, .listener = supervisor_listener, .id = j->notif->id};
	struct harness_card *c = NULL;
	enum node_kind kind = NODE_OTHER;
	char path[64];
	struct stat st;
	long rc = 0;
	int mode;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", t.pid, (int)d->args[0]);
	pthread_rwlock_rdlock(&j->h->lock);
	if (stat(path, &st) == 0)
		kind = classify(j->h, &st, &c);
	mode = fd_accmode(t.pid, (int)d->args[0]);
	/* The fd number may have been reused before we looked: ask again. */
	if (target_valid(&t) < 0)
		goto unlock;
	switch (kind) {
	case NODE_NMEM:
		rc = ndcore_dimm_ioctl(j->h, c, &t, mode == O_RDONLY, (unsigned)d->args[1],
				       d->args[2]);
		break;
	case NODE_V4:
		rc = v4dev_ioctl(j->h, c, &t, (unsigned)d->args[1], d->args[2]);
		break;
	case NODE_RETIRED:
		rc = -ENXIO;
		break;
	default:
		j->resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		break;
	}
unlock:
	pthread_rwlock_unlock(&j->h->lock);
	j->resp->id = j->notif->id;
	j->resp->error = rc < 0 ? (int)rc : 0;
	j->resp->val = rc > 0 ? rc : 0;
	/* ENOENT: the caller was interrupted or died meanwhile; nobody to tell. */
	ioctl(supervisor_listener, SECCOMP_IOCTL_NOTIF_SEND, j->resp);
	free(j->notif);
	free(j->resp);
	free(j);
	return NULL;
}

static struct job *job_new(struct harness *h)
{
	struct job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->h = h;
	j->notif = calloc(1, sizeof(*j->notif) > sizes.seccomp_notif ? sizeof(*j->notif)
								     : sizes.seccomp_notif);
	j->resp = calloc(1, sizeof(*j->resp) > sizes.seccomp_notif_resp ? sizeof(*j->resp)
									: sizes.seccomp_notif_resp);
	if (!j->notif || !j->resp) {
		free(j->notif);
		free(j->resp);
		free(j);
		j = NULL;
	}
	return j;
}

void *supervisor_main(void *arg)
{
	struct harness *h = arg;
	pthread_attr_t attr;
	struct job *j = NULL;
	pthread_t th;

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0) {
		log_err("harness: SECCOMP_GET_NOTIF_SIZES: %s", strerror(errno));
		return NULL;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (;;) {
		if (!j)
			j = job_new(h);
		if (!j) {
			log_err("harness: out of memory");
			break;
		}
		memset(j->notif, 0, sizes.seccomp_notif);
		if (ioctl(supervisor_listener, SECCOMP_IOCTL_NOTIF_RECV, j->notif) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			break; /* the listener was closed: the command is done */
		}
		if (pthread_create(&th, &attr, job_main, j) != 0) {
			/* Answer inline rather than leave the caller hanging. */
			job_main(j);
		}
		j = NULL;
	}
	pthread_attr_destroy(&attr);
	if (j) {
		free(j->notif);
		free(j->resp);
		free(j);
	}
	return NULL;
}

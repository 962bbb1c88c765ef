// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Persistent state of a simulated card (see sim_state.h for the layout and
 * the crash-ordering rule).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec/codec.h"
#include "sim/sim_limits.h"
#include "sim/sim_state.h"
#include "util/log.h"
#include "util/path.h"
#include "util/pmem.h"

#define PAGE	   4096u
#define RING_OFF   ((size_t)SIM_STATE_HDR_SIZE)
#define RING_BYTES ((size_t)SIM_ERRLOG_CAPACITY * SIM_SLOT_SIZE)
#define LABEL_OFF  (RING_OFF + RING_BYTES)

_Static_assert(sizeof(struct sim_hdr) <= SIM_STATE_HDR_SIZE, "header outgrew its page");
_Static_assert(sizeof(struct sim_el_slot) == SIM_SLOT_SIZE, "slot layout");

static size_t layout_size(uint32_t label_size)
{
	return LABEL_OFF + (((size_t)label_size + PAGE - 1) & ~(size_t)(PAGE - 1));
}

static int map_file(struct sim_state *st, const char *path, size_t size)
{
	int rc = ocxlfs_pmem_map(&st->pm, st->fd, size, path);

	if (rc)
		return rc;
	st->hdr = (struct sim_hdr *)st->pm.base;
	st->ring = (struct sim_el_slot *)(st->pm.base + RING_OFF);
	st->label = st->pm.base + LABEL_OFF;
	return 0;
}

/* Makes [p, p + len) of the mapping durable; a failure is logged once. */
static void persist(struct sim_state *st, const void *p, size_t len)
{
	int rc = ocxlfs_pmem_persist(&st->pm, (size_t)((const uint8_t *)p - st->pm.base), len);

	if (rc && !st->persist_failed)
		log_err("sim: card state file: persist failed: %s (reported once)", strerror(-rc));
	st->persist_failed |= rc != 0;
}

/* Checks an existing header; returns 1 if the file must be (re)initialized. */
static int check_existing(const struct sim_hdr *h, off_t fsize, uint32_t label_size,
			  const char *path)
{
	if (fsize < (off_t)sizeof(*h) || h->magic == 0)
		return 1; /* new, or a create torn before its magic was published */
	if (h->magic != SIM_STATE_MAGIC) {
		log_err("sim: %s is not a simulated card state file", path);
		return -EINVAL;
	}
	if (h->version != SIM_STATE_VERSION || h->errlog_capacity != SIM_ERRLOG_CAPACITY ||
	    h->slot_size != SIM_SLOT_SIZE) {
		log_err("sim: %s has layout version %u, this build knows %u", path, h->version,
			SIM_STATE_VERSION);
		return -EINVAL;
	}
	if (h->label_size != label_size) {
		log_err("sim: %s holds a card with a %u-byte label area, not %u", path,
			h->label_size, label_size);
		return -EINVAL;
	}
	if ((uint64_t)fsize < layout_size(h->label_size) || h->el_tail < h->el_head ||
	    h->el_tail - h->el_head > SIM_ERRLOG_CAPACITY) {
		log_err("sim: %s is damaged", path);
		return -EINVAL;
	}
	return 0;
}

int sim_state_open(struct sim_state *st, const char *dir, unsigned index, uint64_t serial,
		   uint32_t label_size, uint32_t dump_size)
{
	char path[PATH_MAX];
	struct sim_hdr h;
	struct stat sb;
	int rc, fresh;

	memset(st, 0, sizeof(*st));
	st->fd = -1;
	if (label_size == 0 || label_size > SIM_MAX_LABEL_SIZE || dump_size == 0)
		return -EINVAL;
	/* As the state directory: the daemon's user only (docs/tree.md 5.2). */
	rc = mkdir_p(dir, 0700);
	if (rc) {
		log_err("sim: cannot create %s: %s", dir, strerror(-rc));
		return rc;
	}
	if (snprintf(path, sizeof(path), "%s/card%u.state", dir, index) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	st->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (st->fd < 0) {
		rc = -errno;
		log_err("sim: cannot open %s: %s", path, strerror(-rc));
		return rc;
	}
	/* Two daemons driving one card would tear its state. */
	if (flock(st->fd, LOCK_EX | LOCK_NB)) {
		rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
		log_err("sim: %s is in use by another process", path);
		goto fail;
	}
	if (fstat(st->fd, &sb)) {
		rc = -errno;
		goto fail;
	}
	memset(&h, 0, sizeof(h));
	if (sb.st_size >= (off_t)sizeof(h) && pread(st->fd, &h, sizeof(h), 0) != sizeof(h)) {
		rc = -EIO;
		goto fail;
	}
	fresh = check_existing(&h, sb.st_size, label_size, path);
	if (fresh < 0) {
		rc = fresh;
		goto fail;
	}
	/* Allocated whole (util/pmem.h): the ring and label area fill without SIGBUS. */
	if (fresh && ftruncate(st->fd, 0)) {
		rc = -errno;
		goto fail;
	}
	rc = map_file(st, path, layout_size(label_size));
	if (rc)
		goto fail;

	if (fresh) {
		struct sim_hdr *hp = st->hdr;

		hp->version = SIM_STATE_VERSION;
		hp->label_size = label_size;
		hp->serial = serial;
		hp->dump_size = dump_size;
		hp->errlog_capacity = SIM_ERRLOG_CAPACITY;
		hp->slot_size = SIM_SLOT_SIZE;
		hp->next_log_id = 1;
		persist(st, hp, sizeof(*hp));
		st->created = true;
	} else if (st->hdr->dump_size != dump_size) {
		/* Dump size is a setting, not geometry: follow the configuration. */
		st->hdr->dump_size = dump_size;
		persist(st, &st->hdr->dump_size, sizeof(st->hdr->dump_size));
	}
	return 0;
fail:
	sim_state_close(st);
	return rc;
}

void sim_state_commit(struct sim_state *st)
{
	if (!st->created || st->hdr->magic == SIM_STATE_MAGIC)
		return;
	st->hdr->magic = SIM_STATE_MAGIC;
	persist(st, &st->hdr->magic, sizeof(st->hdr->magic));
}

void sim_state_close(struct sim_state *st)
{
	ocxlfs_pmem_unmap(&st->pm);
	if (st->fd >= 0)
		close(st->fd);
	memset(st, 0, sizeof(*st));
	st->fd = -1;
}

void sim_state_set(struct sim_state *st, uint64_t *field, uint64_t v)
{
	*field = v;
	persist(st, field, sizeof(*field));
}

unsigned sim_state_el_count(const struct sim_state *st)
{
	return (unsigned)(st->hdr->el_tail - st->hdr->el_head);
}

int sim_state_el_stage(struct sim_state *st, unsigned i, uint32_t log_id, const uint8_t *el,
		       size_t len)
{
	const struct sim_hdr *h = st->hdr;
	struct sim_el_slot *slot;

	if (len > SIM_SLOT_DATA)
		return -EMSGSIZE;
	if (h->el_tail - h->el_head + i >= SIM_ERRLOG_CAPACITY)
		return -ENOSPC;
	slot = &st->ring[(h->el_tail + i) % SIM_ERRLOG_CAPACITY];
	slot->len = (uint32_t)len;
	slot->log_id = log_id;
	memcpy(slot->data, el, len);
	return 0;
}

void sim_state_el_publish(struct sim_state *st, unsigned n, uint64_t next_log_id)
{
	struct sim_hdr *h = st->hdr;
	uint64_t first = h->el_tail % SIM_ERRLOG_CAPACITY;
	uint64_t run = n < SIM_ERRLOG_CAPACITY - first ? n : SIM_ERRLOG_CAPACITY - first;

	if (n == 0)
		return;
	/*
	 * Slots first, then the id counter, then the tail that publishes them:
	 * a crash leaves either none or all of the batch, and never hands the
	 * same id to two entries.
	 */
	persist(st, &st->ring[first], run * SIM_SLOT_SIZE);
	if (run < n)
		persist(st, &st->ring[0], (n - run) * SIM_SLOT_SIZE);
	if (next_log_id > h->next_log_id)
		sim_state_set(st, &h->next_log_id, next_log_id);
	sim_state_set(st, &h->el_tail, h->el_tail + n);
}

const struct sim_el_slot *sim_state_el_head(const struct sim_state *st)
{
	const struct sim_hdr *h = st->hdr;

	if (h->el_tail == h->el_head)
		return NULL;
	return &st->ring[h->el_head % SIM_ERRLOG_CAPACITY];
}

void sim_state_el_pop(struct sim_state *st)
{
	struct sim_hdr *h = st->hdr;

	if (h->el_tail != h->el_head)
		sim_state_set(st, &h->el_head, h->el_head + 1);
}

void sim_state_label_write(struct sim_state *st, uint32_t off, const void *buf, uint32_t len)
{
	memcpy(st->label + off, buf, len);
	persist(st, st->label + off, len);
}

void sim_state_label_zero(struct sim_state *st)
{
	memset(st->label, 0, st->hdr->label_size);
	persist(st, st->label, st->hdr->label_size);
}

/* ---- controller dump: content is a function of (sequence, length, serial) ---- */

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

static uint64_t dump_word(const struct sim_hdr *h, uint64_t w)
{
	switch (w) {
	case 0:
		return 0x504D5544534C5843ULL; /* "CXLSDUMP" little-endian */
	case 1:
		return h->dump_seq;
	case 2:
		return h->dump_len;
	case 3:
		return h->serial;
	default:
		return splitmix64((h->dump_seq << 40) ^ (h->serial << 20) ^ w);
	}
}

void sim_state_dump_fill(const struct sim_hdr *h, uint64_t off, uint8_t *dst, size_t n)
{
	while (n) {
		uint8_t word[8];
		size_t skip = off % 8, take = 8 - skip;

		if (take > n)
			take = n;
		ocxlfs_put_le64(word, dump_word(h, off / 8));
		memcpy(dst, word + skip, take);
		dst += take;
		off += take;
		n -= take;
	}
}

/* ---- offline inspection ---- */

int sim_state_peek(const char *path, struct sim_hdr *h)
{
	struct stat sb;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(h, 0, sizeof(*h));
	if (fstat(fd, &sb))
		rc = -errno;
	else if (sb.st_size >= (off_t)sizeof(*h) && pread(fd, h, sizeof(*h), 0) != sizeof(*h))
		rc = -EIO;
	else if (sb.st_size < (off_t)sizeof(*h) || h->magic == 0)
		rc = -ENODATA;
	else
		rc = check_existing(h, sb.st_size, h->label_size, path) ? -EINVAL : 0;
	close(fd);
	return rc;
}

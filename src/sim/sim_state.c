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

#include "sim/sim_limits.h"
#include "sim/sim_state.h"
#include "util/log.h"
#include "util/path.h"
#include "util/pmem.h"

#define PAGE 4096u
#define RING_OFF ((size_t)SIM_STATE_HDR_SIZE)
#define RING_BYTES ((size_t)SIM_ERRLOG_CAPACITY * SIM_SLOT_SIZE)
#define LABEL_OFF (RING_OFF + RING_BYTES)

_Static_assert(sizeof(struct sim_hdr) <= SIM_STATE_HDR_SIZE, "header outgrew its page");
_Static_assert(sizeof(struct sim_el_slot) == SIM_SLOT_SIZE, "slot layout");

static size_t layout_size(uint32_t label_size)
{
	return LABEL_OFF + (((size_t)label_size + PAGE - 1) & ~(size_t)(PAGE - 1));
}

static int map_file(struct sim_state *st, const char *path)
{
	struct pmem2_config *cfg = NULL;
	struct pmem2_source *src = NULL;
	int rc;

	rc = pmem2_source_from_fd(&src, st->fd);
	if (!rc)
		rc = pmem2_config_new(&cfg);
	/* A regular file: page granularity, persisted with msync. */
	if (!rc)
		rc = pmem2_config_set_required_store_granularity(cfg, PMEM2_GRANULARITY_PAGE);
	if (!rc)
		rc = pmem2_map_new(&st->map, cfg, src);
	if (rc) {
		log_err("sim: cannot map %s: %s", path, pmem2_errormsg());
		rc = pmem2_errno(rc);
	}
	if (cfg)
		pmem2_config_delete(&cfg);
	if (src)
		pmem2_source_delete(&src);
	if (rc)
		return rc;

	st->size = pmem2_map_get_size(st->map);
	st->persist = pmem2_get_persist_fn(st->map);
	st->memcpy_fn = pmem2_get_memcpy_fn(st->map);
	st->memset_fn = pmem2_get_memset_fn(st->map);
	st->hdr = pmem2_map_get_address(st->map);
	st->ring = (struct sim_el_slot *)((uint8_t *)st->hdr + RING_OFF);
	st->label = (uint8_t *)st->hdr + LABEL_OFF;
	return 0;
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
	rc = mkdir_p(dir, 0755);
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
	if (fresh) {
		/* Sparse: unused label pages and ring slots cost no disk. */
		if (ftruncate(st->fd, 0) || ftruncate(st->fd, (off_t)layout_size(label_size))) {
			rc = -errno;
			goto fail;
		}
	}
	rc = map_file(st, path);
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
		st->persist(hp, sizeof(*hp));
		st->created = true;
	} else if (st->hdr->dump_size != dump_size) {
		/* Dump size is a setting, not geometry: follow the configuration. */
		st->hdr->dump_size = dump_size;
		st->persist(&st->hdr->dump_size, sizeof(st->hdr->dump_size));
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
	st->persist(&st->hdr->magic, sizeof(st->hdr->magic));
}

void sim_state_close(struct sim_state *st)
{
	if (st->map)
		pmem2_map_delete(&st->map);
	if (st->fd >= 0)
		close(st->fd);
	memset(st, 0, sizeof(*st));
	st->fd = -1;
}

void sim_state_set(struct sim_state *st, uint64_t *field, uint64_t v)
{
	*field = v;
	st->persist(field, sizeof(*field));
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
	st->persist(&st->ring[first], run * SIM_SLOT_SIZE);
	if (run < n)
		st->persist(&st->ring[0], (n - run) * SIM_SLOT_SIZE);
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
	st->memcpy_fn(st->label + off, buf, len, 0);
}

void sim_state_label_zero(struct sim_state *st)
{
	st->memset_fn(st->label, 0, st->hdr->label_size, 0);
}

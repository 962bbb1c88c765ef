// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/arena.h"

#define ARENA_ALIGN 4096u

int arena_create(int *fd)
{
	int f = memfd_create("ocxlfs-arena", MFD_CLOEXEC);

	if (f < 0)
		return -errno;
	*fd = f;
	return 0;
}

static int map(int fd, size_t size, struct arena *a)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	a->fd = fd;
	a->base = p;
	a->size = size;
	return 0;
}

static uint64_t align_up(uint64_t v)
{
	return (v + ARENA_ALIGN - 1) & ~(uint64_t)(ARENA_ALIGN - 1);
}

/* A complete layout of SIZE bytes whose sections lie inside it. */
static bool layout_ok(const struct arena_header *h, size_t size)
{
	if (memcmp(h->magic, ARENA_MAGIC, sizeof(h->magic)) || h->size > size ||
	    h->header_size != sizeof(*h))
		return false;
	for (unsigned s = 0; s < ARENA_SEC_COUNT; s++)
		if (h->sec[s].off > h->size || h->sec[s].size > h->size - h->sec[s].off)
			return false;
	return true;
}

static int lay_out(int fd, const uint64_t sizes[ARENA_SEC_COUNT], struct arena *a)
{
	struct arena_header *h;
	uint64_t off = align_up(sizeof(*h)), total;
	struct arena_extent sec[ARENA_SEC_COUNT];
	int rc;

	for (unsigned s = 0; s < ARENA_SEC_COUNT; s++) {
		sec[s].off = off;
		sec[s].size = sizes[s];
		off = align_up(off + sizes[s]);
	}
	total = off;
	/* Whatever a worker killed while laying it out left: gone. */
	if (ftruncate(fd, 0) || ftruncate(fd, (off_t)total))
		return -errno;
	rc = map(fd, total, a);
	if (rc)
		return rc;
	h = arena_header(a);
	memcpy(h->magic, ARENA_MAGIC, sizeof(h->magic));
	h->header_size = sizeof(*h);
	h->size = total;
	memcpy(h->sec, sec, sizeof(sec));
	__atomic_store_n(&h->version, ARENA_VERSION, __ATOMIC_RELEASE);
	return 0;
}

static int map_existing(int fd, struct arena *a, uint32_t *version)
{
	struct stat st;
	uint32_t v;
	int rc;

	if (fstat(fd, &st))
		return -errno;
	if ((size_t)st.st_size < sizeof(struct arena_header))
		return -ENOENT;
	rc = map(fd, (size_t)st.st_size, a);
	if (rc)
		return rc;
	v = __atomic_load_n(&arena_header(a)->version, __ATOMIC_ACQUIRE);
	if (version)
		*version = v;
	if (v && v != ARENA_VERSION) {
		arena_detach(a);
		return -EPROTO;
	}
	if (v == 0 || !layout_ok(arena_header(a), a->size)) {
		arena_detach(a);
		return -ENOENT;
	}
	return 0;
}

int arena_attach(int fd, const uint64_t sizes[ARENA_SEC_COUNT], struct arena *a,
		 uint32_t *version)
{
	int rc = map_existing(fd, a, version);

	if (rc != -ENOENT)
		return rc;
	if (version)
		*version = ARENA_VERSION;
	return lay_out(fd, sizes, a);
}

int arena_peek(int fd, struct arena *a)
{
	return map_existing(fd, a, NULL);
}

void arena_detach(struct arena *a)
{
	if (a->base)
		munmap(a->base, a->size);
	a->base = NULL;
	a->size = 0;
}

void *arena_section(const struct arena *a, enum arena_section s, size_t *size)
{
	const struct arena_header *h = arena_header(a);

	if (size)
		*size = h->sec[s].size;
	return a->base + h->sec[s].off;
}

void arena_discard(const struct arena *a, void *p, size_t len)
{
	uint64_t from = align_up((uint64_t)((char *)p - a->base));
	uint64_t to = ((uint64_t)((char *)p - a->base) + len) & ~(uint64_t)(ARENA_ALIGN - 1);

	/* Pages of a memfd are only given back by punching them out. */
	if (to > from)
		fallocate(a->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)from,
			  (off_t)(to - from));
}

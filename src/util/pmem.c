// SPDX-License-Identifier: LGPL-2.1-or-later
/* Durable files through libpmem2 (see pmem.h). */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"
#include "util/pmem.h"
#include "util/durable.h"
#include "util/trace.h"

int ocxlfs_pmem_errno(int r)
{
	if (r == PMEM2_E_NOSUPP)
		return -ENOTSUP;
	if (r <= PMEM2_E_UNKNOWN)
		return -EINVAL;
	return r; /* 0, or already -errno */
}

int ocxlfs_file_allocate(int fd, off_t off, off_t len)
{
	int rc;

	if (len <= 0)
		return 0;
	do
		rc = posix_fallocate(fd, off, len);
	while (rc == EINTR);
	if (rc)
		return -rc;
	if (ocxlfs_tracing()) {
		char path[PATH_MAX];

		ocxlfs_trace_fd_path(fd, path, sizeof(path));
		ocxlfs_trace("allocate", "%s %lld %lld", path, (long long)off, (long long)len);
	}
	return 0;
}

/*
 * Allocates [off, off + len) of a file about to be mapped and makes the
 * new length durable before anything is put there: a flush of the mapping
 * later covers the bytes, and this the length that makes them reachable.
 */
static int allocate_synced(int fd, off_t off, off_t len)
{
	int rc = ocxlfs_file_allocate(fd, off, len);

	return rc ? rc : ocxlfs_fsync(fd);
}

/* A new mapping of the whole of pm->fd, which is size bytes long. */
static int map_new(struct ocxlfs_pmem *pm, size_t size, const char *what, struct pmem2_map **out)
{
	struct pmem2_source *src = NULL;
	struct pmem2_config *cfg = NULL;
	int rc;

	rc = pmem2_source_from_fd(&src, pm->fd);
	if (!rc)
		rc = pmem2_config_new(&cfg);
	/* Page granularity accepts any file; DAX maps come back finer. */
	if (!rc)
		rc = pmem2_config_set_required_store_granularity(cfg, PMEM2_GRANULARITY_PAGE);
	if (!rc)
		rc = pmem2_config_set_length(cfg, size);
	if (!rc)
		rc = pmem2_map_new(out, cfg, src);
	if (rc) {
		log_err("%s: cannot map %zu bytes: %s", what, size, pmem2_errormsg());
		rc = ocxlfs_pmem_errno(rc);
	}
	if (cfg)
		pmem2_config_delete(&cfg);
	if (src)
		pmem2_source_delete(&src);
	return rc;
}

static void map_set(struct ocxlfs_pmem *pm, struct pmem2_map *map)
{
	if (pm->map)
		pmem2_map_delete(&pm->map);
	pm->map = map;
	pm->base = pmem2_map_get_address(map);
	pm->size = pmem2_map_get_size(map);
	pm->dax = pmem2_map_get_store_granularity(map) != PMEM2_GRANULARITY_PAGE;
	pm->memcpy_fn = pmem2_get_memcpy_fn(map);
	pm->persist_fn = pmem2_get_persist_fn(map);
}

/*
 * Whether [0, size) of fd looks allocated: as many blocks as bytes.  Not
 * SEEK_HOLE, which on tmpfs calls allocated pages never written holes.  A
 * sparse file (from an older ocxlfs, which sized files with ftruncate) has
 * holes far larger than any metadata blocks a file system counts.
 */
static bool fully_allocated(int fd, size_t size)
{
	struct stat st;

	return !fstat(fd, &st) && st.st_size >= (off_t)size &&
	       (off_t)st.st_blocks * 512 >= (off_t)size;
}

int ocxlfs_pmem_map(struct ocxlfs_pmem *pm, int fd, size_t size, const char *what)
{
	struct pmem2_map *map = NULL;
	int rc;

	memset(pm, 0, sizeof(*pm));
	pm->fd = fd;
	/*
	 * Not again when it is: on tmpfs an fallocate over pages that exist
	 * marks them up to date, and the kernel then maps 16 of them around
	 * every one touched (64 KiB of RSS a file).
	 */
	rc = fully_allocated(fd, size) ? 0 : allocate_synced(fd, 0, (off_t)size);
	if (rc) {
		log_err("%s: cannot allocate %zu bytes: %s", what, size, strerror(-rc));
		return rc;
	}
	rc = map_new(pm, size, what, &map);
	if (rc)
		return rc;
	map_set(pm, map);
	return 0;
}

int ocxlfs_pmem_grow(struct ocxlfs_pmem *pm, size_t size, const char *what)
{
	struct pmem2_map *map = NULL;
	int rc;

	if (size <= pm->size)
		return 0;
	rc = allocate_synced(pm->fd, (off_t)pm->size, (off_t)(size - pm->size));
	if (rc)
		return rc;
	rc = map_new(pm, size, what, &map);
	if (rc)
		return rc;
	map_set(pm, map);
	return 0;
}

void ocxlfs_pmem_unmap(struct ocxlfs_pmem *pm)
{
	if (pm->map)
		pmem2_map_delete(&pm->map);
	pm->base = NULL;
	pm->size = 0;
}

int ocxlfs_pmem_write(struct ocxlfs_pmem *pm, size_t off, const void *src, size_t len)
{
	struct iovec iov = {.iov_base = (void *)src, .iov_len = len};

	return ocxlfs_pmem_writev(pm, off, &iov, 1);
}

int ocxlfs_pmem_writev(struct ocxlfs_pmem *pm, size_t off, const struct iovec *iov, int n)
{
	size_t len = 0;

	for (int i = 0; i < n; i++)
		len += iov[i].iov_len;
	if (off > pm->size || len > pm->size - off)
		return -EINVAL;
	if (pm->dax) {
		/* Stores only; ocxlfs_pmem_persist() flushes the range. */
		for (int i = 0; i < n; off += iov[i].iov_len, i++)
			pm->memcpy_fn(pm->base + off, iov[i].iov_base, iov[i].iov_len,
				      PMEM2_F_MEM_NOFLUSH);
		return 0;
	}
	/* Not through the mapping: a write fault that needs a read cannot fail cleanly. */
	while (len) {
		ssize_t w = pwritev(pm->fd, iov, n, (off_t)off);
		size_t done;

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		/* A short write: go on after what was written. */
		done = (size_t)w;
		off += done;
		len -= done;
		while (n && done >= iov->iov_len) {
			done -= iov->iov_len;
			iov++;
			n--;
		}
		if (n && done) {
			struct iovec rest = {.iov_base = (uint8_t *)iov->iov_base + done,
					     .iov_len = iov->iov_len - done};
			int rc = ocxlfs_pmem_writev(pm, off, &rest, 1);

			if (rc)
				return rc;
			off += rest.iov_len;
			len -= rest.iov_len;
			iov++;
			n--;
		}
	}
	return 0;
}

/* Bytes OFF..OFF+LEN of the file are durable (util/trace.h). */
static void trace_persisted(const struct ocxlfs_pmem *pm, size_t off, size_t len)
{
	char path[PATH_MAX];

	if (!ocxlfs_tracing())
		return;
	ocxlfs_trace_fd_path(pm->fd, path, sizeof(path));
	ocxlfs_trace("persist", "%s %zu %zu", path, off, len);
}

int ocxlfs_pmem_persist(struct ocxlfs_pmem *pm, size_t off, size_t len)
{
	if (off > pm->size || len > pm->size - off)
		return -EINVAL;
	if (pm->dax) {
		pm->persist_fn(pm->base + off, len);
	} else if (fdatasync(pm->fd)) {
		/* Writes through pwrite and stores through the mapping alike. */
		return -errno;
	}
	trace_persisted(pm, off, len);
	return 0;
}

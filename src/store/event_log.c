// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The event log's file (event_log.h): EVENT_LOG_SLOTS slots of
 * EVENT_LOG_SLOT bytes, each a little-endian header and the line:
 *   u32 magic 'OEV1', u32 CRC-32 of everything after it in the slot,
 *   u64 seq, u16 line length, u16 0, tag[24], u8 pad[4], line.
 * A slot is valid when its magic and CRC match and its seq falls in it
 * (seq mod EVENT_LOG_SLOTS); the newest valid seq is where numbering
 * continues.  Memory holds the same slots, so reading never touches disk.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <zlib.h>

#include "store/event_log.h"
#include "util/log.h"

#define EVENT_LOG_MAGIC 0x3156454fu /* "OEV1" */
#define HEAD_BYTES	48u

struct slot_head {
	uint32_t magic;
	uint32_t crc;
	uint64_t seq;
	uint16_t len;
	uint16_t zero;
	char tag[EVENT_LOG_TAG];
	uint8_t pad[4];
};

_Static_assert(sizeof(struct slot_head) == HEAD_BYTES, "slot header layout");

struct event_log {
	pthread_mutex_t lock;
	int fd;		 /* -1: memory only */
	bool durable;	 /* the last write reached the disk */
	uint64_t newest; /* atomic for event_log_seq() */
	uint8_t *slots;	 /* EVENT_LOG_SLOTS * EVENT_LOG_SLOT, as on disk */
	char path[];
};

static uint32_t slot_crc(const uint8_t *slot)
{
	return (uint32_t)crc32(0, slot + 8, EVENT_LOG_SLOT - 8);
}

/* The slot's number if it is valid in place I, else 0. */
static uint64_t slot_valid(const uint8_t *slot, unsigned i)
{
	struct slot_head h;

	memcpy(&h, slot, sizeof(h));
	if (le32toh(h.magic) != EVENT_LOG_MAGIC || le32toh(h.crc) != slot_crc(slot))
		return 0;
	if (!le64toh(h.seq) || le64toh(h.seq) % EVENT_LOG_SLOTS != i ||
	    le16toh(h.len) > EVENT_LOG_LINE_MAX || h.tag[EVENT_LOG_TAG - 1])
		return 0;
	return le64toh(h.seq);
}

/* Reads what the file holds; the newest valid number. */
static uint64_t load(struct event_log *log)
{
	size_t bytes = (size_t)EVENT_LOG_SLOTS * EVENT_LOG_SLOT, got = 0;
	uint64_t newest = 0;

	while (got < bytes) {
		ssize_t n = pread(log->fd, log->slots + got, bytes - got, (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	for (unsigned i = 0; i < EVENT_LOG_SLOTS; i++) {
		uint8_t *slot = log->slots + (size_t)i * EVENT_LOG_SLOT;
		uint64_t seq = slot_valid(slot, i);

		if (!seq)
			memset(slot, 0, EVENT_LOG_SLOT);
		else if (seq > newest)
			newest = seq;
	}
	/* Slots older than the window (a torn wrap-around) are not kept. */
	for (unsigned i = 0; i < EVENT_LOG_SLOTS; i++) {
		uint8_t *slot = log->slots + (size_t)i * EVENT_LOG_SLOT;
		uint64_t seq = slot_valid(slot, i);

		if (seq && newest - seq >= EVENT_LOG_SLOTS)
			memset(slot, 0, EVENT_LOG_SLOT);
	}
	return newest;
}

static void open_file(struct event_log *log)
{
	int fd = open(log->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	int rc;

	if (fd < 0) {
		log_err("event log %s: %s; events are kept in memory only", log->path,
			strerror(errno));
		return;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		log_err("event log %s: in use by another process (%s); events are kept in "
			"memory only", log->path, strerror(errno));
		close(fd);
		return;
	}
	log->fd = fd;
	log->newest = load(log);
	/* Every block now: no append can find the disk full. */
	rc = posix_fallocate(fd, 0, (off_t)EVENT_LOG_SLOTS * EVENT_LOG_SLOT);
	if (rc) {
		log_err("event log %s: allocating %u bytes: %s; events are kept in memory only",
			log->path, EVENT_LOG_SLOTS * EVENT_LOG_SLOT, strerror(rc));
		close(fd);
		log->fd = -1;
		return;
	}
	log->durable = true;
}

int event_log_open(const char *path, struct event_log **out)
{
	size_t len = strlen(path);
	struct event_log *log = calloc(1, sizeof(*log) + len + 1);

	if (!log)
		return -ENOMEM;
	log->slots = calloc(EVENT_LOG_SLOTS, EVENT_LOG_SLOT);
	if (!log->slots) {
		free(log);
		return -ENOMEM;
	}
	memcpy(log->path, path, len + 1);
	log->fd = -1;
	pthread_mutex_init(&log->lock, NULL);
	open_file(log);
	*out = log;
	return 0;
}

void event_log_close(struct event_log *log)
{
	if (!log)
		return;
	if (log->fd >= 0)
		close(log->fd);
	pthread_mutex_destroy(&log->lock);
	free(log->slots);
	free(log);
}

/* With the lock held: SLOT made durable in its place; 0 or -errno. */
static int write_slot(struct event_log *log, const uint8_t *slot, unsigned i)
{
	off_t off = (off_t)i * EVENT_LOG_SLOT;
	size_t done = 0;

	if (log->fd < 0)
		return -EROFS;
	while (done < EVENT_LOG_SLOT) {
		ssize_t n = pwrite(log->fd, slot + done, EVENT_LOG_SLOT - done, off + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += (size_t)n;
	}
	return fdatasync(log->fd) ? -errno : 0;
}

int64_t event_log_append(struct event_log *log, const char *tag,
			 int (*render)(void *arg, uint64_t seq, char *buf, size_t cap), void *arg)
{
	uint8_t slot[EVENT_LOG_SLOT] = { 0 };
	struct slot_head h = { 0 };
	uint64_t seq;
	unsigned i;
	int n, rc;

	pthread_mutex_lock(&log->lock);
	seq = log->newest + 1;
	i = (unsigned)(seq % EVENT_LOG_SLOTS);
	n = render(arg, seq, (char *)slot + HEAD_BYTES, EVENT_LOG_LINE_MAX + 1);
	if (n < 0 || n > (int)EVENT_LOG_LINE_MAX) {
		pthread_mutex_unlock(&log->lock);
		return n < 0 ? n : -ENOSPC;
	}
	slot[HEAD_BYTES + n] = 0; /* the rest of the slot is zero */
	h.magic = htole32(EVENT_LOG_MAGIC);
	h.seq = htole64(seq);
	h.len = htole16((uint16_t)n);
	snprintf(h.tag, sizeof(h.tag), "%s", tag);
	memcpy(slot, &h, sizeof(h));
	h.crc = htole32(slot_crc(slot));
	memcpy(slot, &h, sizeof(h));

	/* Durable before it is kept, counted or shown. */
	rc = write_slot(log, slot, i);
	if (rc && log->durable && log->fd >= 0)
		log_err("event log %s: event %llu: %s; events are kept in memory only until "
			"writes work again", log->path, (unsigned long long)seq, strerror(-rc));
	else if (!rc && !log->durable)
		log_notice("event log %s: writes work again, from event %llu", log->path,
			   (unsigned long long)seq);
	log->durable = rc == 0;
	memcpy(log->slots + (size_t)i * EVENT_LOG_SLOT, slot, EVENT_LOG_SLOT);
	__atomic_store_n(&log->newest, seq, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&log->lock);
	return (int64_t)seq;
}

uint64_t event_log_seq(struct event_log *log)
{
	return __atomic_load_n(&log->newest, __ATOMIC_ACQUIRE);
}

bool event_log_durable(struct event_log *log)
{
	bool durable;

	pthread_mutex_lock(&log->lock);
	durable = log->durable;
	pthread_mutex_unlock(&log->lock);
	return durable;
}

int event_log_foreach(struct event_log *log, const char *tag,
		      int (*fn)(void *arg, uint64_t seq, const char *line, size_t len), void *arg)
{
	uint64_t first;
	int rc = 0;

	pthread_mutex_lock(&log->lock);
	first = log->newest >= EVENT_LOG_SLOTS ? log->newest - EVENT_LOG_SLOTS + 1 : 1;
	for (uint64_t seq = first; seq <= log->newest && !rc; seq++) {
		const uint8_t *slot = log->slots + (size_t)(seq % EVENT_LOG_SLOTS) * EVENT_LOG_SLOT;
		struct slot_head h;

		memcpy(&h, slot, sizeof(h));
		if (le64toh(h.seq) != seq)
			continue; /* lost to a torn write or never stored */
		if (tag && strncmp(h.tag, tag, EVENT_LOG_TAG))
			continue;
		rc = fn(arg, seq, (const char *)slot + HEAD_BYTES, le16toh(h.len));
	}
	pthread_mutex_unlock(&log->lock);
	return rc;
}

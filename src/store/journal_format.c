// SPDX-License-Identifier: LGPL-2.1-or-later
/* The journal's file format and its pread reader (see journal_format.h). */
#include <errno.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "store/journal_format.h"

uint32_t jrn_rec_crc(uint32_t log_id, uint32_t len, const void *payload)
{
	uint8_t pre[8];
	uLong crc;

	jrn_put_le32(pre, log_id);
	jrn_put_le32(pre + 4, len);
	crc = crc32(0L, Z_NULL, 0);
	crc = crc32(crc, pre, sizeof(pre));
	if (len)
		crc = crc32(crc, payload, len);
	return (uint32_t)crc;
}

void jrn_hdr_build(uint8_t *h)
{
	uint64_t now = htole64((uint64_t)time(NULL));

	memset(h, 0, JRN_HDR_SIZE);
	memcpy(h, JRN_MAGIC, 8);
	jrn_put_le32(h + 8, JRN_VERSION);
	jrn_put_le32(h + 12, JRN_HDR_SIZE);
	memcpy(h + 16, &now, sizeof(now));
	jrn_put_le32(h + 28, (uint32_t)crc32(0L, h, 28));
}

/* NULL if the header is good, else why not. */
const char *jrn_hdr_check(const uint8_t *h)
{
	if (memcmp(h, JRN_MAGIC, 8))
		return "bad magic";
	if (jrn_get_le32(h + 28) != (uint32_t)crc32(0L, h, 28))
		return "bad header CRC";
	if (jrn_get_le32(h + 8) != JRN_VERSION)
		return "unsupported version";
	if (jrn_get_le32(h + 12) != JRN_HDR_SIZE)
		return "bad header size";
	return NULL;
}

bool jrn_all_zero(const uint8_t *p, size_t n)
{
	static const uint8_t zeroes[4096];

	for (size_t step; n; p += step, n -= step) {
		step = n < sizeof(zeroes) ? n : sizeof(zeroes);
		if (memcmp(p, zeroes, step))
			return false;
	}
	return true;
}

const char *errlog_journal_record_check(const uint8_t *p, size_t room, struct journal_record *r)
{
	uint32_t len;

	if (room < JRN_REC_HDR)
		return "truncated record header";
	if (jrn_get_le32(p) != JRN_REC_MAGIC)
		return "bad record magic";
	len = jrn_get_le32(p + 4);
	if (len > JOURNAL_MAX_ENTRY)
		return "bad record length";
	if (JRN_REC_HDR + jrn_pad8(len) > room)
		return "record runs past the end of the file";
	if (jrn_get_le32(p + 12) != jrn_rec_crc(jrn_get_le32(p + 8), len, p + JRN_REC_HDR))
		return "bad record CRC";
	if (!jrn_all_zero(p + JRN_REC_HDR + len, jrn_pad8(len) - len))
		return "non-zero record padding";
	r->log_id = jrn_get_le32(p + 8);
	r->len = len;
	r->crc = jrn_get_le32(p + 12);
	r->size = JRN_REC_HDR + jrn_pad8(len);
	return NULL;
}

/* ---- reading a file with pread, as if zero-filled to vsize ---- */

/* N (<= JRN_SCAN_BUF) bytes at off, off + n <= vsize; NULL with *err on a read error. */
const uint8_t *jrn_scan_at(struct jrn_scan *sb, size_t off, size_t n, int *err)
{
	size_t got = 0, want;

	if (off >= sb->boff && off + n <= sb->boff + sb->blen)
		return sb->buf + (off - sb->boff);
	sb->boff = off;
	sb->blen = sb->vsize - off < JRN_SCAN_BUF ? sb->vsize - off : JRN_SCAN_BUF;
	want = off < sb->fsize ? sb->fsize - off : 0;
	if (want > sb->blen)
		want = sb->blen;
	while (got < want) {
		ssize_t r = pread(sb->fd, sb->buf + got, want - got, (off_t)(off + got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			/* A file that shrank under us reads as zeroes, like its tail. */
			if (r == 0)
				break;
			*err = -errno;
			sb->blen = 0;
			return NULL;
		}
		got += (size_t)r;
	}
	memset(sb->buf + got, 0, sb->blen - got);
	return sb->buf;
}

/*
 * One past the last non-zero byte in [from, vsize), or from if none.
 * Holes are skipped with SEEK_DATA; past the file's end is zero anyway.
 */
int jrn_scan_last_nonzero(struct jrn_scan *sb, size_t from, size_t *out)
{
	size_t pos = from, last = from;
	int err = 0;

	while (pos < sb->fsize) {
		off_t data = lseek(sb->fd, (off_t)pos, SEEK_DATA), hole;

		if (data < 0 && errno == ENXIO)
			break;
		if (data < 0)
			data = (off_t)pos; /* no SEEK_DATA here: read it all */
		hole = lseek(sb->fd, data, SEEK_HOLE);
		if (hole < 0 || (size_t)hole > sb->fsize)
			hole = (off_t)sb->fsize;
		for (pos = (size_t)data; pos < (size_t)hole;) {
			size_t n =
			    (size_t)hole - pos < JRN_SCAN_BUF ? (size_t)hole - pos : JRN_SCAN_BUF;
			const uint8_t *p = jrn_scan_at(sb, pos, n, &err);

			if (!p)
				return err;
			for (size_t i = n; i > 0; i--) {
				if (p[i - 1]) {
					last = pos + i;
					break;
				}
			}
			pos += n;
		}
	}
	*out = last;
	return 0;
}

/* Record at off (its size in r) or why not; *err set on a read error. */
const char *jrn_scan_record(struct jrn_scan *sb, size_t off, struct journal_record *r, int *err)
{
	size_t room = sb->vsize - off;
	const uint8_t *p;

	if (room > JRN_REC_MAX)
		room = JRN_REC_MAX;
	p = jrn_scan_at(sb, off, room, err);
	if (!p)
		return "read error";
	return errlog_journal_record_check(p, room, r);
}

/*
 * End of the last intact record that starts in (from, to), or 0 if none.
 * A record may end past to: an entry's last bytes can be zero.
 */
int jrn_scan_intact_end(struct jrn_scan *sb, size_t from, size_t to, size_t *out)
{
	size_t off = from + 8, end = 0;
	struct journal_record r;
	int err = 0;

	while (off < to) {
		const uint8_t *p = jrn_scan_at(sb, off, 4, &err);

		if (!p)
			return err;
		if (jrn_get_le32(p) == JRN_REC_MAGIC && !jrn_scan_record(sb, off, &r, &err)) {
			end = off + r.size;
			off = end;
		} else {
			if (err)
				return err;
			off += 8;
		}
	}
	*out = end;
	return 0;
}

/*
 * Reads the header of an open file.  1 = usable, 0 = empty (needs a
 * header), -EUCLEAN = damaged (reason in *why), other -errno = I/O error.
 */
int jrn_hdr_read(int fd, size_t fsize, const char **why)
{
	uint8_t h[JRN_HDR_SIZE] = {0};
	ssize_t n;

	if (fsize == 0)
		return 0;
	n = pread(fd, h, sizeof(h), 0);
	if (n < 0)
		return -errno;
	if ((size_t)n < sizeof(h) && !jrn_all_zero(h, (size_t)n)) {
		*why = "short header";
		return -EUCLEAN;
	}
	if (jrn_all_zero(h, sizeof(h))) {
		/* Crashed between sizing and writing the header? Only if nothing follows. */
		uint8_t buf[4096];
		off_t off = 0;

		while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
			if (!jrn_all_zero(buf, (size_t)n)) {
				*why = "zeroed header";
				return -EUCLEAN;
			}
			off += n;
		}
		return n < 0 ? -errno : 0;
	}
	*why = jrn_hdr_check(h);
	return *why ? -EUCLEAN : 1;
}

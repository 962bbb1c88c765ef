/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where the bytes of rendered snapshots live, and the bound on all of them
 * together (docs/tree.md section 4.2, --max-snapshot-size).  A snapshot
 * refers to its bytes by a snapbuf_t, never by a pointer, so that the
 * descriptors can move into memory shared with another process: this heap
 * implementation hands out the malloc'd address as the number, one backed
 * by a shared arena would hand out an offset into it.  Only snapbuf.c
 * knows which.
 */
#ifndef OCXLFS_TREE_SNAPBUF_H
#define OCXLFS_TREE_SNAPBUF_H

#include <stddef.h>
#include <stdint.h>

typedef uint64_t snapbuf_t; /* 0: no bytes */

struct snapbufs {
	size_t used;  /* bytes held, all snapshots together; atomic */
	size_t limit; /* -ENOMEM beyond */
};

void snapbufs_init(struct snapbufs *b, size_t limit);
/*
 * Takes DATA (LEN bytes from malloc, as open_memstream() leaves them) and
 * counts it.  Past the limit nothing is counted, DATA is freed and the
 * answer is -ENOMEM.
 */
int snapbuf_adopt(struct snapbufs *b, char *data, size_t len, snapbuf_t *out);
const char *snapbuf_bytes(const struct snapbufs *b, snapbuf_t buf);
/* Frees BUF, which holds LEN bytes; 0 is ignored. */
void snapbuf_free(struct snapbufs *b, snapbuf_t buf, size_t len);

#endif /* OCXLFS_TREE_SNAPBUF_H */

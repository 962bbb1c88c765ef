/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pure decoder of the namespace label area that libnvdimm reads from a
 * DIMM's configuration data (docs/tree.md section 2.16): two namespace
 * index blocks, then an array of label slots, in the label formats 1.1
 * (128-byte labels) and 1.2 (256-byte labels, with type and abstraction
 * GUIDs and a checksum).  The bytes come from the card, i.e. from whoever
 * wrote the labels last: every offset, length and count is checked against
 * the buffer before it is used.  No I/O, no allocation.
 *
 * The area is decoded in two steps so that a large one (16 MiB) is never
 * held whole:
 *
 *	span = ocxlfs_labels_index_span(config_size);
 *	read bytes [0, span) of the area into buf;
 *	ocxlfs_labels_decode_index(buf, span, config_size, &area);
 *	for each slot in [0, area.nslot) with ocxlfs_labels_slot_in_use():
 *		read area.label_size bytes at ocxlfs_labels_slot_offset();
 *		ocxlfs_label_decode(those bytes, area.label_size, &area, slot, &l);
 *
 * The rules for which index block is valid and current, and which label
 * is valid, are libnvdimm's (Linux drivers/nvdimm/label.c).
 */
#ifndef OCXLFS_CODEC_LABELS_H
#define OCXLFS_CODEC_LABELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OCXLFS_NSINDEX_SIG	 "NAMESPACE_INDEX" /* then a NUL: 16 bytes */
#define OCXLFS_NSINDEX_SIG_LEN	 16
#define OCXLFS_NSINDEX_FIXED	 72 /* the block before its free bitmap */
#define OCXLFS_NSINDEX_ALIGN	 256
#define OCXLFS_NSLABEL_NAME_LEN	 64
#define OCXLFS_NSLABEL_SIZE_V1_1 128
#define OCXLFS_NSLABEL_SIZE_V1_2 256

/* What an index block failed first, in libnvdimm's order of checks. */
enum ocxlfs_nsindex_check {
	OCXLFS_NSINDEX_OK,
	OCXLFS_NSINDEX_BAD_SIGNATURE,
	OCXLFS_NSINDEX_BAD_LABELSIZE, /* not the label size being probed */
	OCXLFS_NSINDEX_BAD_CHECKSUM,
	OCXLFS_NSINDEX_BAD_SEQ,	      /* sequence number 0 (mod 4) */
	OCXLFS_NSINDEX_BAD_MYOFF,
	OCXLFS_NSINDEX_BAD_OTHEROFF,
	OCXLFS_NSINDEX_BAD_MYSIZE,
	OCXLFS_NSINDEX_BAD_NSLOT,     /* more slots than the area holds */
};
/* "ok", "signature", "labelsize", ...: the names docs/json.md gives. */
const char *ocxlfs_nsindex_check_name(enum ocxlfs_nsindex_check c);

struct ocxlfs_nsindex {
	uint32_t offset;	/* where the block lies in the area */
	char signature[17];	/* up to the first NUL, non-printables as '?' */
	uint32_t flags;		/* the 3-byte flags field, little-endian */
	uint32_t label_size;	/* bytes per label the block declares; 0 if absurd */
	uint32_t seq;
	uint64_t myoff, mysize, otheroff, labeloff;
	uint32_t nslot;
	uint16_t major, minor;
	uint64_t checksum;
	uint32_t free;		/* free slots among the first nslot (as far as the bitmap goes) */
	enum ocxlfs_nsindex_check check;
	const uint8_t *free_map; /* the bitmap, inside the decoded buffer */
	uint32_t free_map_bits;	 /* bits the block has room for */
};

enum ocxlfs_label_format {
	OCXLFS_LABELS_EMPTY,	   /* no valid index and the index region is all zero */
	OCXLFS_LABELS_UNFORMATTED, /* no valid index block */
	OCXLFS_LABELS_FORMATTED,   /* at least one valid index block */
};

struct ocxlfs_label_area {
	uint32_t config_size;
	enum ocxlfs_label_format format;
	uint32_t label_size;  /* of the valid index, else the blocks' claim; 0: none fits */
	uint32_t index_size;  /* bytes per index block; 0 when the area is too small */
	unsigned nindex;      /* index blocks shown: 2, or 0 when index_size is 0 */
	struct ocxlfs_nsindex index[2];
	int current;	      /* the index libnvdimm uses, -1 if none */
	uint32_t nslot;	      /* slots of the current index, 0 if none */
};

/* Bytes of the area's start that hold both index blocks for any label size. */
size_t ocxlfs_labels_index_span(uint32_t config_size);

/*
 * Decodes the index blocks of an area of config_size bytes from its first
 * len bytes.  -EINVAL for a config_size of 0; -EMSGSIZE when len is less
 * than ocxlfs_labels_index_span(config_size) (the area itself is never too
 * short: one that cannot hold two blocks and two labels has no index).
 * The result points into buf (free_map): keep buf while using it.
 */
int ocxlfs_labels_decode_index(const uint8_t *buf, size_t len, uint32_t config_size,
			       struct ocxlfs_label_area *area);

/* True if the current index marks slot as in use (its free bit clear). */
bool ocxlfs_labels_slot_in_use(const struct ocxlfs_label_area *area, uint32_t slot);
/* Where slot lies in the area: after both index blocks. */
uint32_t ocxlfs_labels_slot_offset(const struct ocxlfs_label_area *area, uint32_t slot);

enum ocxlfs_label_check {
	OCXLFS_LABEL_OK,
	OCXLFS_LABEL_BAD_SLOT,	   /* its slot field is not where it lies */
	OCXLFS_LABEL_BAD_CHECKSUM, /* format 1.2 only */
};
const char *ocxlfs_label_check_name(enum ocxlfs_label_check c); /* "ok", "slot", "checksum" */

struct ocxlfs_nslabel {
	uint32_t at_slot;	/* the slot it was read from */
	uint32_t offset;	/* and where that slot lies in the area */
	uint8_t uuid[16];
	char name[OCXLFS_NSLABEL_NAME_LEN + 1]; /* up to the first NUL, non-printables as '?' */
	uint32_t flags;
	uint16_t nlabel, position;
	uint64_t isetcookie, lbasize, dpa, rawsize;
	uint32_t slot;
	bool v1_2;		/* the members below exist (256-byte labels) */
	uint8_t align;
	uint8_t type_guid[16], abstraction_guid[16];
	uint64_t checksum;
	enum ocxlfs_label_check check;
};

/* Label flag bits (NSLABEL_FLAG_*) and their names ("rolabel", ...); NULL if unnamed. */
const char *ocxlfs_label_flag_name(unsigned bit);

/*
 * Decodes the label of a formatted area's slot from buf.  -EINVAL if the
 * area has no current index or slot >= its nslot; -EBADMSG if len is
 * shorter than area->label_size.  On failure *l is all zeroes.
 */
int ocxlfs_label_decode(const uint8_t *buf, size_t len, const struct ocxlfs_label_area *area,
			uint32_t slot, struct ocxlfs_nslabel *l);

/* Fletcher-64 over len / 4 little-endian 32-bit words, as libnvdimm sums. */
uint64_t ocxlfs_fletcher64(const uint8_t *buf, size_t len);

#endif /* OCXLFS_CODEC_LABELS_H */

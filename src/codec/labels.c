// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Namespace label area decoder (labels.h).  Geometry, validity and the
 * choice of the current index follow libnvdimm, so that what is shown as
 * valid is what the kernel would use.  Every size is computed in 64 bits
 * and compared with the buffer or the area before a byte is read.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "codec/labels.h"

/* Field offsets of an index block and of a label. */
#define IX_SIG	     0
#define IX_FLAGS     16
#define IX_LABELSIZE 19
#define IX_SEQ	     20
#define IX_MYOFF     24
#define IX_MYSIZE    32
#define IX_OTHEROFF  40
#define IX_LABELOFF  48
#define IX_NSLOT     56
#define IX_MAJOR     60
#define IX_MINOR     62
#define IX_CHECKSUM  64

#define NL_UUID	      0
#define NL_NAME	      16
#define NL_FLAGS      80
#define NL_NLABEL     84
#define NL_POSITION   86
#define NL_ISETCOOKIE 88
#define NL_LBASIZE    96
#define NL_DPA	      104
#define NL_RAWSIZE    112
#define NL_SLOT	      120
#define NL_ALIGN      124
#define NL_TYPE_GUID  128
#define NL_ABSTR_GUID 144
#define NL_CHECKSUM   248 /* the last 8 bytes of a 256-byte label */

#define SEQ_MASK 3u

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

/* Fletcher-64 of buf with the 8-byte checksum at skip counted as zero. */
static uint64_t fletcher64_skip(const uint8_t *buf, size_t len, size_t skip)
{
	uint32_t lo = 0;
	uint64_t hi = 0;

	for (size_t i = 0; i + 4 <= len; i += 4) {
		lo += (i >= skip && i < skip + 8) ? 0 : le32(buf + i);
		hi += lo;
	}
	return hi << 32 | lo;
}

uint64_t ocxlfs_fletcher64(const uint8_t *buf, size_t len)
{
	return fletcher64_skip(buf, len, SIZE_MAX - 8);
}

static uint64_t index_bytes(uint64_t nslot)
{
	return align_up(OCXLFS_NSINDEX_FIXED + (nslot + 7) / 8, OCXLFS_NSINDEX_ALIGN);
}

/*
 * libnvdimm's sizeof_namespace_index(): slots are counted as if the
 * whole area held labels, the index is sized for that, and the slots
 * that then fit decide the final size.  0: too small for two blocks and
 * two labels.
 */
static uint32_t index_size(uint32_t config_size, uint32_t label_size)
{
	uint64_t first = index_bytes(config_size / label_size);
	uint64_t nslot, size;

	if (2 * first > config_size)
		return 0;
	nslot = (config_size - 2 * first) / label_size;
	size = index_bytes(nslot);
	if (nslot < 2 || 2 * size > config_size - nslot * label_size)
		return 0;
	return (uint32_t)size;
}

static const uint32_t probe_sizes[] = { OCXLFS_NSLABEL_SIZE_V1_1, OCXLFS_NSLABEL_SIZE_V1_2 };

size_t ocxlfs_labels_index_span(uint32_t config_size)
{
	uint64_t span = 0;

	if (!config_size)
		return 0;
	for (size_t i = 0; i < sizeof(probe_sizes) / sizeof(probe_sizes[0]); i++) {
		uint64_t s = 2 * (uint64_t)index_size(config_size, probe_sizes[i]);

		span = s > span ? s : span;
	}
	/* Too small for any index: still look at where one would begin. */
	if (!span)
		span = 2 * OCXLFS_NSINDEX_ALIGN;
	return span < config_size ? (size_t)span : config_size;
}

static void printable(char *dst, const uint8_t *src, size_t max)
{
	size_t n = 0;

	while (n < max && src[n]) {
		dst[n] = (src[n] >= 0x20 && src[n] <= 0x7E) ? (char)src[n] : '?';
		n++;
	}
	dst[n] = '\0';
}

/* The label size a block declares: versions before 1.2 only had 128. */
static uint32_t declared_label_size(uint16_t major, uint16_t minor, uint8_t code)
{
	if ((uint32_t)major * 100 + minor < 102)
		return OCXLFS_NSLABEL_SIZE_V1_1;
	return code <= 24 ? 128u << code : 0;
}

static uint32_t count_free(const uint8_t *map, uint32_t bits)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < bits; i++)
		n += (map[i / 8] >> (i % 8)) & 1;
	return n;
}

/* Block i of a geometry of isz-byte blocks and ls-byte labels. */
static void decode_block(const uint8_t *buf, unsigned i, uint32_t isz, uint32_t ls,
			 uint32_t config_size, struct ocxlfs_nsindex *ix)
{
	const uint8_t *p = buf + (size_t)i * isz;
	uint32_t bits;

	*ix = (struct ocxlfs_nsindex){ .offset = i * isz };
	printable(ix->signature, p + IX_SIG, OCXLFS_NSINDEX_SIG_LEN);
	ix->flags = p[IX_FLAGS] | p[IX_FLAGS + 1] << 8 | (uint32_t)p[IX_FLAGS + 2] << 16;
	ix->seq = le32(p + IX_SEQ);
	ix->myoff = le64(p + IX_MYOFF);
	ix->mysize = le64(p + IX_MYSIZE);
	ix->otheroff = le64(p + IX_OTHEROFF);
	ix->labeloff = le64(p + IX_LABELOFF);
	ix->nslot = le32(p + IX_NSLOT);
	ix->major = le16(p + IX_MAJOR);
	ix->minor = le16(p + IX_MINOR);
	ix->checksum = le64(p + IX_CHECKSUM);
	ix->label_size = declared_label_size(ix->major, ix->minor, p[IX_LABELSIZE]);
	ix->free_map = p + OCXLFS_NSINDEX_FIXED;
	ix->free_map_bits = (isz - OCXLFS_NSINDEX_FIXED) * 8;
	bits = ix->nslot < ix->free_map_bits ? ix->nslot : ix->free_map_bits;
	ix->free = count_free(ix->free_map, bits);

	if (memcmp(p + IX_SIG, OCXLFS_NSINDEX_SIG, OCXLFS_NSINDEX_SIG_LEN))
		ix->check = OCXLFS_NSINDEX_BAD_SIGNATURE;
	else if (ix->label_size != ls)
		ix->check = OCXLFS_NSINDEX_BAD_LABELSIZE;
	else if (fletcher64_skip(p, isz, IX_CHECKSUM) != ix->checksum)
		ix->check = OCXLFS_NSINDEX_BAD_CHECKSUM;
	else if (!(ix->seq & SEQ_MASK))
		ix->check = OCXLFS_NSINDEX_BAD_SEQ;
	else if (ix->myoff != (uint64_t)i * isz)
		ix->check = OCXLFS_NSINDEX_BAD_MYOFF;
	else if (ix->otheroff != (uint64_t)!i * isz)
		ix->check = OCXLFS_NSINDEX_BAD_OTHEROFF;
	else if (ix->mysize > isz || ix->mysize < OCXLFS_NSINDEX_FIXED)
		ix->check = OCXLFS_NSINDEX_BAD_MYSIZE;
	else if ((uint64_t)ix->nslot * ls + 2 * (uint64_t)isz > config_size)
		ix->check = OCXLFS_NSINDEX_BAD_NSLOT;
	else
		ix->check = OCXLFS_NSINDEX_OK;
}

/* The sequence numbers cycle 1, 2, 3, 1: the newer of two. */
static uint32_t next_seq(uint32_t seq)
{
	static const uint32_t next[] = { 0, 2, 3, 1 };

	return next[seq & SEQ_MASK];
}

static int current_index(const struct ocxlfs_label_area *a)
{
	bool v0 = a->index[0].check == OCXLFS_NSINDEX_OK;
	bool v1 = a->index[1].check == OCXLFS_NSINDEX_OK;
	uint32_t s0 = a->index[0].seq & SEQ_MASK, s1 = a->index[1].seq & SEQ_MASK;

	if (!v0 || !v1)
		return v0 ? 0 : v1 ? 1 : -1;
	/* libnvdimm's best_seq(): equal sequences pick block 1. */
	return (s0 == s1 || next_seq(s0) == s1) ? 1 : 0;
}

static bool all_zero(const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i])
			return false;
	return true;
}

static void decode_geometry(const uint8_t *buf, uint32_t config_size, uint32_t ls,
			    struct ocxlfs_label_area *a)
{
	a->label_size = ls;
	a->index_size = index_size(config_size, ls);
	a->nindex = a->index_size ? 2 : 0;
	for (unsigned i = 0; i < a->nindex; i++)
		decode_block(buf, i, a->index_size, ls, config_size, &a->index[i]);
	a->current = a->nindex ? current_index(a) : -1;
}

int ocxlfs_labels_decode_index(const uint8_t *buf, size_t len, uint32_t config_size,
			       struct ocxlfs_label_area *a)
{
	size_t span = ocxlfs_labels_index_span(config_size);
	uint32_t guess;

	*a = (struct ocxlfs_label_area){ .current = -1 };
	if (!config_size)
		return -EINVAL;
	if (!buf || len < span)
		return -EMSGSIZE;
	a->config_size = config_size;
	/* libnvdimm tries 128-byte labels first, then 256. */
	for (size_t i = 0; i < sizeof(probe_sizes) / sizeof(probe_sizes[0]); i++) {
		decode_geometry(buf, config_size, probe_sizes[i], a);
		if (a->current >= 0) {
			a->format = OCXLFS_LABELS_FORMATTED;
			a->nslot = a->index[a->current].nslot;
			return 0;
		}
	}
	/* Nothing valid: show the blocks where their own version puts them. */
	guess = span >= OCXLFS_NSINDEX_FIXED
			? declared_label_size(le16(buf + IX_MAJOR), le16(buf + IX_MINOR),
					      buf[IX_LABELSIZE])
			: 0;
	if (guess != OCXLFS_NSLABEL_SIZE_V1_2)
		guess = OCXLFS_NSLABEL_SIZE_V1_1;
	decode_geometry(buf, config_size, guess, a);
	if (!a->index_size)
		a->label_size = 0;
	a->format = all_zero(buf, span) ? OCXLFS_LABELS_EMPTY : OCXLFS_LABELS_UNFORMATTED;
	return 0;
}

bool ocxlfs_labels_slot_in_use(const struct ocxlfs_label_area *a, uint32_t slot)
{
	const struct ocxlfs_nsindex *ix;

	if (a->current < 0 || slot >= a->nslot)
		return false;
	ix = &a->index[a->current];
	if (slot >= ix->free_map_bits)
		return false;
	return !((ix->free_map[slot / 8] >> (slot % 8)) & 1);
}

uint32_t ocxlfs_labels_slot_offset(const struct ocxlfs_label_area *a, uint32_t slot)
{
	return 2 * a->index_size + slot * a->label_size;
}

int ocxlfs_label_decode(const uint8_t *buf, size_t len, const struct ocxlfs_label_area *a,
			uint32_t slot, struct ocxlfs_nslabel *l)
{
	*l = (struct ocxlfs_nslabel){ 0 };
	if (a->current < 0 || slot >= a->nslot)
		return -EINVAL;
	if (!buf || len < a->label_size)
		return -EBADMSG;
	l->at_slot = slot;
	l->offset = ocxlfs_labels_slot_offset(a, slot);
	memcpy(l->uuid, buf + NL_UUID, sizeof(l->uuid));
	printable(l->name, buf + NL_NAME, OCXLFS_NSLABEL_NAME_LEN);
	l->flags = le32(buf + NL_FLAGS);
	l->nlabel = le16(buf + NL_NLABEL);
	l->position = le16(buf + NL_POSITION);
	l->isetcookie = le64(buf + NL_ISETCOOKIE);
	l->lbasize = le64(buf + NL_LBASIZE);
	l->dpa = le64(buf + NL_DPA);
	l->rawsize = le64(buf + NL_RAWSIZE);
	l->slot = le32(buf + NL_SLOT);
	l->v1_2 = a->label_size >= OCXLFS_NSLABEL_SIZE_V1_2;
	if (l->v1_2) {
		l->align = buf[NL_ALIGN];
		memcpy(l->type_guid, buf + NL_TYPE_GUID, sizeof(l->type_guid));
		memcpy(l->abstraction_guid, buf + NL_ABSTR_GUID, sizeof(l->abstraction_guid));
		l->checksum = le64(buf + NL_CHECKSUM);
	}
	if (l->slot != slot)
		l->check = OCXLFS_LABEL_BAD_SLOT;
	else if (l->v1_2 && fletcher64_skip(buf, a->label_size, NL_CHECKSUM) != l->checksum)
		l->check = OCXLFS_LABEL_BAD_CHECKSUM;
	return 0;
}

static const char *const nsindex_check_names[] = {
	[OCXLFS_NSINDEX_OK] = "ok",
	[OCXLFS_NSINDEX_BAD_SIGNATURE] = "signature",
	[OCXLFS_NSINDEX_BAD_LABELSIZE] = "labelsize",
	[OCXLFS_NSINDEX_BAD_CHECKSUM] = "checksum",
	[OCXLFS_NSINDEX_BAD_SEQ] = "seq",
	[OCXLFS_NSINDEX_BAD_MYOFF] = "myoff",
	[OCXLFS_NSINDEX_BAD_OTHEROFF] = "otheroff",
	[OCXLFS_NSINDEX_BAD_MYSIZE] = "mysize",
	[OCXLFS_NSINDEX_BAD_NSLOT] = "nslot",
};

const char *ocxlfs_nsindex_check_name(enum ocxlfs_nsindex_check c)
{
	return (unsigned)c < sizeof(nsindex_check_names) / sizeof(nsindex_check_names[0])
		       ? nsindex_check_names[c]
		       : "unknown";
}

static const char *const label_check_names[] = {
	[OCXLFS_LABEL_OK] = "ok",
	[OCXLFS_LABEL_BAD_SLOT] = "slot",
	[OCXLFS_LABEL_BAD_CHECKSUM] = "checksum",
};

const char *ocxlfs_label_check_name(enum ocxlfs_label_check c)
{
	return (unsigned)c < sizeof(label_check_names) / sizeof(label_check_names[0])
		       ? label_check_names[c]
		       : "unknown";
}

/* NSLABEL_FLAG_* of the label formats. */
static const char *const flag_names[] = { "rolabel", "local", "btt", "updating" };

const char *ocxlfs_label_flag_name(unsigned bit)
{
	return bit < sizeof(flag_names) / sizeof(flag_names[0]) ? flag_names[bit] : NULL;
}

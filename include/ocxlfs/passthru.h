/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ocxlfs passthru contract: the card operations ocxlfs sends to an
 * OpenCAPI persistent-memory card, carried as ND_CMD_CALL envelopes
 * (struct nd_cmd_pkg, <linux/ndctl.h>) in family NVDIMM_FAMILY_OCXL.
 *
 * Envelope:
 *   nd_family   = OCXLFS_ND_FAMILY (6)
 *   nd_command  = enum ocxlfs_cmd
 *   nd_size_in  = 8 * number of parameter words (the request block's
 *                 words 0x08.. of the admin command, little-endian)
 *   nd_size_out = room for struct ocxlfs_pkg_out + the card's data buffer
 *   nd_fw_size  = (out) 8 + bytes of data buffer the card produced
 *
 * The output payload starts with one little-endian word that mirrors
 * response block word 0 (status in bits 7:0), followed by the card's data
 * buffer verbatim ('EL', 'SM', 'CS', 'CD', 'ID' formats; see
 * docs/protocol.md).  Transport failures are the ioctl's negative errno;
 * card failures are the status byte.
 *
 * Compatibility rule (docs/protocol.md, "Compatibility"): every data buffer
 * is self-describing (2-char identifier + length); readers use the fields
 * they know, treat fields past the reported length as absent and ignore
 * bytes beyond the fields they know; fields are only ever appended; an
 * operation a card does not know answers OCXLFS_STATUS_BAD_OPCODE (or the
 * kernel -ENOTTY) and the daemon shows it as unsupported.
 */
#ifndef OCXLFS_PASSTHRU_H
#define OCXLFS_PASSTHRU_H

#include <stdbool.h>
#include <stdint.h>

/* Family number the posted ocxlpmem driver (v3/v4) added to linux/ndctl.h. */
#define OCXLFS_ND_FAMILY 6

/*
 * The kernel's size rule for one envelope (docs/protocol.md, section 2.1):
 * the 64-byte struct nd_cmd_pkg header, nd_size_in and nd_size_out together
 * within ND_IOCTL_MAX_BUFLEN of include/linux/libnvdimm.h (4 MiB; not in
 * the UAPI).  Every side applies it before touching a payload.
 */
#define OCXLFS_ND_IOCTL_MAX_BUFLEN (4u << 20)
#define OCXLFS_PKG_HDR 64u

static inline bool ocxlfs_envelope_fits(uint32_t size_in, uint32_t size_out)
{
	/* A 64-bit sum: two u32 sizes cannot wrap it. */
	return OCXLFS_PKG_HDR + (uint64_t)size_in + size_out <= OCXLFS_ND_IOCTL_MAX_BUFLEN;
}

/*
 * Operation numbers (docs/protocol.md, section 3.1).  libnvdimm hands the
 * nd_command of an ND_CMD_CALL to its checks as the "function" number, in
 * the place of a command number (__nd_ioctl -> nd_cmd_clear_to_send): 6 is
 * refused like ND_CMD_SET_CONFIG_DATA with EBUSY while a namespace is
 * enabled, and a provider's clear_to_send sees 10 as ND_CMD_CALL itself.
 * So the numbers of the config commands (4-6) and of ND_CMD_CALL (10) are
 * never used by this family (section 3.5); the others are not special to
 * the kernel.
 */
enum ocxlfs_cmd {
	OCXLFS_CMD_SMART = 1,		/* = ND_CMD_OCXL_SMART of the posted driver; out: 'SM' */
	OCXLFS_CMD_IDENTIFY = 2,	/* out: 'ID' identity block */
	OCXLFS_CMD_ERRLOG_NEXT = 3,	/* out: oldest queued 'EL' entry, or no data if ELA clear */
	OCXLFS_CMD_DUMP_READ = 7,	/* in: w0 = offset << 32 | size; out: 'CD' chunk */
	OCXLFS_CMD_DUMP_COMPLETE = 8,	/* HCI.CDC: host has the dump, controller may free it */
	OCXLFS_CMD_HEARTBEAT = 9,	/* admin opcode 0x00 */
	OCXLFS_CMD_EVENT_CHECK = 11,	/* out: u64 event mask (OCXLFS_EVENT_*) */
	OCXLFS_CMD_ERASE_START = 12,	/* near-storage 0x20 secure erase, asynchronous */
	OCXLFS_CMD_ERASE_STATUS = 13,	/* out: 'SE' erase status block */
	OCXLFS_CMD_ERRLOG_ACK = 14,	/* in: w0 = log identifier; drops the head entry if it matches */
	OCXLFS_CMD_STATS = 15,		/* out: 'CS' controller statistics */
	OCXLFS_CMD_DUMP_REQUEST = 16,	/* HCI.CD: ask the controller to produce a dump */
	OCXLFS_CMD_HEALTH_REQUEST = 17, /* HCI.CHPD: card posts a type 0x04 error-log entry */
	OCXLFS_CMD_MAX = OCXLFS_CMD_HEALTH_REQUEST,
};

/* The numbers libnvdimm treats specially as a function number: never used. */
#define OCXLFS_CMD_RESERVED_MASK ((1u << 4) | (1u << 5) | (1u << 6) | (1u << 10))

/* True for a number of this family's operations (1..OCXLFS_CMD_MAX, none reserved). */
static inline bool ocxlfs_cmd_defined(uint64_t cmd)
{
	return cmd >= 1 && cmd <= OCXLFS_CMD_MAX && !(OCXLFS_CMD_RESERVED_MASK & (1u << cmd));
}

/* Card status codes (response block word 0, bits 7:0). */
enum ocxlfs_status {
	OCXLFS_STATUS_SUCCESS = 0x00,
	OCXLFS_STATUS_MEM_UNAVAILABLE = 0x20,
	OCXLFS_STATUS_BLOCKED_BG = 0x21,
	OCXLFS_STATUS_BAD_OPCODE = 0x50,
	OCXLFS_STATUS_BAD_REQUEST = 0x51,
	OCXLFS_STATUS_BAD_DATA = 0x52,
	OCXLFS_STATUS_DEBUG_BLOCKED = 0x70,
	OCXLFS_STATUS_FAILED = 0xFF,
};

/* EVENT_CHECK mask: the same bits as the v4 IOCTL_OCXLPMEM_EVENT_CHECK. */
#define OCXLFS_EVENT_CDA (1ULL << 0)	     /* controller dump available */
#define OCXLFS_EVENT_ELA (1ULL << 1)	     /* error log available */
#define OCXLFS_EVENT_FATAL_HW (1ULL << 2)	     /* CHI.CHFS */
#define OCXLFS_EVENT_FATAL_FW (1ULL << 3)	     /* CHI.CFFS */
#define OCXLFS_EVENT_ERASE_BUSY (1ULL << 8)    /* ocxlfs extension: erase running */

/* Output preamble: mirrors response block word 0. */
struct ocxlfs_pkg_out {
	uint64_t rsp; /* LE; bits 7:0 status */
	uint8_t data[];
};
#define OCXLFS_PKG_OUT_HDR 8u

/* Data-buffer identifiers: bits 63:48 of the first word. */
#define OCXLFS_ID_ERRLOG 0x454Cu	 /* 'EL' */
#define OCXLFS_ID_SMART 0x534Du	 /* 'SM' */
#define OCXLFS_ID_STATS 0x4353u	 /* 'CS' */
#define OCXLFS_ID_DUMP 0x4344u	 /* 'CD' */
#define OCXLFS_ID_IDENTITY 0x4944u /* 'ID' (ocxlfs: registers FWVER/CCAP0/CCAP1 + serial) */
#define OCXLFS_ID_ERASE 0x5345u	 /* 'SE' (ocxlfs: NS secure-erase response words) */

/*
 * 'EL' error log (docs/protocol.md, section 4.3).  Offsets from the header word.
 * Header length field (bits 15:0) = bytes of additional data at 0x48.
 */
#define OCXLFS_EL_FIXED 0x48u
#define OCXLFS_EL_OFF_ID_PRC 0x08u
#define OCXLFS_EL_OFF_TYPE_ACT_POS 0x10u
#define OCXLFS_EL_OFF_TIMESTAMP 0x18u
#define OCXLFS_EL_OFF_WWID 0x20u
#define OCXLFS_EL_OFF_FWREV 0x30u

enum ocxlfs_errlog_type {
	OCXLFS_EL_GENERAL = 0x00,
	OCXLFS_EL_PREDICTIVE = 0x01,
	OCXLFS_EL_THERMAL = 0x02,
	OCXLFS_EL_DATA_LOSS = 0x03,
	OCXLFS_EL_HEALTH_PERF = 0x04,
};

/* Recommended action flags: 24-bit field at word 0x10 bits 55:32. */
#define OCXLFS_EL_ACT_RESET (1u << 0)
#define OCXLFS_EL_ACT_CHECK_FW (1u << 21)
#define OCXLFS_EL_ACT_REPLACE (1u << 22)
#define OCXLFS_EL_ACT_TAKE_DUMP (1u << 23)

/* 'SM' SMART: 32-bit length, then 16-byte records. */
#define OCXLFS_SMART_RECORD 16u
#define OCXLFS_SMART_POWER_ON_HOURS 0x09
#define OCXLFS_SMART_TEMPERATURE 0xC2
#define OCXLFS_SMART_LIFE_REMAINING 0xCA

/*
 * 'CS' statistics, v4 layout (docs/protocol.md, section 4.5): 32-bit length, then
 * parameter blocks, each headed by a word with ID in bits 63:56 and the
 * block's data length in bits 31:0.  Field offsets below are relative to
 * the block's header word.
 */
#define OCXLFS_CS_BLOCK_RESET 0x01
#define OCXLFS_CS_BLOCK_RESET_LEN 0x38u
#define OCXLFS_CS_BLOCK_PERF 0x02
#define OCXLFS_CS_BLOCK_PERF_LEN 0xF8u
#define OCXLFS_CS_LEN_V4 0x140u

/* 'CD' dump chunk: 16-bit length, then opaque bytes. */
#define OCXLFS_DUMP_CHUNK_MAX 0x8000u /* multiple of 8, below the 16-bit length limit */

/*
 * 'ID' identity block (ocxlfs; the card exposes these as registers):
 *   0x08 serial (u64)        0x10 FWVER (8 ASCII, unswapped)
 *   0x18 CCAP0 (u64)         0x20 CCAP1 (u64)
 *   0x28 admin data-buffer size (u32, bits 31:0)
 * Header length field (bits 31:0) = bytes after the header (0x28 today).
 */
#define OCXLFS_ID_LEN_V1 0x28u

/*
 * 'SE' erase status: 32-bit length, then
 *   0x08 state (u64: 0 idle, 1 running, 2 done, 3 failed)
 *   0x10 progress in per-mille (u64)   0x18 status of the NS command
 *   0x20 accessible pages overwritten  0x28 accessible pages attempted
 *   0x30 defective pages overwritten   0x38 defective pages attempted
 */
#define OCXLFS_SE_LEN_V1 0x38u

/* CCAP0/CCAP1 fields (v4 masks, docs/protocol.md, section 4.2). */
#define OCXLFS_CCAP0_REVISION(v) ((unsigned)((v) & 0xFFFF))
#define OCXLFS_CCAP0_READ_LATENCY_NS(v) ((unsigned)(((v) >> 32) & 0xFFFF))
#define OCXLFS_CCAP0_READY_TIMEOUT_S(v) ((unsigned)(((v) >> 48) & 0xF))
#define OCXLFS_CCAP0_MEM_AVAIL_TIMEOUT_S(v) ((unsigned)(((v) >> 52) & 0xFFF))
#define OCXLFS_CCAP1_MAX_DUMP_SIZE(v) ((uint32_t)((v) & 0xFFFFFFFF))

#endif /* OCXLFS_PASSTHRU_H */

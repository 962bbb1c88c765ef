/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The v4 character-device transport: /dev/ocxlpmemN of the posted (never
 * merged) ocxlpmem driver, "[PATCH v4 00/25] Add support for OpenCAPI
 * Persistent Memory devices", 27 Mar 2020, include/uapi/nvdimm/ocxlpmem.h
 * (docs/protocol.md, section 9).  The ABI is restated here, its layout
 * pinned with _Static_assert to the posted header's offsets, because no
 * installed header carries it.
 */
#ifndef OCXLFS_TRANSPORT_IOCTL_V4_H
#define OCXLFS_TRANSPORT_IOCTL_V4_H

#include <stddef.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#include "transport/ioctl_fn.h"
#include "transport/transport.h"

/* ---- v4 UAPI (natural alignment, identical on ppc64 and x86-64) ---- */

struct ioctl_ocxlpmem_error_log {
	__u32 log_identifier;		/* out */
	__u32 program_reference_code;	/* out */
	__u32 action_flags;		/* out, 24 bits, 0 unless type is general */
	__u32 power_on_seconds;		/* out */
	__u64 timestamp;		/* out, relative to the current IPL */
	__u64 wwid[2];			/* out */
	char fw_revision[8 + 1];	/* out, NUL-terminated */
	__u8 reserved0[7];
	__u16 buf_size;			/* in: room at buf_ptr (multiple of 8); out: the
					 * entry's length field (additional data) */
	__u8 error_log_type;		/* out */
	__u8 reserved1[5];
	__u64 buf_ptr;			/* in: user buffer */
	__u64 reserved2[2];
};

struct ioctl_ocxlpmem_controller_dump_data {
	__u64 buf_ptr;	/* in: user buffer */
	__u16 buf_size;	/* in: room (multiple of 8, <= admin data size); out: bytes copied */
	__u16 reserved0;
	__u32 offset;	/* in: offset within the dump */
	__u64 reserved[8];
};

struct ioctl_ocxlpmem_controller_stats {
	__u32 reset_count;
	__u32 reset_uptime;		/* s */
	__u32 power_on_uptime;		/* s */
	__u8 life_remaining;		/* % */
	__u8 critical_resource_utilization; /* % */
	__u8 reserved[2];
	__u64 host_load_count;
	__u64 host_store_count;
	__u64 host_load_duration;	/* ns, total */
	__u64 host_store_duration;	/* ns, total */
	__u64 media_read_count;
	__u64 media_write_count;
	__u64 media_read_duration;	/* ns, total */
	__u64 media_write_duration;	/* ns, total */
	__u64 cache_read_hit_count;
	__u64 cache_write_hit_count;
	__u64 fast_write_count;
};

struct ioctl_ocxlpmem_eventfd {
	__s32 eventfd;
	__u32 reserved;
};

/* EVENT_CHECK mask: the bits <ocxlfs/passthru.h> OCXL_EVENT_* reuse. */
#define IOCTL_OCXLPMEM_EVENT_CONTROLLER_DUMP_AVAILABLE (1ULL << 0)
#define IOCTL_OCXLPMEM_EVENT_ERROR_LOG_AVAILABLE (1ULL << 1)
#define IOCTL_OCXLPMEM_EVENT_HARDWARE_FATAL (1ULL << 2)
#define IOCTL_OCXLPMEM_EVENT_FIRMWARE_FATAL (1ULL << 3)

/*
 * The one ND_CMD_CALL function (family 6) the v4 driver offers on its DIMM,
 * its ND_CMD_OCXL_SMART, with the driver's own payload { u8 count; u8
 * reserved[7]; u64 records[] } rather than the contract's.
 */
#define OCXLPMEM_ND_CMD_SMART 1

#define OCXLPMEM_MAGIC 0xCA
#define IOCTL_OCXLPMEM_ERROR_LOG _IOWR(OCXLPMEM_MAGIC, 0x30, struct ioctl_ocxlpmem_error_log)
#define IOCTL_OCXLPMEM_CONTROLLER_DUMP _IO(OCXLPMEM_MAGIC, 0x31)
#define IOCTL_OCXLPMEM_CONTROLLER_DUMP_DATA \
	_IOWR(OCXLPMEM_MAGIC, 0x32, struct ioctl_ocxlpmem_controller_dump_data)
#define IOCTL_OCXLPMEM_CONTROLLER_DUMP_COMPLETE _IO(OCXLPMEM_MAGIC, 0x33)
/*
 * Quirk of the v4 header, kept bit-exact because the driver's switch
 * compares whole numbers: STATS is declared _IO (no direction, size 0) yet
 * the driver copy_to_user()s a struct ioctl_ocxlpmem_controller_stats to
 * the argument.  Pass a pointer to one, as if it were _IOR.
 */
#define IOCTL_OCXLPMEM_CONTROLLER_STATS _IO(OCXLPMEM_MAGIC, 0x34)
#define IOCTL_OCXLPMEM_EVENTFD _IOW(OCXLPMEM_MAGIC, 0x35, struct ioctl_ocxlpmem_eventfd)
#define IOCTL_OCXLPMEM_EVENT_CHECK _IOR(OCXLPMEM_MAGIC, 0x36, __u64)
#define IOCTL_OCXLPMEM_REQUEST_HEALTH _IO(OCXLPMEM_MAGIC, 0x37)

/* The posted header's offsets (natural alignment: the same on ppc64 and x86-64). */
_Static_assert(sizeof(struct ioctl_ocxlpmem_error_log) == 88, "v4 error log size");
_Static_assert(offsetof(struct ioctl_ocxlpmem_error_log, timestamp) == 16, "el timestamp");
_Static_assert(offsetof(struct ioctl_ocxlpmem_error_log, wwid) == 24, "el wwid");
_Static_assert(offsetof(struct ioctl_ocxlpmem_error_log, fw_revision) == 40, "el fw_revision");
_Static_assert(offsetof(struct ioctl_ocxlpmem_error_log, reserved0) == 49, "el reserved0");
_Static_assert(offsetof(struct ioctl_ocxlpmem_error_log, buf_size) == 56, "el buf_size");
_Static_assert(offsetof(struct ioctl_ocxlpmem_error_log, error_log_type) == 58, "el type");
_Static_assert(offsetof(struct ioctl_ocxlpmem_error_log, reserved1) == 59, "el reserved1");
_Static_assert(offsetof(struct ioctl_ocxlpmem_error_log, buf_ptr) == 64, "el buf_ptr");
_Static_assert(offsetof(struct ioctl_ocxlpmem_error_log, reserved2) == 72, "el reserved2");
_Static_assert(sizeof(struct ioctl_ocxlpmem_controller_dump_data) == 80, "v4 dump data size");
_Static_assert(offsetof(struct ioctl_ocxlpmem_controller_dump_data, buf_size) == 8, "dd buf_size");
_Static_assert(offsetof(struct ioctl_ocxlpmem_controller_dump_data, reserved0) == 10, "dd res0");
_Static_assert(offsetof(struct ioctl_ocxlpmem_controller_dump_data, offset) == 12, "dd offset");
_Static_assert(offsetof(struct ioctl_ocxlpmem_controller_dump_data, reserved) == 16, "dd res");
_Static_assert(sizeof(struct ioctl_ocxlpmem_controller_stats) == 104, "v4 stats size");
_Static_assert(offsetof(struct ioctl_ocxlpmem_controller_stats, life_remaining) == 12, "cs life");
_Static_assert(offsetof(struct ioctl_ocxlpmem_controller_stats, critical_resource_utilization) == 13,
	       "cs cru");
_Static_assert(offsetof(struct ioctl_ocxlpmem_controller_stats, host_load_count) == 16, "cs hlc");
_Static_assert(offsetof(struct ioctl_ocxlpmem_controller_stats, fast_write_count) == 96, "cs fwc");
_Static_assert(sizeof(struct ioctl_ocxlpmem_eventfd) == 8, "v4 eventfd size");

/* ---- the transport ---- */

/*
 * Opens DEVPATH ("/dev/ocxlpmemN") now: -ENOENT if missing, other open()
 * errnos as they come, -ENOTTY if it is no character device.  kind
 * "ioctl-v4", device DEVPATH; the ioctls go to ioctl(2) on it.
 */
int ocxlfs_transport_ioctl_v4_new(const char *devpath, struct ocxlfs_transport **out);

/*
 * The same transport with its ioctls sent to IOCTL_FN(DEV, ...) instead, a
 * stand-in for the driver (tests/unit/check_transport.c); DEVICE names it
 * (and is where IDENTIFY looks in sysfs).  -ENOMEM or 0.
 */
int ocxlfs_transport_ioctl_v4_new_ioctl(const char *device, ocxlfs_ioctl_fn *ioctl_fn, void *dev,
					struct ocxlfs_transport **out);

/*
 * Gives T (an "ioctl-v4" transport) the card's libnvdimm DIMM transport
 * LABELS, which the v4 driver registers too: label ops and SMART (the v4
 * driver's own ND_CMD_CALL, family 6 command 1) then go through it instead
 * of failing.  T owns LABELS from here on.  -EINVAL if T is not ioctl-v4.
 */
int ocxlfs_transport_ioctl_v4_set_nd(struct ocxlfs_transport *t, struct ocxlfs_transport *labels);

#endif /* OCXLFS_TRANSPORT_IOCTL_V4_H */

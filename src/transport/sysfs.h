/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the kernel transports read from sysfs: one-line attributes, the
 * card's serial (and firmware version) from an "ocxlpmem" attribute group,
 * and the DIMM the v4 driver registers below its character device.
 */
#ifndef OCXLFS_TRANSPORT_SYSFS_H
#define OCXLFS_TRANSPORT_SYSFS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Reads DIR/ATTR into BUF (CAP bytes, CAP > 0), up to its first newline,
 * NUL-terminated; BUF is "" on failure.  0, -ENAMETOOLONG, or the errno of
 * open(2)/read(2).
 */
int ocxlfs_sysfs_read_attr(const char *dir, const char *attr, char *buf, size_t cap);

/*
 * A serial number as the kernel prints it: decimal digits (leading zeros
 * are decimal) or 0x and hex digits, nothing else, within 64 bits.
 * 0, or -EINVAL (empty, a sign, a space, a stray character, overflow).
 */
int ocxlfs_parse_serial(const char *text, uint64_t *serial);

/*
 * Reads DIR/serial (ocxlfs_parse_serial) and DIR/fw_version (up to 8
 * characters) of an ocxlpmem attribute group.  0, or -ENOENT when there is
 * no usable serial (*serial is then 0 and FW "").  FW must hold 9 bytes.
 */
int ocxlfs_sysfs_identity(const char *dir, uint64_t *serial, char *fw);

/*
 * The sysfs directory of the DIMM the v4 driver registered for DEVPATH's
 * card ("<...>/ndbusX/nmemY"), for identity attributes and for matching a
 * libnvdimm bus to its character device.  0 or -ENOENT.
 */
int ocxlfs_sysfs_v4_nmem_dir(const char *devpath, char *dir, size_t cap);

#endif /* OCXLFS_TRANSPORT_SYSFS_H */

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An order ThreadSanitizer cannot see because the kernel makes it: the
 * kernel sends a file's RELEASE only once every request on that file was
 * answered (the request holds a reference to the open file, and RELEASE
 * goes out when the last one is dropped).  So a thread done with an open
 * handle says so, and the thread that frees it claims that order, before
 * the slot is reused.  Nothing in a build without -fsanitize=thread.
 */
#ifndef OCXLFS_UTIL_TSAN_H
#define OCXLFS_UTIL_TSAN_H

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
/* This thread's use of ADDR happens before a later ocxlfs_tsan_after(ADDR). */
#define ocxlfs_tsan_before(addr) __tsan_release((void *)(addr))
#define ocxlfs_tsan_after(addr)	 __tsan_acquire((void *)(addr))
#else
#define ocxlfs_tsan_before(addr) ((void)(addr))
#define ocxlfs_tsan_after(addr)	 ((void)(addr))
#endif

#endif /* OCXLFS_UTIL_TSAN_H */

# Build and test rules for tests/harness/, included from the top Makefile.am.

# The harness: simulated cards behind an emulated sysfs, their ioctls
# answered through seccomp user notification (docs/testing.md).
check_PROGRAMS += tests/harness/ocxl-harness
tests_harness_ocxl_harness_SOURCES = \
	tests/harness/harness.h \
	tests/harness/main.c \
	tests/harness/sysfs.c \
	tests/harness/cards.c \
	tests/harness/supervisor.c \
	tests/harness/target.c \
	tests/harness/ndcore.c \
	tests/harness/v4dev.c \
	tests/harness/control.c \
	tests/harness/client.c
tests_harness_ocxl_harness_LDADD = libocxlcore.la
EXTRA_DIST += docs/testing.md

# The kernel transports against the harness (re-executes itself inside it).
check_PROGRAMS += tests/harness/check_kernel
TESTS += tests/harness/check_kernel
tests_harness_check_kernel_SOURCES = tests/harness/check_kernel.c tests/harness/client.c \
	tests/harness/harness.h
tests_harness_check_kernel_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_harness_check_kernel_LDADD = libocxlcore.la $(CHECK_LIBS)

# Tests that only make sense through the kernel transport.
HARNESS_TESTS = tests/harness/t_ndctl.sh tests/harness/t_kernel.sh tests/harness/t_labels.sh
EXTRA_DIST += tests/harness/label_area.py
TESTS += $(HARNESS_TESTS)
EXTRA_DIST += $(HARNESS_TESTS)

# Every mount test runs twice: as written (ocxlfs --simulate), and as
# tests/mount/t_X.sh.kernel, which runs the same script with
# OCXLFS_BACKEND=kernel: ocxlfs then finds the same simulated cards with
# libndctl and reaches them through ND_IOCTL_CALL on /dev/nmemN, inside the
# harness (tests/mount/lib.sh).  Tests added to MOUNT_TESTS get theirs.
KERNEL_MOUNT_TESTS = $(MOUNT_TESTS:.sh=.sh.kernel)
TESTS += $(KERNEL_MOUNT_TESTS)
TEST_EXTENSIONS += .kernel
KERNEL_LOG_COMPILER = $(SHELL)
# t_valgrind's kernel variant is listed with VALGRIND_TESTS (Makefile.am).
VALGRIND_KERNEL_TEST = tests/mount/t_valgrind.sh.kernel
$(KERNEL_MOUNT_TESTS) $(VALGRIND_KERNEL_TEST): $(top_srcdir)/tests/harness/local.mk
	$(AM_V_GEN)$(MKDIR_P) $(@D) && t=$@ && { \
	  echo '#!/bin/sh'; \
	  echo "# Generated (tests/harness/local.mk): $${t%.kernel} through the kernel transport."; \
	  echo 'OCXLFS_BACKEND=kernel; export OCXLFS_BACKEND'; \
	  echo "exec \"\$${BASH:-bash}\" \"\$$top_srcdir/$${t%.kernel}\" \"\$$@\""; \
	} >$@-t && mv $@-t $@
CLEANFILES += $(KERNEL_MOUNT_TESTS) $(VALGRIND_KERNEL_TEST)
AM_TESTS_ENVIRONMENT += OCXL_HARNESS_BIN=$(abs_top_builddir)/tests/harness/ocxl-harness; \
	export OCXL_HARNESS_BIN;

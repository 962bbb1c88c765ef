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
	tests/harness/control.c
tests_harness_ocxl_harness_LDADD = libocxlcore.la
EXTRA_DIST += docs/testing.md

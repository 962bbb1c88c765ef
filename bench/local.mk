# Build and test rules for bench/, included from the top Makefile.am.
#
# `make bench` measures the daemon built here against baselines measured in
# the same run (docs/performance.md).  It needs only the daemon: bench/run
# compiles its helpers (benchio, floorfs, and journalbench from
# src/store/) itself, into a temporary directory.  BENCH_FLAGS passes options, e.g. `make bench BENCH_FLAGS=--knobs`.
# Not part of `make check`: it takes minutes, needs root, and asserts nothing.

BENCH_FLAGS =

bench: ocxlfs$(EXEEXT)
	OCXLFS=$(abs_top_builddir)/ocxlfs$(EXEEXT) CC="$(CC)" FUSERMOUNT="$(FUSERMOUNT)" \
		bash $(abs_top_srcdir)/bench/run $(BENCH_FLAGS)

.PHONY: bench

EXTRA_DIST += bench/run bench/benchio.c bench/floorfs.c bench/journalbench.c docs/performance.md

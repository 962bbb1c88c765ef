# Build and test rules for tests/fuzz/, included from the top Makefile.am.
#
# libFuzzer targets (tests/fuzz/README), one per decoder of
# src/codec/codec.h plus the card operations, the sim/ control keywords and
# journal recovery.  They are built with clang straight from these rules,
# whatever compiler configure chose, with ASan and UBSan; their seed corpus
# comes from the simulator (gen_corpus) at build time.
#
#   make check   each target fuzzes for FUZZ_CHECK_SECONDS as a TESTS entry;
#                in the sanitizer tree they only replay their corpus
#   make fuzz    each target fuzzes for FUZZ_SECONDS (a campaign)

FUZZ_CLANG = clang
FUZZ_SECONDS = 600
FUZZ_CHECK_SECONDS = 10
FUZZ_TARGETS = identity errlog smart stats dump_chunk erase_status ops sim_control journal \
	labels

FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -std=gnu11 -Wall -Wextra -Wshadow -Wformat=2 \
	-Wno-unused-parameter -Wstrict-prototypes -Wmissing-prototypes -Werror \
	-I$(top_srcdir)/include -I$(top_srcdir)/src -D_GNU_SOURCE $(PMEM2_CFLAGS) $(JSONC_CFLAGS)
FUZZ_BUILD = FUZZ_CLANG="$(FUZZ_CLANG)" FUZZ_FLAGS="$(FUZZ_FLAGS)" \
	$(SHELL) $(srcdir)/tests/fuzz/build.sh

FUZZ_SRC = $(srcdir)/tests/fuzz/
FUZZ_COMMON_C = $(FUZZ_SRC)fuzz.c
FUZZ_COMMON_H = $(FUZZ_SRC)fuzz.h $(srcdir)/include/ocxlfs/passthru.h $(FUZZ_SRC)build.sh $(FUZZ_SRC)toolchain.sh
FUZZ_CODEC_C = $(FUZZ_COMMON_C) $(FUZZ_SRC)codec_harness.c $(FUZZ_SRC)render_check.c \
	$(srcdir)/src/codec/codec.c $(srcdir)/src/proto/render.c \
	$(srcdir)/src/proto/render_json.c $(srcdir)/src/proto/render_prom.c \
	$(srcdir)/src/proto/verdict.c $(srcdir)/src/proto/json_put.c
FUZZ_CODEC_H = $(FUZZ_COMMON_H) $(FUZZ_SRC)codec_harness.h $(FUZZ_SRC)render_check.h \
	$(srcdir)/src/codec/codec.h $(srcdir)/src/proto/render.h \
	$(srcdir)/src/proto/render_json.h $(srcdir)/src/proto/render_prom.h \
	$(srcdir)/src/proto/verdict.h $(srcdir)/src/proto/json_put.h
FUZZ_OPS_C = $(FUZZ_COMMON_C) $(srcdir)/src/codec/codec.c $(srcdir)/src/proto/ops.c \
	$(srcdir)/src/util/trace.c
FUZZ_OPS_H = $(FUZZ_COMMON_H) $(srcdir)/src/codec/codec.h $(srcdir)/src/proto/ops.h \
	$(srcdir)/src/transport/transport.h
FUZZ_SIM_CONTROL_C = $(FUZZ_COMMON_C) $(srcdir)/src/sim/sim_control.c
FUZZ_SIM_CONTROL_H = $(FUZZ_COMMON_H) $(srcdir)/src/sim/sim_control.h $(srcdir)/src/sim/sim.h \
	$(srcdir)/src/sim/sim_limits.h
FUZZ_JOURNAL_C = $(FUZZ_COMMON_C) $(srcdir)/src/store/journal.c \
	$(srcdir)/src/store/journal_format.c $(srcdir)/src/store/journal_index.c \
	$(srcdir)/src/util/log.c $(srcdir)/src/util/pmem.c $(srcdir)/src/util/trace.c \
	$(srcdir)/src/util/durable.c
FUZZ_JOURNAL_H = $(FUZZ_COMMON_H) $(srcdir)/src/store/journal.h \
	$(srcdir)/src/store/journal_record.h \
	$(srcdir)/src/store/journal_format.h $(srcdir)/src/store/journal_index.h \
	$(srcdir)/src/util/log.h $(srcdir)/src/util/pmem.h
FUZZ_LABELS_C = $(FUZZ_COMMON_C) $(FUZZ_SRC)render_check.c $(srcdir)/src/codec/labels.c \
	$(srcdir)/src/proto/render_labels.c $(srcdir)/src/proto/json_put.c
FUZZ_LABELS_H = $(FUZZ_COMMON_H) $(FUZZ_SRC)render_check.h $(srcdir)/src/codec/labels.h \
	$(srcdir)/src/proto/render_labels.h $(srcdir)/src/proto/json_put.h

FUZZ_BIN = tests/fuzz/bin/fuzz_
FUZZ_BINS = $(FUZZ_BIN)identity $(FUZZ_BIN)errlog $(FUZZ_BIN)smart $(FUZZ_BIN)stats \
	$(FUZZ_BIN)dump_chunk $(FUZZ_BIN)erase_status $(FUZZ_BIN)ops \
	$(FUZZ_BIN)sim_control $(FUZZ_BIN)journal $(FUZZ_BIN)labels

$(FUZZ_BIN)identity: $(FUZZ_SRC)fuzz_identity.c $(FUZZ_CODEC_C) $(FUZZ_CODEC_H)
	$(AM_V_GEN)$(FUZZ_BUILD) $@ $(FUZZ_SRC)fuzz_identity.c $(FUZZ_CODEC_C) $(JSONC_LIBS)
$(FUZZ_BIN)errlog: $(FUZZ_SRC)fuzz_errlog.c $(FUZZ_CODEC_C) $(FUZZ_CODEC_H)
	$(AM_V_GEN)$(FUZZ_BUILD) $@ $(FUZZ_SRC)fuzz_errlog.c $(FUZZ_CODEC_C) $(JSONC_LIBS)
$(FUZZ_BIN)smart: $(FUZZ_SRC)fuzz_smart.c $(FUZZ_CODEC_C) $(FUZZ_CODEC_H)
	$(AM_V_GEN)$(FUZZ_BUILD) $@ $(FUZZ_SRC)fuzz_smart.c $(FUZZ_CODEC_C) $(JSONC_LIBS)
$(FUZZ_BIN)stats: $(FUZZ_SRC)fuzz_stats.c $(FUZZ_CODEC_C) $(FUZZ_CODEC_H)
	$(AM_V_GEN)$(FUZZ_BUILD) $@ $(FUZZ_SRC)fuzz_stats.c $(FUZZ_CODEC_C) $(JSONC_LIBS)
$(FUZZ_BIN)dump_chunk: $(FUZZ_SRC)fuzz_dump_chunk.c $(FUZZ_CODEC_C) $(FUZZ_CODEC_H)
	$(AM_V_GEN)$(FUZZ_BUILD) $@ $(FUZZ_SRC)fuzz_dump_chunk.c $(FUZZ_CODEC_C) $(JSONC_LIBS)
$(FUZZ_BIN)erase_status: $(FUZZ_SRC)fuzz_erase_status.c $(FUZZ_CODEC_C) $(FUZZ_CODEC_H)
	$(AM_V_GEN)$(FUZZ_BUILD) $@ $(FUZZ_SRC)fuzz_erase_status.c $(FUZZ_CODEC_C) $(JSONC_LIBS)
$(FUZZ_BIN)ops: $(FUZZ_SRC)fuzz_ops.c $(FUZZ_OPS_C) $(FUZZ_OPS_H)
	$(AM_V_GEN)$(FUZZ_BUILD) $@ $(FUZZ_SRC)fuzz_ops.c $(FUZZ_OPS_C)
$(FUZZ_BIN)sim_control: $(FUZZ_SRC)fuzz_sim_control.c $(FUZZ_SIM_CONTROL_C) $(FUZZ_SIM_CONTROL_H)
	$(AM_V_GEN)$(FUZZ_BUILD) $@ $(FUZZ_SRC)fuzz_sim_control.c $(FUZZ_SIM_CONTROL_C)
$(FUZZ_BIN)journal: $(FUZZ_SRC)fuzz_journal.c $(FUZZ_JOURNAL_C) $(FUZZ_JOURNAL_H)
	$(AM_V_GEN)$(FUZZ_BUILD) $@ $(FUZZ_SRC)fuzz_journal.c $(FUZZ_JOURNAL_C) $(PMEM2_LIBS) $(ZLIB_LIBS)

$(FUZZ_BIN)labels: $(FUZZ_SRC)fuzz_labels.c $(FUZZ_LABELS_C) $(FUZZ_LABELS_H)
	$(AM_V_GEN)$(FUZZ_BUILD) $@ $(FUZZ_SRC)fuzz_labels.c $(FUZZ_LABELS_C) $(JSONC_LIBS) $(UUID_LIBS)

# Seeds: every answer of the simulator, regenerated when the simulator changes.
check_PROGRAMS += tests/fuzz/gen_corpus
tests_fuzz_gen_corpus_SOURCES = tests/fuzz/gen_corpus.c
tests_fuzz_gen_corpus_LDADD = libocxlcore.la
tests/fuzz/seeds.stamp: tests/fuzz/gen_corpus$(EXEEXT)
	$(AM_V_GEN)rm -rf tests/fuzz/seeds && tests/fuzz/gen_corpus$(EXEEXT) tests/fuzz/seeds && \
	touch $@

# One TESTS entry per target; NAME.fuzz holds its libFuzzer options.
FUZZ_TESTS = tests/fuzz/identity.fuzz tests/fuzz/errlog.fuzz tests/fuzz/smart.fuzz \
	tests/fuzz/stats.fuzz tests/fuzz/dump_chunk.fuzz tests/fuzz/erase_status.fuzz \
	tests/fuzz/ops.fuzz tests/fuzz/sim_control.fuzz tests/fuzz/journal.fuzz \
	tests/fuzz/labels.fuzz
TESTS += $(FUZZ_TESTS)
TEST_EXTENSIONS += .fuzz
if SANITIZERS
FUZZ_CHECK_MODE = replay
else
FUZZ_CHECK_MODE = fuzz
endif
# env, not a bare assignment: the test driver runs the log compiler as argv.
FUZZ_RUN = env FUZZ_CLANG="$(FUZZ_CLANG)" $(BASH) $(srcdir)/tests/fuzz/run.sh \
	--builddir $(abs_top_builddir) --srcdir $(abs_top_srcdir)
FUZZ_LOG_COMPILER = $(FUZZ_RUN)
AM_FUZZ_LOG_FLAGS = --mode $(FUZZ_CHECK_MODE) --seconds $(FUZZ_CHECK_SECONDS)
# Each test needs its target and the seeds (the suffix rule supplies the recipe).
tests/fuzz/identity.log: $(FUZZ_BIN)identity tests/fuzz/seeds.stamp
tests/fuzz/errlog.log: $(FUZZ_BIN)errlog tests/fuzz/seeds.stamp
tests/fuzz/smart.log: $(FUZZ_BIN)smart tests/fuzz/seeds.stamp
tests/fuzz/stats.log: $(FUZZ_BIN)stats tests/fuzz/seeds.stamp
tests/fuzz/dump_chunk.log: $(FUZZ_BIN)dump_chunk tests/fuzz/seeds.stamp
tests/fuzz/erase_status.log: $(FUZZ_BIN)erase_status tests/fuzz/seeds.stamp
tests/fuzz/ops.log: $(FUZZ_BIN)ops tests/fuzz/seeds.stamp
tests/fuzz/sim_control.log: $(FUZZ_BIN)sim_control tests/fuzz/seeds.stamp
tests/fuzz/journal.log: $(FUZZ_BIN)journal tests/fuzz/seeds.stamp
tests/fuzz/labels.log: $(FUZZ_BIN)labels tests/fuzz/labels-seeds.stamp

# The label target's seeds are small areas in both formats, with and
# without namespaces, written by the harness's builder from the format;
# a first byte of 0 leaves their checksums as written.
LABEL_SEED_SPECS = \
	'{"size":1024,"version":"1.1","index":[{"seq":3,"used":[]},{"seq":2,"used":[]}]}' \
	'{"size":2048,"version":"1.1","index":[{"seq":1,"used":[0]},{"seq":2,"used":[0,3]}],"labels":[{"slot":0,"uuid":"8a5b3c2e-1f40-4d6e-9a7b-0c1d2e3f4a5b","name":"a","nlabel":1,"dpa":4096,"rawsize":8192},{"slot":3,"uuid":"0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9","name":"b","flags":2}]}' \
	'{"size":2048,"version":"1.2","index":[{"seq":3,"used":[1]},{"seq":2,"used":[]}],"labels":[{"slot":1,"uuid":"c0ffee00-1234-4abc-8def-00112233aabb","name":"c","type_guid":"66f0d379-b4f3-4074-ac43-0d3318b78cdb"}]}' \
	'{"size":4096,"version":"1.2","index":[{"seq":1,"used":[0,2,5]},{"seq":3,"used":[0]}],"labels":[{"slot":0,"uuid":"deadbeef-0000-4000-8000-feedfacecafe","name":"d"},{"slot":2,"uuid":"deadbeef-0000-4000-8000-feedfacecafe","position":1,"nlabel":2},{"slot":5,"uuid":"11111111-2222-4333-8444-555555555555","slot_field":4}]}' \
	'{"size":768,"version":"1.1","index":[]}'
tests/fuzz/labels-seeds.stamp: tests/fuzz/seeds.stamp $(srcdir)/tests/harness/label_area.py
	$(AM_V_GEN)d=tests/fuzz/seeds/labels && rm -rf $$d && $(MKDIR_P) $$d && n=0 && \
	for spec in $(LABEL_SEED_SPECS); do \
	  n=$$((n + 1)) && printf '%s' "$$spec" >$$d/spec.json && \
	  python3 $(srcdir)/tests/harness/label_area.py $$d/spec.json $$d/area && \
	  { printf '\000'; cat $$d/area; } >$$d/area-$$n && rm $$d/area $$d/spec.json || exit 1; \
	done && touch $@

# The campaign: every target (or those named in FUZZ_TARGETS) in turn.
fuzz: $(FUZZ_BINS) tests/fuzz/seeds.stamp
	@rc=0; for t in $(FUZZ_TARGETS); do \
	  $(FUZZ_RUN) --mode campaign --seconds $(FUZZ_SECONDS) $(srcdir)/tests/fuzz/$$t.fuzz \
	    || rc=1; \
	done; exit $$rc
.PHONY: fuzz

EXTRA_DIST += $(FUZZ_TESTS) tests/fuzz/README tests/fuzz/run.sh tests/fuzz/build.sh \
	tests/fuzz/toolchain.sh tests/fuzz/fuzz.c tests/fuzz/fuzz.h \
	tests/fuzz/codec_harness.c tests/fuzz/codec_harness.h tests/fuzz/sim_control.dict \
	tests/fuzz/render_check.c tests/fuzz/render_check.h \
	tests/fuzz/fuzz_identity.c tests/fuzz/fuzz_errlog.c tests/fuzz/fuzz_smart.c \
	tests/fuzz/fuzz_stats.c tests/fuzz/fuzz_dump_chunk.c tests/fuzz/fuzz_erase_status.c \
	tests/fuzz/fuzz_ops.c tests/fuzz/fuzz_sim_control.c tests/fuzz/fuzz_journal.c \
	tests/fuzz/fuzz_labels.c \
	tests/fuzz/regress_stats tests/fuzz/regress_sim_control

# The campaign's corpus (work/) and its logs stay: they are worth keeping.
clean-local: clean-fuzz
clean-fuzz:
	rm -rf tests/fuzz/seeds tests/fuzz/seeds.stamp tests/fuzz/labels-seeds.stamp tests/fuzz/bin tests/fuzz/artifacts
.PHONY: clean-fuzz

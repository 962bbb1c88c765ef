// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * tests/mount/inspect: offline views of a card's journal, a simulated
 * card's state file and a stored dump, for the mount tests, built on the
 * daemon's own code (the journal reader, sim_state, the simulator's dump
 * generator), so that the tests restate no format.  Run while no daemon
 * holds the files.  One answer line per command on standard output:
 *
 *   journal PATH           "<entries> <1 if their ids are 1..entries in order, else 0>"
 *   ids PATH               every entry's id, one per line, oldest first
 *   offsets PATH           each entry's record offset in its file, space-separated
 *   flip PATH K SEED       flips one payload byte of entry K (0-based), at SEED
 *                          modulo its length; prints the byte's file offset
 *   scan PATH              ids of the intact records anywhere in a file (a
 *                          .dropped side file), space-separated
 *   card PATH              "<head> <tail> <dump_seq> <dump_len> <dump_avail>" of
 *                          a simulated card's state file
 *   dump FILE CARD_STATE   "<bytes> <offset of the first byte unlike the card's
 *                          dump, or -1>": FILE against the dump the state
 *                          file describes, byte for byte
 *   stored FILE CARD_STATE "<seq> <length> <bytes> <first unlike byte, or -1>":
 *                          FILE against the dump of the sequence number and
 *                          length its header names (a spliced dump differs)
 *
 * Exits 1 with a message on standard error if a file cannot be read.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec/codec.h"
#include "sim/sim_state.h"
#include "store/journal.h"
#include "util/log.h"

static int fail(const char *what, const char *path, int rc)
{
	fprintf(stderr, "inspect: %s %s: %s\n", what, path, strerror(rc < 0 ? -rc : rc));
	return 1;
}

static int open_journal(const char *path, struct errlog_journal **j)
{
	struct journal_options ro = {.read_only = true};

	return errlog_journal_open_opts(path, &ro, j, NULL);
}

/* journal, ids, offsets */
static int cmd_journal(const char *cmd, const char *path)
{
	struct errlog_journal *j;
	struct journal_entry e;
	uint64_t first, end, n = 0;
	bool in_order = true;
	int rc = open_journal(path, &j);

	if (rc)
		return fail("journal", path, rc);
	errlog_journal_range(j, &first, &end);
	for (uint64_t i = first; i < end; i++) {
		if (errlog_journal_read(j, i, &e, NULL, 0))
			continue;
		n++;
		in_order &= e.log_id == n;
		if (!strcmp(cmd, "ids"))
			printf("%" PRIu32 "\n", e.log_id);
		else if (!strcmp(cmd, "offsets"))
			printf("%s%" PRIu64, n > 1 ? " " : "", e.offset);
	}
	if (!strcmp(cmd, "journal"))
		printf("%" PRIu64 " %d\n", n, in_order);
	else if (!strcmp(cmd, "offsets"))
		printf("\n");
	errlog_journal_close(j);
	return 0;
}

static int cmd_flip(const char *path, uint64_t k, uint64_t seed)
{
	struct errlog_journal *j;
	struct journal_entry e;
	uint64_t first, end;
	uint8_t b;
	off_t at;
	int fd, rc = open_journal(path, &j);

	if (rc)
		return fail("journal", path, rc);
	errlog_journal_range(j, &first, &end);
	rc = errlog_journal_read(j, first + k, &e, NULL, 0);
	errlog_journal_close(j);
	if (rc)
		return fail("entry of", path, rc);
	/* The payload follows the record's 16-byte header (docs/tree.md 5.3). */
	at = (off_t)(e.offset + 16 + seed % e.len);
	fd = open(path, O_RDWR);
	if (fd < 0 || pread(fd, &b, 1, at) != 1)
		return fail("read", path, errno);
	b ^= 0x5a;
	if (pwrite(fd, &b, 1, at) != 1 || close(fd))
		return fail("write", path, errno);
	printf("%lld\n", (long long)at);
	return 0;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		return NULL;
	*len = (size_t)st.st_size;
	buf = malloc(*len + 1);
	if (buf && pread(fd, buf, *len, 0) != (ssize_t)*len) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	return buf;
}

static int cmd_scan(const char *path)
{
	struct journal_record r;
	size_t len, n = 0;
	uint8_t *buf = slurp(path, &len);

	if (!buf)
		return fail("read", path, errno);
	/* Records are 8-byte aligned: try every boundary, skip a record found. */
	for (size_t off = 0; off + 8 <= len;) {
		if (!errlog_journal_record_check(buf + off, len - off, &r)) {
			printf("%s%" PRIu32, n++ ? " " : "", r.log_id);
			off += r.size;
		} else {
			off += 8;
		}
	}
	printf("\n");
	free(buf);
	return 0;
}

static int cmd_card(const char *path)
{
	struct sim_hdr h;
	int rc = sim_state_peek(path, &h);

	if (rc)
		return fail("card state", path, rc);
	printf("%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", h.el_head,
	       h.el_tail, h.dump_seq, h.dump_len, h.dump_avail);
	return 0;
}

static int cmd_dump(const char *path, const char *state)
{
	static uint8_t got[1 << 16], want[1 << 16];
	long long first_bad = -1;
	uint64_t off = 0;
	struct sim_hdr h;
	ssize_t n;
	int fd, rc = sim_state_peek(state, &h);

	if (rc)
		return fail("card state", state, rc);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return fail("open", path, errno);
	while ((n = read(fd, got, sizeof(got))) > 0) {
		sim_state_dump_fill(&h, off, want, (size_t)n);
		for (ssize_t i = 0; i < n && first_bad < 0; i++)
			if (got[i] != want[i])
				first_bad = (long long)(off + (uint64_t)i);
		off += (uint64_t)n;
	}
	if (n < 0)
		return fail("read", path, errno);
	close(fd);
	printf("%" PRIu64 " %lld\n", off, first_bad);
	return 0;
}

/*
 * A stored dump against the dump the card generates for the sequence
 * number and length in its own header (words 1 and 2): a dump spliced from
 * two differs where the second begins.
 */
static int cmd_stored(const char *path, const char *state)
{
	static uint8_t got[1 << 16], want[1 << 16];
	long long first_bad = -1;
	uint8_t head[24];
	uint64_t off = 0;
	struct sim_hdr h;
	ssize_t n;
	int fd, rc = sim_state_peek(state, &h);

	if (rc)
		return fail("card state", state, rc);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return fail("open", path, errno);
	if (pread(fd, head, sizeof(head), 0) != (ssize_t)sizeof(head)) {
		close(fd);
		return fail("header", path, EIO);
	}
	h.dump_seq = ocxlfs_get_le64(head + 8);
	h.dump_len = ocxlfs_get_le64(head + 16);
	while ((n = read(fd, got, sizeof(got))) > 0) {
		sim_state_dump_fill(&h, off, want, (size_t)n);
		for (ssize_t i = 0; i < n && first_bad < 0; i++)
			if (got[i] != want[i])
				first_bad = (long long)(off + (uint64_t)i);
		off += (uint64_t)n;
	}
	close(fd);
	if (n < 0)
		return fail("read", path, errno);
	printf("%" PRIu64 " %" PRIu64 " %" PRIu64 " %lld\n", h.dump_seq, h.dump_len, off,
	       first_bad);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	/* What recovery finds is the tests' business, not the log's. */
	log_init(LOG_TO_STDERR, LOG_CRIT);
	if (argc == 3 &&
	    (!strcmp(cmd, "journal") || !strcmp(cmd, "ids") || !strcmp(cmd, "offsets")))
		return cmd_journal(cmd, argv[2]);
	if (argc == 5 && !strcmp(cmd, "flip"))
		return cmd_flip(argv[2], strtoull(argv[3], NULL, 10), strtoull(argv[4], NULL, 10));
	if (argc == 3 && !strcmp(cmd, "scan"))
		return cmd_scan(argv[2]);
	if (argc == 3 && !strcmp(cmd, "card"))
		return cmd_card(argv[2]);
	if (argc == 4 && !strcmp(cmd, "dump"))
		return cmd_dump(argv[2], argv[3]);
	if (argc == 4 && !strcmp(cmd, "stored"))
		return cmd_stored(argv[2], argv[3]);
	fprintf(stderr, "usage: inspect journal|ids|offsets|scan|card PATH | flip PATH K SEED | "
			"dump|stored FILE CARD_STATE\n");
	return 2;
}

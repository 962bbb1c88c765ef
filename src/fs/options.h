/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The command line, shared by the supervisor (the ocxlfs a user starts)
 * and the workers it runs (the same binary with the hidden --worker=):
 * both parse the same arguments, so a worker sees exactly the options the
 * user gave.
 */
#ifndef OCXLFS_FS_OPTIONS_H
#define OCXLFS_FS_OPTIONS_H

#include <fuse_lowlevel.h>

#define OCXLFS_DEFAULT_STATE_DIR "/var/lib/ocxlfs"
/* Safety net behind udev: how often the cards are looked for again (--rescan-interval). */
#define OCXLFS_RESCAN_INTERVAL_MS 30000u

struct options {
	unsigned simulate;
	char *sim_dir;
	char *state_dir;
	unsigned sim_label_size;
	unsigned sim_dump_size;
	unsigned sim_errlogs;
	unsigned sim_latency_us;
	unsigned sim_erase_ms;
	unsigned max_open;
	unsigned max_open_per_user;
	unsigned open_reserve;
	unsigned long max_snapshot_size;
	unsigned long max_dump_size;
	unsigned rescan_interval_ms;
	int show_help;
	int show_version;
	/* Hidden: how the supervisor starts a worker and itself again (supervisor.c). */
	char *worker;	 /* "FUSE-FD,ARENA-FD,READY-FD" */
	char *supervise; /* "FUSE-FD,ARENA-FD": take over a mount, after an upgrade */
	char *exec_path; /* the binary on disk that workers are started from */
	/* The unit's ExecStop (unit.c). */
	char *unit_stop;
};

/* Parses ARGS (its ocxlfs options removed) into OPT: 0, or -1 for a bad option. */
int options_parse(struct fuse_args *args, struct options *opt);
void options_usage(const char *prog);
void options_free(struct options *opt);

#endif /* OCXLFS_FS_OPTIONS_H */

// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "card/card.h"
#include "fs/options.h"
#include "sim/sim.h"
#include "tree/tree.h"

#define OPT(t, p) { t, offsetof(struct options, p), 1 }
static const struct fuse_opt option_spec[] = {
	OPT("--simulate=%u", simulate),
	OPT("--sim-dir=%s", sim_dir),
	OPT("--state-dir=%s", state_dir),
	OPT("--sim-label-size=%u", sim_label_size),
	OPT("--sim-dump-size=%u", sim_dump_size),
	OPT("--sim-errlogs=%u", sim_errlogs),
	OPT("--sim-latency-us=%u", sim_latency_us),
	OPT("--sim-erase-ms=%u", sim_erase_ms),
	OPT("--max-open=%u", max_open),
	OPT("--max-open-per-user=%u", max_open_per_user),
	OPT("--open-reserve=%u", open_reserve),
	OPT("--max-snapshot-size=%lu", max_snapshot_size),
	OPT("--max-dump-size=%lu", max_dump_size),
	OPT("--rescan-interval=%u", rescan_interval_ms),
	OPT("--worker=%s", worker),
	OPT("--supervise=%s", supervise),
	OPT("--exec-path=%s", exec_path),
	OPT("--unit-stop=%s", unit_stop),
	OPT("-h", show_help),
	OPT("--help", show_help),
	OPT("-V", show_version),
	OPT("--version", show_version),
	FUSE_OPT_END
};

int options_parse(struct fuse_args *args, struct options *opt)
{
	return fuse_opt_parse(args, opt, option_spec, NULL) == -1 ? -1 : 0;
}

void options_usage(const char *prog)
{
	printf("usage: %s [options] MOUNTPOINT\n\n"
	       "Shows OpenCAPI persistent-memory cards (ocxlpmem) as files.\n\n"
	       "ocxlfs options:\n"
	       "    -f                     stay in the foreground, log to stderr\n"
	       "    -d                     debug: foreground, FUSE and ocxlfs debug output\n"
	       "    -o OPT[,OPT...]        FUSE mount options (allow_other, ro, ...)\n"
	       "    --state-dir=DIR        journals and collected dumps (default %s)\n"
	       "    --simulate=N           serve N simulated cards instead of real ones\n"
	       "    --sim-dir=DIR          simulated cards' persistent state (default STATE-DIR/sim)\n"
	       "    --sim-label-size=BYTES label area of a new simulated card (default %u)\n"
	       "    --sim-dump-size=BYTES  controller dump size of simulated cards (default %u)\n"
	       "    --sim-errlogs=N        error-log entries queued on a new simulated card\n"
	       "    --sim-latency-us=US    added to every simulated command\n"
	       "    --sim-erase-ms=MS      duration of a simulated overwrite (default %u)\n"
	       "    --max-open=N           files open at once in the mount (default %u)\n"
	       "    --max-open-per-user=N  ... by one user other than root (default %u)\n"
	       "    --open-reserve=N       ... of --max-open only root may take (default %u)\n"
	       "    --max-snapshot-size=BYTES  rendered snapshots held at once (default %zu)\n"
	       "    --max-dump-size=BYTES  largest controller dump collected (default %zu)\n"
	       "    --rescan-interval=MS   look for new or returned cards this often (default %u)\n"
	       "    -h, --help             this text, then the FUSE options\n"
	       "    -V, --version          version\n\n"
	       "SIGHUP (systemctl reload) restarts the serving worker from the binary on disk\n"
	       "without unmounting.\n"
	       "Environment: OCXLFS_LOG=err|warning|notice|info|debug sets the log level.\n"
	       "See ocxlfs(8) for the tree and its formats.\n\n",
	       prog, OCXLFS_DEFAULT_STATE_DIR, SIM_DEFAULT_LABEL_SIZE, SIM_DEFAULT_DUMP_SIZE,
	       SIM_DEFAULT_ERASE_MS, TREE_MAX_HANDLES, TREE_MAX_HANDLES_PER_USER,
	       TREE_HANDLES_RESERVED, TREE_MAX_SNAPSHOT_BYTES, CARD_MAX_DUMP_BYTES,
	       OCXLFS_RESCAN_INTERVAL_MS);
}

void options_free(struct options *opt)
{
	free(opt->sim_dir);
	free(opt->state_dir);
	free(opt->worker);
	free(opt->supervise);
	free(opt->exec_path);
	free(opt->unit_stop);
}

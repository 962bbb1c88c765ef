// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ocxlfs: OpenCAPI persistent-memory cards as files.
 *
 * Start-up order matters: cards are opened before the mount so the tree is
 * complete when it appears, and threads start only after fuse_daemonize()
 * because fork() keeps only the calling thread.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "card/card.h"
#include "card/monitor.h"
#include "fs/fs.h"
#include "sim/sim.h"
#include "transport/discover.h"
#include "transport/sim.h"
#include "tree/tree.h"
#include "util/log.h"
#include "util/trace.h"

#define DEFAULT_STATE_DIR "/var/lib/ocxlfs"
#define MAX_CARDS 1024

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
	unsigned long max_snapshot_size;
	unsigned long max_dump_size;
	int show_help;
	int show_version;
};

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
	OPT("--max-snapshot-size=%lu", max_snapshot_size),
	OPT("--max-dump-size=%lu", max_dump_size),
	OPT("-h", show_help),
	OPT("--help", show_help),
	OPT("-V", show_version),
	OPT("--version", show_version),
	FUSE_OPT_END
};

static void usage(const char *prog)
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
	       "    --max-snapshot-size=BYTES  rendered snapshots held at once (default %zu)\n"
	       "    --max-dump-size=BYTES  largest controller dump collected (default %zu)\n"
	       "    -h, --help             this text, then the FUSE options\n"
	       "    -V, --version          version\n\n"
	       "Environment: OCXLFS_LOG=err|warning|notice|info|debug sets the log level.\n"
	       "See ocxlfs(8) for the tree and its formats.\n\n",
	       prog, DEFAULT_STATE_DIR, SIM_DEFAULT_LABEL_SIZE, SIM_DEFAULT_DUMP_SIZE,
	       SIM_DEFAULT_ERASE_MS, TREE_MAX_HANDLES, TREE_MAX_SNAPSHOT_BYTES, CARD_MAX_DUMP_BYTES);
}

static unsigned max_threads(unsigned asked, unsigned ncards)
{
	unsigned want = ncards > 250 ? 1010 : 10 + 4 * ncards;

	return asked > want ? asked : want;
}

struct daemon {
	struct options opt;
	unsigned ncards;
	struct card **cards;
	struct card_monitor **monitors;
	struct sim_card **sims;
};

static int open_simulated(struct daemon *d)
{
	char sim_dir[PATH_MAX];
	int rc = 0;

	if (d->opt.sim_dir)
		snprintf(sim_dir, sizeof(sim_dir), "%s", d->opt.sim_dir);
	else
		snprintf(sim_dir, sizeof(sim_dir), "%s/sim", d->opt.state_dir);

	for (unsigned i = 0; i < d->opt.simulate; i++) {
		struct sim_config cfg = {
			.dir = sim_dir,
			.index = i,
			.label_size = d->opt.sim_label_size,
			.dump_size = d->opt.sim_dump_size,
			.latency_us = d->opt.sim_latency_us,
			.initial_errlogs = d->opt.sim_errlogs,
		};
		struct ocxlfs_transport *t;

		sim_config_defaults(&cfg);
		rc = sim_card_open(&cfg, &d->sims[i]);
		if (rc) {
			log_err("simulated card %u in %s: %s", i, sim_dir, strerror(-rc));
			return rc;
		}
		sim_card_set_erase_ms(d->sims[i], d->opt.sim_erase_ms);
		rc = ocxlfs_transport_sim_new(d->sims[i], i, &t);
		if (rc)
			return rc;
		rc = card_open(i, t, d->sims[i], d->opt.state_dir, &d->cards[i]);
		if (rc)
			return rc;
		d->ncards++;
	}
	return 0;
}

static int open_real(struct daemon *d)
{
	struct ocxlfs_discovered *found = NULL;
	unsigned n = 0;
	int rc;

	rc = ocxlfs_discover(&found, &n);
	if (rc) {
		log_err("card discovery: %s", strerror(-rc));
		return rc;
	}
	if (n == 0) {
		log_err("no OpenCAPI persistent-memory card found (no ocxlpmem nvdimm bus, "
			"no /dev/ocxlpmem*); use --simulate=N to serve simulated cards");
		ocxlfs_discover_free(found, 0);
		return -ENODEV;
	}
	if (n > MAX_CARDS)
		n = MAX_CARDS;
	for (unsigned i = 0; i < n; i++) {
		struct ocxlfs_transport *t = found[i].t;

		found[i].t = NULL;
		/* A card that cannot be identified is left out; the others are served. */
		if (card_open(d->ncards, t, NULL, d->opt.state_dir, &d->cards[d->ncards]) == 0)
			d->ncards++;
	}
	ocxlfs_discover_free(found, n);
	return d->ncards ? 0 : -ENODEV;
}

static void daemon_stop_monitors(struct daemon *d)
{
	for (unsigned i = 0; d->monitors && i < d->ncards; i++) {
		card_monitor_stop(d->monitors[i]);
		d->monitors[i] = NULL;
	}
}

static void daemon_close(struct daemon *d)
{
	daemon_stop_monitors(d);
	for (unsigned i = 0; d->cards && i < MAX_CARDS; i++)
		card_close(d->cards[i]);
	for (unsigned i = 0; d->sims && i < d->opt.simulate; i++)
		sim_card_close(d->sims[i]);
	free(d->cards);
	free(d->sims);
	free(d->monitors);
	free(d->opt.sim_dir);
	free(d->opt.state_dir);
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts cmd = { 0 };
	struct fuse_loop_config *loop = NULL;
	struct fuse_session *se = NULL;
	struct daemon d = { 0 };
	struct ocxlfs fs = { 0 };
	const char *env_level = getenv("OCXLFS_LOG");
	int level = LOG_NOTICE, exit_code = 1, rc;

	ocxlfs_trace_init();
	if (fuse_opt_parse(&args, &d.opt, option_spec, NULL) == -1)
		return 1;
	if (d.opt.show_help) {
		usage(argv[0]);
		fuse_cmdline_help();
		fuse_lowlevel_help();
		exit_code = 0;
		goto out_args;
	}
	if (d.opt.show_version) {
		printf("ocxlfs %s\nusing FUSE library %s\n", PACKAGE_VERSION, fuse_pkgversion());
		exit_code = 0;
		goto out_args;
	}
	if (fuse_parse_cmdline(&args, &cmd) != 0)
		goto out_args;
	if (!cmd.mountpoint) {
		fprintf(stderr, "ocxlfs: no mountpoint given (see --help)\n");
		goto out_args;
	}
	if (env_level && log_level_parse(env_level) >= 0)
		level = log_level_parse(env_level);
	if (cmd.debug)
		level = LOG_DEBUG;
	/* What start-up finds (journal damage, say) must reach syslog too. */
	log_init(cmd.foreground ? LOG_TO_STDERR : LOG_TO_BOTH, level);

	if (d.opt.simulate > MAX_CARDS) {
		log_err("--simulate=%u: at most %d cards", d.opt.simulate, MAX_CARDS);
		goto out_args;
	}
	if (!d.opt.state_dir)
		d.opt.state_dir = strdup(DEFAULT_STATE_DIR);
	d.cards = calloc(MAX_CARDS, sizeof(*d.cards));
	d.sims = calloc(d.opt.simulate ? d.opt.simulate : 1, sizeof(*d.sims));
	d.monitors = calloc(MAX_CARDS, sizeof(*d.monitors));
	if (!d.opt.state_dir || !d.cards || !d.sims || !d.monitors)
		goto out;
	rc = d.opt.simulate ? open_simulated(&d) : open_real(&d);
	if (rc)
		goto out;

	rc = tree_new(d.cards, d.ncards,
		      &(struct tree_limits){
			      .max_handles = d.opt.max_open,
			      .max_snapshot_bytes = d.opt.max_snapshot_size,
		      },
		      &fs.tree);
	if (rc)
		goto out;
	for (unsigned i = 0; d.opt.max_dump_size && i < d.ncards; i++)
		card_set_max_dump(d.cards[i], d.opt.max_dump_size);
	/* Permission bits are the access policy (0400 dumps, 0444 health). */
	fuse_opt_add_arg(&args, "-odefault_permissions");
	se = fuse_session_new(&args, &ocxlfs_ops, sizeof(ocxlfs_ops), &fs);
	if (!se)
		goto out;
	fs.se = se;
	if (fuse_set_signal_handlers(se) != 0)
		goto out;
	if (fuse_session_mount(se, cmd.mountpoint) != 0)
		goto out_handlers;
	if (!cmd.foreground)
		log_init(LOG_TO_SYSLOG, level);
	fuse_daemonize(cmd.foreground);

	for (unsigned i = 0; i < d.ncards; i++)
		card_monitor_start(d.cards[i], CARD_MONITOR_INTERVAL_MS, &d.monitors[i]);
	log_notice("serving %u card%s at %s", d.ncards, d.ncards == 1 ? "" : "s",
		   cmd.mountpoint);

	if (cmd.singlethread) {
		rc = fuse_session_loop(se);
	} else {
		loop = fuse_loop_cfg_create();
		fuse_loop_cfg_set_clone_fd(loop, cmd.clone_fd);
		/*
		 * Room for requests parked on sick cards without starving the
		 * healthy ones; libfuse starts threads only when all are busy.
		 */
		fuse_loop_cfg_set_max_threads(loop, max_threads(cmd.max_threads, d.ncards));
		rc = fuse_session_loop_mt(se, loop);
	}
	/* A signal (SIGTERM, SIGINT) ends the loop with its number: a clean stop. */
	exit_code = rc < 0 ? 1 : 0;
	daemon_stop_monitors(&d);
	fuse_session_unmount(se);
out_handlers:
	fuse_remove_signal_handlers(se);
out:
	if (se)
		fuse_session_destroy(se);
	if (loop)
		fuse_loop_cfg_destroy(loop);
	tree_free(fs.tree);
	daemon_close(&d);
out_args:
	free(cmd.mountpoint);
	fuse_opt_free_args(&args);
	return exit_code;
}

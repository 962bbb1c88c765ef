// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ocxlfs: OpenCAPI persistent-memory cards as files.
 *
 * One binary, three roles (docs/architecture.md section 5): the supervisor
 * a user or systemd starts (fs/supervisor.c), which mounts and keeps the
 * connection; the worker it runs, which opens the cards and serves
 * (fs/worker.c); and the unit's ExecStop helper (fs/unit.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fs/options.h"
#include "fs/supervisor.h"
#include "fs/unit.h"
#include "fs/worker.h"
#include "tree/tree.h"
#include "util/log.h"
#include "util/trace.h"

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts cmd = { 0 };
	struct options opt = { 0 };
	const char *env_level = getenv("OCXLFS_LOG");
	int level = LOG_NOTICE, exit_code = 1;

	ocxlfs_trace_init();
	if (options_parse(&args, &opt))
		return 1;
	if (env_level && log_level_parse(env_level) >= 0)
		level = log_level_parse(env_level);
	if (opt.unit_stop) {
		log_init(LOG_TO_STDERR, level);
		exit_code = unit_stop_main(opt.unit_stop);
		goto out_args;
	}
	if (opt.show_help) {
		options_usage(argv[0]);
		fuse_cmdline_help();
		fuse_lowlevel_help();
		exit_code = 0;
		goto out_args;
	}
	if (opt.show_version) {
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
	if (cmd.debug)
		level = LOG_DEBUG;
	/* What start-up finds (journal damage, say) must reach syslog too. */
	log_init(cmd.foreground ? LOG_TO_STDERR : LOG_TO_BOTH, level);
	if (opt.simulate > TREE_MAX_CARDS) {
		log_err("--simulate=%u: at most %u cards", opt.simulate, TREE_MAX_CARDS);
		goto out_args;
	}
	if (!opt.state_dir)
		opt.state_dir = strdup(OCXLFS_DEFAULT_STATE_DIR);
	if (!opt.state_dir)
		goto out_args;
	if (opt.worker)
		exit_code = worker_main(&args, &opt, &cmd);
	else
		exit_code = supervisor_main(&args, &opt, &cmd, argc, argv);
out_args:
	free(cmd.mountpoint);
	fuse_opt_free_args(&args);
	options_free(&opt);
	return exit_code;
}

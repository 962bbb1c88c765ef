// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The client side of the control socket (protocol in control.c), for
 * `ocxl-harness ctl` and for C tests that steer the harness they run in.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"

int harness_sock_path(const char *root, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/control", root) >=
	    (int)sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	return 0;
}

int harness_request(const char *root, int argc, char **argv, char *out, size_t cap)
{
	char msg[HARNESS_MSG_MAX], reply[HARNESS_MSG_MAX + 64], *nl;
	struct sockaddr_un sa;
	size_t len = 0;
	ssize_t n;
	int fd = -1, rc = -EPIPE;

	if (out && cap)
		out[0] = '\0';
	for (int i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]) + 1;

		if (len + l > sizeof(msg)) {
			rc = -E2BIG;
			goto out;
		}
		memcpy(msg + len, argv[i], l);
		len += l;
	}
	if (!root || harness_sock_path(root, &sa))
		goto out;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    send(fd, msg, len, 0) < 0)
		goto out;
	n = recv(fd, reply, sizeof(reply) - 1, 0);
	if (n <= 0)
		goto out;
	reply[n] = '\0';
	rc = (int)strtol(reply, NULL, 10);
	nl = strchr(reply, '\n');
	if (nl && out && cap)
		snprintf(out, cap, "%s", nl + 1);
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

int control_client(const char *root, int argc, char **argv)
{
	char out[HARNESS_MSG_MAX];
	int rc;

	if (!root || !root[0]) {
		fprintf(stderr, "ocxl-harness ctl: not under the harness (%s is unset)\n",
			HARNESS_ENV);
		return 1;
	}
	rc = harness_request(root, argc, argv, out, sizeof(out));
	if (rc == -EPIPE) {
		fprintf(stderr, "ocxl-harness ctl: %s/control: no answer\n", root);
		return 1;
	}
	fputs(out, stdout);
	if (rc) {
		/* The wording a failed write to the sim/ file would print. */
		fprintf(stderr, "%s\n", strerror(-rc));
		return 1;
	}
	return 0;
}

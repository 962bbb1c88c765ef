// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The control socket ROOT/control (SOCK_SEQPACKET): how a test, from inside
 * the harness, sets up, steers and hot-plugs the simulated cards.  One
 * request per connection: the arguments, each NUL-terminated; one answer:
 * "<0 or -errno>\n" followed by any output.  The verbs are listed in
 * usage() of main.c and in docs/testing.md.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"
#include "sim/sim_control.h"
#include "util/log.h"

int control_fd = -1;

int control_listen(struct harness *h)
{
	struct sockaddr_un sa;
	int fd, rc;

	rc = harness_sock_path(h->root, &sa);
	if (rc)
		return rc;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

static int parse_card(struct harness *h, const char *s, struct harness_card **c)
{
	char *end;
	unsigned long id = strtoul(s, &end, 10);

	*c = NULL;
	if (*s < '0' || *s > '9' || *end)
		return -EINVAL;
	*c = cards_get(h, (unsigned)id);
	return *c ? 0 : -ENODEV;
}

static int do_setup(struct harness *h, int argc, char **argv)
{
	struct harness_setup s;
	uint32_t count;
	char *end;
	int rc = 0;

	if (argc < 2)
		return -EINVAL;
	harness_setup_defaults(&s);
	count = (uint32_t)strtoul(argv[1], &end, 10);
	if (*end || argv[1][0] < '0' || argv[1][0] > '9')
		return -EINVAL;
	s.count = count;
	for (int i = 2; !rc && i < argc; i++)
		rc = harness_setup_option(&s, argv[i]);
	if (rc)
		return rc;
	pthread_rwlock_wrlock(&h->lock);
	rc = cards_setup(h, &s);
	pthread_rwlock_unlock(&h->lock);
	return rc;
}

/* inject / fault: the sim/ keywords, applied to the card behind the fake node. */
static int do_steer(struct harness *h, int argc, char **argv, FILE *out)
{
	struct harness_card *c;
	bool inject = !strcmp(argv[0], "inject");
	int rc;

	if (argc < 2 || argc > 3 || (inject && argc != 3))
		return -EINVAL;
	pthread_rwlock_rdlock(&h->lock);
	rc = parse_card(h, argv[1], &c);
	if (!rc && argc == 2)
		rc = sim_control_render_fault(c->sim, out);
	else if (!rc)
		rc = inject ? sim_control_inject(c->sim, argv[2])
			    : sim_control_fault(c->sim, argv[2]);
	/* As the card's interrupt would: tell a v4 eventfd there is news. */
	if (!rc && argc == 3)
		v4dev_kick(c);
	pthread_rwlock_unlock(&h->lock);
	return rc;
}

/* namespace N [enabled|disabled]: the sim/namespace keywords, mirrored into sysfs. */
static int do_namespace(struct harness *h, int argc, char **argv, FILE *out)
{
	struct harness_card *c;
	int rc;

	pthread_rwlock_wrlock(&h->lock);
	rc = argc == 2 || argc == 3 ? parse_card(h, argv[1], &c) : -EINVAL;
	if (rc)
		goto out;
	if (argc == 2) {
		fprintf(out, "%s\n", c->ns_enabled ? "enabled" : "disabled");
		goto out;
	}
	if (strcmp(argv[2], "enabled") && strcmp(argv[2], "disabled")) {
		rc = -EINVAL;
		goto out;
	}
	c->ns_enabled = !strcmp(argv[2], "enabled");
	sim_card_set_namespace_enabled(c->sim, c->ns_enabled);
	if (c->plugged)
		rc = sysfs_sync_namespace(h, c);
out:
	pthread_rwlock_unlock(&h->lock);
	return rc;
}

/* dimm N enabled|disabled: what ndctl enable-dimm / disable-dimm would have done. */
static int do_dimm(struct harness *h, int argc, char **argv)
{
	struct harness_card *c;
	int rc;

	pthread_rwlock_wrlock(&h->lock);
	rc = argc == 3 ? parse_card(h, argv[1], &c) : -EINVAL;
	if (!rc && strcmp(argv[2], "enabled") && strcmp(argv[2], "disabled"))
		rc = -EINVAL;
	if (!rc) {
		c->dimm_disabled = !strcmp(argv[2], "disabled");
		if (c->plugged)
			rc = sysfs_sync_dimm(h, c);
	}
	pthread_rwlock_unlock(&h->lock);
	return rc;
}

/* unplug / plug: card N leaves or comes back, as on a hot-plug event. */
static int do_hotplug(struct harness *h, int argc, char **argv)
{
	struct harness_card *c;
	int rc;

	pthread_rwlock_wrlock(&h->lock);
	rc = argc == 2 ? parse_card(h, argv[1], &c) : -EINVAL;
	if (rc)
		goto out;
	if (!strcmp(argv[0], "unplug") && c->plugged)
		sysfs_unplug(h, c);
	else if (!strcmp(argv[0], "plug") && !c->plugged)
		rc = sysfs_plug(h, c);
out:
	pthread_rwlock_unlock(&h->lock);
	return rc;
}

static int do_list(struct harness *h, FILE *out)
{
	pthread_rwlock_rdlock(&h->lock);
	for (unsigned i = 0; i < h->ncards; i++) {
		struct harness_card *c = &h->cards[i];

		if (!c->sim)
			continue;
		fprintf(out, "%u nmem%u serial=%llu %s %s%s\n", c->id, c->id,
			(unsigned long long)sim_card_serial(c->sim),
			c->flavour == FLAVOUR_V4 ? "v4" : "passthru",
			c->plugged ? "plugged" : "unplugged", c->ns_enabled ? " namespace" : "");
	}
	pthread_rwlock_unlock(&h->lock);
	return 0;
}

/* `calls N`: how many of each v4 ioctl card N's node has received, one per line. */
static int do_calls(struct harness *h, int argc, char **argv, FILE *out)
{
	struct harness_card *c;
	int rc;

	pthread_rwlock_rdlock(&h->lock);
	rc = argc == 2 ? parse_card(h, argv[1], &c) : -EINVAL;
	for (unsigned i = 0; !rc && i < V4DEV_IOCTLS; i++)
		fprintf(out, "%s %lu\n", v4dev_ioctl_names[i],
			__atomic_load_n(&c->v4_calls[i], __ATOMIC_RELAXED));
	pthread_rwlock_unlock(&h->lock);
	return rc;
}

static int dispatch(struct harness *h, int argc, char **argv, FILE *out)
{
	if (argc < 1)
		return -EINVAL;
	if (!strcmp(argv[0], "setup"))
		return do_setup(h, argc, argv);
	if (!strcmp(argv[0], "teardown") && argc == 1) {
		pthread_rwlock_wrlock(&h->lock);
		cards_teardown(h);
		pthread_rwlock_unlock(&h->lock);
		return 0;
	}
	if (!strcmp(argv[0], "inject") || !strcmp(argv[0], "fault"))
		return do_steer(h, argc, argv, out);
	if (!strcmp(argv[0], "unplug") || !strcmp(argv[0], "plug"))
		return do_hotplug(h, argc, argv);
	if (!strcmp(argv[0], "namespace"))
		return do_namespace(h, argc, argv, out);
	if (!strcmp(argv[0], "dimm"))
		return do_dimm(h, argc, argv);
	if (!strcmp(argv[0], "list") && argc == 1)
		return do_list(h, out);
	if (!strcmp(argv[0], "calls"))
		return do_calls(h, argc, argv, out);
	return -EINVAL;
}

struct conn {
	struct harness *h;
	int fd;
};

static void *conn_main(void *arg)
{
	struct conn *cn = arg;
	char msg[HARNESS_MSG_MAX], *argv[32], *text = NULL;
	size_t textlen = 0;
	ssize_t n;
	FILE *out;
	int argc = 0, rc = -EINVAL;

	n = recv(cn->fd, msg, sizeof(msg) - 1, 0);
	out = open_memstream(&text, &textlen);
	if (n > 0 && out) {
		msg[n] = '\0';
		/* Arguments are NUL-terminated; the last one too. */
		for (char *p = msg; p < msg + n && argc < (int)(sizeof(argv) / sizeof(argv[0]));
		     p += strlen(p) + 1)
			argv[argc++] = p;
		rc = dispatch(cn->h, argc, argv, out);
	}
	if (out)
		fclose(out);
	if (rc)
		log_dbg("harness: control %s: %s", argc ? argv[0] : "?", strerror(-rc));
	{
		char *reply = NULL;
		int len = asprintf(&reply, "%d\n%s", rc, text ? text : "");

		if (len > 0 && send(cn->fd, reply, (size_t)len, MSG_NOSIGNAL) < 0)
			log_dbg("harness: control reply: %s", strerror(errno));
		free(reply);
	}
	free(text);
	close(cn->fd);
	free(cn);
	return NULL;
}

void *control_main(void *arg)
{
	struct harness *h = arg;
	pthread_attr_t attr;
	pthread_t th;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (;;) {
		struct conn *cn;
		int fd = accept4(control_fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			break;
		}
		cn = malloc(sizeof(*cn));
		if (!cn) {
			close(fd);
			continue;
		}
		cn->h = h;
		cn->fd = fd;
		if (pthread_create(&th, &attr, conn_main, cn) != 0)
			conn_main(cn);
	}
	pthread_attr_destroy(&attr);
	return NULL;
}

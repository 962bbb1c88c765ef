// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The harness's cards: a simulated card (src/sim) each, plugged into the
 * emulated sysfs.  Callers hold h->lock for writing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "util/log.h"

void harness_setup_defaults(struct harness_setup *s)
{
	memset(s, 0, sizeof(*s));
	s->flavour = FLAVOUR_PASSTHRU;
	s->sysfs_identity = true;
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || v > UINT32_MAX || *s == '-')
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* "event-check,request-health": the v4dev_ioctl_names given, as a mask. */
static int parse_ioctl_names(const char *list, unsigned *mask)
{
	char *copy = strdup(list), *save = NULL, *name;
	unsigned m = 0, i;
	int rc = copy ? 0 : -ENOMEM;

	for (name = copy ? strtok_r(copy, ",", &save) : NULL; name && !rc;
	     name = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < V4DEV_IOCTLS && strcmp(name, v4dev_ioctl_names[i]); i++)
			;
		if (i == V4DEV_IOCTLS)
			rc = -EINVAL;
		else
			m |= 1u << i;
	}
	free(copy);
	if (!rc)
		*mask = m;
	return rc;
}

int harness_setup_option(struct harness_setup *s, const char *kv)
{
	const char *v = strchr(kv, '=');
	size_t klen = v ? (size_t)(v - kv) : strlen(kv);
	uint32_t n = 0;
	int rc = -EINVAL;

	if (!v)
		return -EINVAL;
	v++;
#define KEY(name) (klen == sizeof(name) - 1 && !strncmp(kv, name, klen))
	if (KEY("dir")) {
		if (strlen(v) < sizeof(s->dir) && v[0]) {
			strcpy(s->dir, v);
			rc = 0;
		}
	} else if (KEY("flavour")) {
		rc = 0;
		if (!strcmp(v, "passthru"))
			s->flavour = FLAVOUR_PASSTHRU;
		else if (!strcmp(v, "v4"))
			s->flavour = FLAVOUR_V4;
		else
			rc = -EINVAL;
	} else if (KEY("sysfs-identity")) {
		rc = parse_u32(v, &n);
		s->sysfs_identity = n != 0;
	} else if (KEY("v4-errlog")) {
		rc = 0;
		if (!strcmp(v, "consume"))
			s->v4_keeps_errlog = false;
		else if (!strcmp(v, "keep"))
			s->v4_keeps_errlog = true;
		else
			rc = -EINVAL;
	} else if (KEY("v4-lacks")) {
		rc = parse_ioctl_names(v, &s->v4_lacks);
	} else if ((rc = parse_u32(v, &n)) == 0) {
		if (KEY("label-size"))
			s->label_size = n;
		else if (KEY("dump-size"))
			s->dump_size = n;
		else if (KEY("errlogs"))
			s->errlogs = n;
		else if (KEY("latency-us"))
			s->latency_us = n;
		else if (KEY("erase-ms"))
			s->erase_ms = n;
		else if (KEY("serial-base"))
			s->serial_base = n;
		else if (KEY("admin-buffer"))
			s->admin_buffer = n;
		else
			rc = -EINVAL;
	}
#undef KEY
	return rc;
}

struct harness_card *cards_get(struct harness *h, unsigned id)
{
	return id < h->ncards && h->cards[id].sim ? &h->cards[id] : NULL;
}

static void card_close(struct harness *h, struct harness_card *c)
{
	if (c->plugged)
		sysfs_unplug(h, c);
	if (c->v4_eventfd >= 0)
		close(c->v4_eventfd);
	sim_card_close(c->sim);
	memset(c, 0, sizeof(*c));
	c->v4_eventfd = -1;
}

void cards_teardown(struct harness *h)
{
	for (unsigned i = 0; i < h->ncards; i++)
		card_close(h, &h->cards[i]);
	h->ncards = 0;
}

int cards_setup(struct harness *h, const struct harness_setup *s)
{
	int rc = 0;

	cards_teardown(h);
	if (s->count > HARNESS_MAX_CARDS || (s->count && !s->dir[0])) {
		rc = -EINVAL;
		goto out;
	}
	for (unsigned i = 0; i < s->count; i++) {
		struct harness_card *c = &h->cards[i];
		/* The same configuration ocxlfs --simulate gives card i. */
		struct sim_config cfg = {
		    .dir = s->dir,
		    .index = i,
		    .label_size = s->label_size,
		    .dump_size = s->dump_size,
		    .latency_us = s->latency_us,
		    .initial_errlogs = s->errlogs,
		    .serial = s->serial_base ? s->serial_base + i : 0,
		    .admin_buffer_size = s->admin_buffer,
		};

		memset(c, 0, sizeof(*c));
		c->v4_eventfd = -1;
		c->id = i;
		c->flavour = s->flavour;
		c->sysfs_identity = s->sysfs_identity;
		c->v4_keeps_errlog = s->v4_keeps_errlog;
		c->v4_lacks = s->v4_lacks;
		sim_config_defaults(&cfg);
		rc = sim_card_open(&cfg, &c->sim);
		if (rc) {
			log_err("harness: card %u in %s: %s", i, s->dir, strerror(-rc));
			goto out;
		}
		h->ncards = i + 1;
		sim_card_set_erase_ms(c->sim, s->erase_ms);
		rc = v4dev_probe(c);
		if (rc) {
			log_err("harness: card %u: probe: %s", i, strerror(-rc));
			goto out;
		}
		rc = sysfs_plug(h, c);
		if (rc)
			goto out;
	}
out:
	if (rc)
		cards_teardown(h);
	return rc;
}

// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libudev.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "card/card.h"
#include "card/monitor.h"
#include "card/stream.h"
#include "fs/cards.h"
#include "fs/options.h"
#include "sim/sim.h"
#include "transport/discover.h"
#include "transport/sim.h"
#include "tree/tree.h"
#include "util/arena.h"
#include "util/log.h"
#include "util/path.h"

/*
 * The arena's list of card indexes: an index, once given to a card, is
 * that card's for the life of the mount.  Entries are written whole, then
 * counted (one aligned store): a worker killed in between leaves one the
 * next worker writes again.
 */
struct card_entry {
	uint32_t ordinal; /* 1: the first card with this serial; 2, 3...: duplicates */
	uint32_t sim;	  /* simulated card number + 1; 0: a real card */
	uint64_t serial;
	uint32_t unplugged; /* simulated: sim/unplug took it away */
	char device[64];    /* where it was found */
};

struct card_registry {
	uint32_t count;
	struct card_entry e[TREE_MAX_CARDS];
};

struct served {
	struct card *card;
	struct card_monitor *monitor;
	struct sim_card *sim;
};

struct cards {
	const struct options *opt;
	struct card_registry *reg;
	struct tree *tree;
	struct card_stream *stream; /* the mount's event stream, shared by the cards */
	pthread_mutex_t lock; /* opening a card, the list */
	struct served served[TREE_MAX_CARDS];
	char sim_dir[PATH_MAX];
	bool started;
	/* The card being opened: what the naming hook records. */
	const char *opening_device;
	unsigned opening_sim; /* number + 1, or 0 */

	/* Hot-plug: a thread that waits for udev, a rescan's time, or a wake-up. */
	pthread_t hotplug;
	bool hotplug_started;
	bool stopping;
	int wake[2];	       /* a byte wakes the thread */
	bool added[TREE_MAX_CARDS]; /* the kernel is still to hear of these (under lock) */
	struct udev *udev;
	struct udev_monitor *monitor;
};

uint64_t cards_arena_size(void)
{
	return sizeof(struct card_registry);
}

/* With the lock held: how many cards with SERIAL are served now. */
static unsigned served_with(const struct cards *cs, uint64_t serial)
{
	unsigned n = 0;

	for (unsigned i = 0; i < cs->reg->count && i < TREE_MAX_CARDS; i++)
		if (cs->served[i].card && cs->reg->e[i].serial == serial)
			n++;
	return n;
}

/*
 * card_naming: the card's index from the arena's list (a new one for a
 * serial it does not have), and the name of its state directory and
 * by-serial link: the serial, or SERIAL-K for the K-th card with that
 * serial (docs/tree.md section 1).
 */
static int name_card(void *arg, const char *serial_text, char *buf, size_t cap, unsigned *index)
{
	struct cards *cs = arg;
	struct card_registry *reg = cs->reg;
	uint64_t serial = strtoull(serial_text, NULL, 10);
	unsigned ordinal = served_with(cs, serial) + 1, i;

	for (i = 0; i < reg->count; i++)
		if (reg->e[i].serial == serial && reg->e[i].ordinal == ordinal)
			break;
	if (i == reg->count) {
		if (i == TREE_MAX_CARDS) {
			log_err("card with serial %s: all %u card indexes are taken", serial_text,
				TREE_MAX_CARDS);
			return -E2BIG;
		}
		reg->e[i] = (struct card_entry){ .ordinal = ordinal, .serial = serial,
						 .sim = cs->opening_sim };
		snprintf(reg->e[i].device, sizeof(reg->e[i].device), "%s",
			 cs->opening_device ? cs->opening_device : "");
		__atomic_store_n(&reg->count, i + 1, __ATOMIC_RELEASE);
	}
	*index = i;
	if (ordinal == 1) {
		snprintf(buf, cap, "%s", serial_text);
		return 0;
	}
	snprintf(buf, cap, "%s-%u", serial_text, ordinal);
	log_err("card %u (%s) has serial %s, like a card already served: it is served as card "
		"%u with by-serial/%s and its state in %s/%s", i,
		cs->opening_device ? cs->opening_device : "?", serial_text, i, buf,
		cs->opt->state_dir, buf);
	return 0;
}

/* With the lock held: serves card C (its transport found at DEVICE) at the index it got. */
static int serve(struct cards *cs, struct ocxlfs_transport *t, struct sim_card *sim,
		 unsigned sim_number)
{
	const struct card_naming naming = { name_card, cs };
	struct card *c;
	unsigned index;
	int rc;

	cs->opening_device = t->device;
	cs->opening_sim = sim ? sim_number + 1 : 0;
	rc = card_open_named(cs->reg->count, t, sim, cs->opt->state_dir, &naming, &c);
	cs->opening_device = NULL;
	if (rc)
		return rc;
	index = card_index(c);
	if (cs->opt->max_dump_size)
		card_set_max_dump(c, cs->opt->max_dump_size);
	card_set_stream(c, cs->stream);
	cs->served[index] = (struct served){ .card = c, .sim = sim };
	rc = tree_add_card(cs->tree, index, c);
	if (rc) {
		log_err("card %u: cannot be added to the tree: %s", index, strerror(-rc));
		cs->served[index] = (struct served){ 0 };
		card_close(c);
		return rc;
	}
	if (cs->started) {
		/* Plugged in while mounted: the hot-plug thread tells the kernel. */
		card_monitor_start(c, CARD_MONITOR_INTERVAL_MS, &cs->served[index].monitor);
		cs->added[index] = true;
		card_mark_added(c);
		log_notice("card %u (serial %s) plugged in, at %s", index, card_serial(c),
			   t->device);
	}
	return 0;
}

/* With the lock held: the served simulated card NUMBER's index, or -1. */
static int sim_index(const struct cards *cs, unsigned number)
{
	for (unsigned i = 0; i < cs->reg->count; i++)
		if (cs->reg->e[i].sim == number + 1 && cs->served[i].card)
			return (int)i;
	return -1;
}

static int open_sim(struct cards *cs, unsigned number)
{
	struct sim_config cfg = {
		.dir = cs->sim_dir,
		.index = number,
		.label_size = cs->opt->sim_label_size,
		.dump_size = cs->opt->sim_dump_size,
		.latency_us = cs->opt->sim_latency_us,
		.initial_errlogs = cs->opt->sim_errlogs,
	};
	struct ocxlfs_transport *t;
	struct sim_card *sim;
	int rc;

	sim_config_defaults(&cfg);
	rc = sim_card_open(&cfg, &sim);
	if (rc) {
		log_err("simulated card %u in %s: %s", number, cs->sim_dir, strerror(-rc));
		return rc;
	}
	sim_card_set_erase_ms(sim, cs->opt->sim_erase_ms);
	rc = ocxlfs_transport_sim_new(sim, number, &t);
	if (rc) {
		sim_card_close(sim);
		return rc;
	}
	rc = serve(cs, t, sim, number);
	if (rc)
		sim_card_close(sim);
	return rc;
}

static int open_simulated(struct cards *cs)
{
	int rc;

	if (cs->opt->sim_dir)
		snprintf(cs->sim_dir, sizeof(cs->sim_dir), "%s", cs->opt->sim_dir);
	else
		snprintf(cs->sim_dir, sizeof(cs->sim_dir), "%s/sim", cs->opt->state_dir);
	/* The cards an earlier worker served, at their index, then the ones asked for. */
	for (unsigned i = 0; i < cs->reg->count; i++) {
		const struct card_entry *e = &cs->reg->e[i];

		if (!e->sim || cs->served[i].card)
			continue;
		rc = open_sim(cs, e->sim - 1);
		if (rc)
			return rc;
		if (e->unplugged)
			card_sim_write(cs->served[i].card, CARD_SIM_FAULT, "vanish");
	}
	for (unsigned n = 0; n < cs->opt->simulate; n++) {
		if (sim_index(cs, n) >= 0)
			continue;
		rc = open_sim(cs, n);
		if (rc)
			return rc;
	}
	return 0;
}

static int open_real(struct cards *cs)
{
	struct ocxlfs_discovered *found = NULL;
	unsigned n = 0, served = 0;
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
	for (unsigned i = 0; i < n; i++) {
		struct ocxlfs_transport *t = found[i].t;

		found[i].t = NULL;
		/* A card that cannot be identified is left out; the others are served. */
		if (serve(cs, t, NULL, 0) == 0)
			served++;
	}
	ocxlfs_discover_free(found, n);
	return served ? 0 : -ENODEV;
}

/* ---- hot-plug ---- */

static void kick(struct cards *cs)
{
	if (cs->wake[1] >= 0 && write(cs->wake[1], "", 1) < 0 && errno != EAGAIN)
		log_dbg("hot-plug wake-up: %s", strerror(errno));
}

/*
 * Discovery again, against the cards served: a new card is served at its
 * index (the next free one, or its old one by serial), a card that was gone
 * and is found again, by serial, gets the new transport.  Cards that are
 * gone are not passed as known, so that finding them again reports them.
 */
static void rescan(struct cards *cs)
{
	struct ocxlfs_card_key keys[TREE_MAX_CARDS];
	unsigned n = 0, nadded = 0;
	struct ocxlfs_discovered *added = NULL;
	bool gone[TREE_MAX_CARDS];
	int rc;

	pthread_mutex_lock(&cs->lock);
	for (unsigned i = 0; i < TREE_MAX_CARDS; i++) {
		struct card *c = cs->served[i].card;
		struct ocxlfs_info_extra extra;

		if (!c || card_get_state(c) == CARD_GONE)
			continue;
		card_info_extra(c, &extra);
		snprintf(keys[n].device, sizeof(keys[n].device), "%s", extra.device);
		keys[n++].serial = card_identity(c)->serial;
	}
	pthread_mutex_unlock(&cs->lock);
	rc = ocxlfs_rescan(keys, n, &added, &nadded, gone);
	if (rc) {
		log_warn("rescan for cards: %s", strerror(-rc));
		return;
	}
	pthread_mutex_lock(&cs->lock);
	for (unsigned k = 0; k < nadded; k++) {
		struct ocxlfs_transport *t = added[k].t;
		struct ocxlfs_card_key key;
		bool back = false;

		ocxlfs_discovered_key(&added[k], &key);
		added[k].t = NULL;
		for (unsigned i = 0; i < TREE_MAX_CARDS && key.serial && !back; i++) {
			struct card *c = cs->served[i].card;

			if (c && card_get_state(c) == CARD_GONE && card_identity(c)->serial == key.serial) {
				card_reattach(c, t);
				back = true;
			}
		}
		if (!back && serve(cs, t, NULL, 0))
			log_warn("a card found at %s could not be served", key.device);
	}
	pthread_mutex_unlock(&cs->lock);
	ocxlfs_discover_free(added, nadded);
}

static void tell_kernel(struct cards *cs)
{
	bool todo[TREE_MAX_CARDS];

	pthread_mutex_lock(&cs->lock);
	memcpy(todo, cs->added, sizeof(todo));
	memset(cs->added, 0, sizeof(cs->added));
	pthread_mutex_unlock(&cs->lock);
	for (unsigned i = 0; i < TREE_MAX_CARDS; i++)
		if (todo[i])
			tree_card_added(cs->tree, i);
}

static void open_udev(struct cards *cs)
{
	cs->udev = udev_new();
	if (cs->udev)
		cs->monitor = udev_monitor_new_from_netlink(cs->udev, "udev");
	if (!cs->monitor ||
	    udev_monitor_filter_add_match_subsystem_devtype(cs->monitor, "nd", NULL) < 0 ||
	    udev_monitor_filter_add_match_subsystem_devtype(cs->monitor, "ocxlpmem", NULL) < 0 ||
	    udev_monitor_enable_receiving(cs->monitor) < 0) {
		log_info("no udev events for cards; they are looked for every %u ms",
			 cs->opt->rescan_interval_ms ? cs->opt->rescan_interval_ms
						     : OCXLFS_RESCAN_INTERVAL_MS);
		if (cs->monitor)
			udev_monitor_unref(cs->monitor);
		cs->monitor = NULL;
	}
}

static void *hotplug_main(void *arg)
{
	struct cards *cs = arg;
	int interval = (int)(cs->opt->rescan_interval_ms ? cs->opt->rescan_interval_ms
							 : OCXLFS_RESCAN_INTERVAL_MS);
	bool real = !cs->opt->simulate;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = cs->wake[0], .events = POLLIN },
			{ .fd = cs->monitor ? udev_monitor_get_fd(cs->monitor) : -1, .events = POLLIN },
		};
		int n = poll(p, 2, real ? interval : -1);
		bool look = real && n == 0;
		char buf[64];

		if (p[0].revents)
			while (read(cs->wake[0], buf, sizeof(buf)) > 0)
				;
		if (__atomic_load_n(&cs->stopping, __ATOMIC_ACQUIRE))
			break;
		if (p[1].revents) {
			struct udev_device *d;

			/* Each event is only a reason to look: discovery says what changed. */
			while ((d = udev_monitor_receive_device(cs->monitor))) {
				log_dbg("udev: %s %s", udev_device_get_action(d) ?: "?",
					udev_device_get_syspath(d));
				udev_device_unref(d);
			}
			look = real;
		}
		if (look)
			rescan(cs);
		tell_kernel(cs);
	}
	return NULL;
}

int cards_open(const struct options *opt, struct arena *a, struct tree *t, struct cards **out)
{
	struct cards *cs = calloc(1, sizeof(*cs));
	size_t bytes;
	int rc;

	if (!cs)
		return -ENOMEM;
	cs->opt = opt;
	cs->tree = t;
	cs->wake[0] = cs->wake[1] = -1;
	cs->reg = arena_section(a, ARENA_SEC_CARDS, &bytes);
	if (bytes < sizeof(*cs->reg)) {
		free(cs);
		return -EPROTO;
	}
	pthread_mutex_init(&cs->lock, NULL);
	/* A state directory that cannot be made only degrades the stream (stream.h). */
	mkdir_p(opt->state_dir, 0700);
	rc = card_stream_open(opt->state_dir, &cs->stream);
	if (rc) {
		cards_close(cs);
		return rc;
	}
	tree_set_stream(t, cs->stream);
	pthread_mutex_lock(&cs->lock);
	rc = opt->simulate ? open_simulated(cs) : open_real(cs);
	pthread_mutex_unlock(&cs->lock);
	if (rc) {
		cards_close(cs);
		return rc;
	}
	*out = cs;
	return 0;
}

int cards_start(struct cards *cs)
{
	int rc;

	pthread_mutex_lock(&cs->lock);
	cs->started = true;
	for (unsigned i = 0; i < TREE_MAX_CARDS; i++)
		if (cs->served[i].card)
			card_monitor_start(cs->served[i].card, CARD_MONITOR_INTERVAL_MS,
					   &cs->served[i].monitor);
	pthread_mutex_unlock(&cs->lock);
	if (pipe2(cs->wake, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	if (!cs->opt->simulate)
		open_udev(cs);
	rc = pthread_create(&cs->hotplug, NULL, hotplug_main, cs);
	if (rc) {
		log_err("hot-plug thread: %s", strerror(rc));
		return -rc;
	}
	cs->hotplug_started = true;
	return 0;
}

void cards_stop(struct cards *cs)
{
	if (!cs)
		return;
	if (cs->hotplug_started) {
		__atomic_store_n(&cs->stopping, true, __ATOMIC_RELEASE);
		kick(cs);
		pthread_join(cs->hotplug, NULL);
		cs->hotplug_started = false;
	}
	if (cs->monitor)
		udev_monitor_unref(cs->monitor);
	if (cs->udev)
		udev_unref(cs->udev);
	cs->monitor = NULL;
	cs->udev = NULL;
	for (int i = 0; i < 2; i++)
		if (cs->wake[i] >= 0)
			close(cs->wake[i]);
	cs->wake[0] = cs->wake[1] = -1;
	pthread_mutex_lock(&cs->lock);
	cs->started = false;
	for (unsigned i = 0; i < TREE_MAX_CARDS; i++) {
		card_monitor_stop(cs->served[i].monitor);
		cs->served[i].monitor = NULL;
	}
	pthread_mutex_unlock(&cs->lock);
}

void cards_close(struct cards *cs)
{
	if (!cs)
		return;
	cards_stop(cs);
	for (unsigned i = 0; i < TREE_MAX_CARDS; i++) {
		card_close(cs->served[i].card);
		if (cs->served[i].sim)
			sim_card_close(cs->served[i].sim);
	}
	/* After the cards that post into it; the tree that shows it is freed before. */
	card_stream_close(cs->stream);
	pthread_mutex_destroy(&cs->lock);
	free(cs);
}

int cards_sim_plug(struct cards *cs, unsigned number)
{
	int rc = 0, i;

	if (!cs->opt->simulate)
		return -ENODEV;
	pthread_mutex_lock(&cs->lock);
	i = sim_index(cs, number);
	if (i < 0) {
		rc = open_sim(cs, number);
	} else {
		__atomic_store_n(&cs->reg->e[i].unplugged, 0, __ATOMIC_RELEASE);
		/* Back as if its device answered again: the monitor sees it. */
		rc = card_sim_write(cs->served[i].card, CARD_SIM_FAULT, "none");
	}
	pthread_mutex_unlock(&cs->lock);
	/* From a request: the kernel hears of a new card from the hot-plug thread. */
	kick(cs);
	return rc;
}

int cards_sim_unplug(struct cards *cs, unsigned number)
{
	int rc, i;

	if (!cs->opt->simulate)
		return -ENODEV;
	pthread_mutex_lock(&cs->lock);
	i = sim_index(cs, number);
	if (i < 0) {
		rc = -ENOENT;
	} else {
		__atomic_store_n(&cs->reg->e[i].unplugged, 1, __ATOMIC_RELEASE);
		rc = card_sim_write(cs->served[i].card, CARD_SIM_FAULT, "vanish");
	}
	pthread_mutex_unlock(&cs->lock);
	return rc;
}

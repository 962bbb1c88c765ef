// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Pure renderers: decoded structs in, text out.  The formats are ABI
 * (docs/tree.md, ocxlfs(8)) and scripts parse them: change nothing here
 * without changing those documents.  Errors are collected from the stream
 * once at the end (ferror), so a failed write anywhere yields -EIO.
 */
#include <errno.h>
#include <string.h>

#include "proto/render.h"

static int stream_rc(FILE *out)
{
	return ferror(out) ? -EIO : 0;
}

int ocxlfs_render_serial(FILE *out, const struct ocxlfs_identity *id)
{
	fprintf(out, "%llu\n", (unsigned long long)id->serial);
	return stream_rc(out);
}

int ocxlfs_render_fw_version(FILE *out, const struct ocxlfs_identity *id)
{
	/* The decoder already trims; trim again for structs filled by hand. */
	size_t n = strnlen(id->fw_version, sizeof(id->fw_version));

	while (n > 0 && id->fw_version[n - 1] == ' ')
		n--;
	fprintf(out, "%.*s\n", (int)n, id->fw_version);
	return stream_rc(out);
}

static const char *or_unknown(const char *s)
{
	return s ? s : "unknown";
}

int ocxlfs_render_info(FILE *out, const struct ocxlfs_identity *id,
		     const struct ocxlfs_info_extra *extra)
{
	static const struct ocxlfs_info_extra none;
	unsigned rev = OCXLFS_CCAP0_REVISION(id->ccap0);

	if (!extra)
		extra = &none;
	fprintf(out, "revision: %u.%u\n", rev >> 4, rev & 0xF);
	fprintf(out, "read_latency_ns: %u\n", OCXLFS_CCAP0_READ_LATENCY_NS(id->ccap0));
	fprintf(out, "ready_timeout_s: %u\n", OCXLFS_CCAP0_READY_TIMEOUT_S(id->ccap0));
	fprintf(out, "memory_available_timeout_s: %u\n",
		OCXLFS_CCAP0_MEM_AVAIL_TIMEOUT_S(id->ccap0));
	fprintf(out, "max_dump_size: %u\n", (unsigned)OCXLFS_CCAP1_MAX_DUMP_SIZE(id->ccap1));
	if (id->has_admin_buffer_size)
		fprintf(out, "admin_buffer_size: %u\n", (unsigned)id->admin_buffer_size);
	else
		fputs("admin_buffer_size: unknown\n", out);
	fprintf(out, "label_size: %u\n", (unsigned)extra->label_size);
	fprintf(out, "label_max_xfer: %u\n", (unsigned)extra->label_max_xfer);
	fprintf(out, "ccap0: 0x%016llx\n", (unsigned long long)id->ccap0);
	fprintf(out, "ccap1: 0x%016llx\n", (unsigned long long)id->ccap1);
	fprintf(out, "transport: %s\n", or_unknown(extra->transport));
	fprintf(out, "device: %s\n", or_unknown(extra->device));
	return stream_rc(out);
}

static const struct {
	uint32_t flag;
	const char *name;
} action_names[] = {
	{ OCXLFS_EL_ACT_RESET, "reset" },
	{ OCXLFS_EL_ACT_CHECK_FW, "check-firmware" },
	{ OCXLFS_EL_ACT_REPLACE, "replace" },
	{ OCXLFS_EL_ACT_TAKE_DUMP, "take-dump" },
};

const char *ocxlfs_action_name(unsigned bit, char buf[OCXLFS_ACTION_NAME_LEN])
{
	for (size_t i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++)
		if (action_names[i].flag == 1u << bit)
			return action_names[i].name;
	snprintf(buf, OCXLFS_ACTION_NAME_LEN, "bit%u", bit);
	return buf;
}

int ocxlfs_render_action_flags(FILE *out, uint32_t flags)
{
	const char *sep = "";

	if (!flags) {
		fputs("none", out);
		return stream_rc(out);
	}
	/* Ascending bit order; bits without a name still show, as bit<N>. */
	for (unsigned bit = 0; bit < 32; bit++) {
		char buf[OCXLFS_ACTION_NAME_LEN];

		if (!(flags & (1u << bit)))
			continue;
		fprintf(out, "%s%s", sep, ocxlfs_action_name(bit, buf));
		sep = ",";
	}
	return stream_rc(out);
}

int ocxlfs_render_errlog(FILE *out, const struct ocxlfs_errlog *el)
{
	unsigned i;

	fprintf(out, "id: %u\n", (unsigned)el->log_id);
	fprintf(out, "program_reference_code: 0x%08x\n", (unsigned)el->program_ref_code);
	fprintf(out, "type: %s (0x%02x)\n", ocxlfs_errlog_type_name(el->type), (unsigned)el->type);
	fputs("action_flags: ", out);
	ocxlfs_render_action_flags(out, el->action_flags);
	fprintf(out, " (0x%06x)\n", (unsigned)el->action_flags);
	fprintf(out, "power_on_seconds: %u\n", (unsigned)el->power_on_seconds);
	fprintf(out, "timestamp: %llu\n", (unsigned long long)el->timestamp);
	fprintf(out, "wwid: %016llx%016llx\n", (unsigned long long)el->wwid[0],
		(unsigned long long)el->wwid[1]);
	fprintf(out, "firmware_revision: %s\n", el->fw_revision);
	fputs("additional_data: ", out);
	if (el->addl_len && el->addl) {
		for (i = 0; i < el->addl_len; i++)
			fprintf(out, "%02x", (unsigned)el->addl[i]);
	} else {
		fputs("-", out);
	}
	fputs("\n\n", out);
	return stream_rc(out);
}

int ocxlfs_render_stats(FILE *out, const struct ocxlfs_stats *st)
{
	unsigned f;

	/* No unit suffix: the unit of each name is documented, scripts parse the number. */
	for (f = 0; f < OCXLFS_STAT_NR; f++) {
		if (st->present & (1u << f))
			fprintf(out, "%s: %llu\n", ocxlfs_stat_name((enum ocxlfs_stat_field)f),
				(unsigned long long)st->value[f]);
	}
	return stream_rc(out);
}

int ocxlfs_render_smart(FILE *out, const struct ocxlfs_smart *sm)
{
	unsigned i, n = sm->count < OCXLFS_SMART_MAX_ATTRS ? sm->count : OCXLFS_SMART_MAX_ATTRS;

	for (i = 0; i < n; i++) {
		const struct ocxlfs_smart_attr *a = &sm->attr[i];

		fprintf(out, "%s id=0x%02x current=%u worst=%u threshold=%u flags=0x%04x raw=%llu\n",
			ocxlfs_smart_attr_name(a->id), (unsigned)a->id, (unsigned)a->current,
			(unsigned)a->worst, (unsigned)a->threshold, (unsigned)a->flags,
			(unsigned long long)a->raw);
	}
	return stream_rc(out);
}

void ocxlfs_utc_stamp(const struct timespec *when, char buf[OCXLFS_UTC_STAMP_LEN])
{
	struct tm tm;

	gmtime_r(&when->tv_sec, &tm);
	strftime(buf, OCXLFS_UTC_STAMP_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int ocxlfs_render_heartbeat(FILE *out, bool done, int rc, uint64_t latency_us,
			  const struct timespec *when)
{
	const char *name = rc ? strerrorname_np(-rc) : "ok";
	char stamp[OCXLFS_UTC_STAMP_LEN];

	if (!done) {
		fputs("never\n", out);
		return stream_rc(out);
	}
	ocxlfs_utc_stamp(when, stamp);
	if (name)
		fprintf(out, "%s %llu %s\n", name, (unsigned long long)latency_us, stamp);
	else
		fprintf(out, "E%d %llu %s\n", -rc, (unsigned long long)latency_us, stamp);
	return stream_rc(out);
}

int ocxlfs_render_erase_status(FILE *out, const struct ocxlfs_erase_status *es)
{
	switch (es->state) {
	case OCXLFS_ERASE_IDLE:
		fputs("idle\n", out);
		break;
	case OCXLFS_ERASE_RUNNING: {
		uint64_t p = es->progress_permille > 1000 ? 1000 : es->progress_permille;

		fprintf(out, "running %llu.%llu%%\n", (unsigned long long)(p / 10),
			(unsigned long long)(p % 10));
		break;
	}
	case OCXLFS_ERASE_DONE:
		fprintf(out, "done accessible=%llu/%llu defective=%llu/%llu\n",
			(unsigned long long)es->acc_ok, (unsigned long long)es->acc_tried,
			(unsigned long long)es->def_ok, (unsigned long long)es->def_tried);
		break;
	case OCXLFS_ERASE_FAILED:
		fprintf(out, "failed status 0x%02llx\n", (unsigned long long)es->ns_status);
		break;
	default:
		fprintf(out, "unknown %llu\n", (unsigned long long)es->state);
		break;
	}
	return stream_rc(out);
}

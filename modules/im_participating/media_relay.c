/*
 * The Participating Function in the media path: Kamailio glue (dialog, AVPs,
 * lumps, the watch process). The SDP rewriting is im::participating's
 * anchor_session_body, the relay calls im/relay's ControlClient.
 */
#include <stdlib.h>
#include <string.h>

#include "core/sr_module.h"
#include "core/dprint.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/locking.h"
#include "core/timer_proc.h"
#include "core/usr_avp.h"
#include "core/data_lump.h"
#include "core/pt.h"
#include "core/parser/parse_to.h"
#include "modules/dialog/dlg_load.h"
#include "modules/dialog/dlg_hash.h"
#include "modules/rr/api.h"

#include "module_api.h"
#include "participating_api.h"
#include "media_relay.h"

#define SESSION_ID_SIZE 64
#define RELAY_PATH_SIZE 256

/* One SIP session anchored at the relay. Owned by its dialog (freed with
 * it, through the callback's param_free); listed while its relay session
 * lives, and while listed it holds a reference to the dialog, so the watch
 * process can end it safely. */
typedef struct anchored {
	struct dlg_cell *dlg;
	char session[SESSION_ID_SIZE];
	int listed;
	struct anchored *prev;
	struct anchored *next;
} anchored_t;

typedef struct anchored_list {
	gen_lock_t lock;
	anchored_t *head;
	int count;
} anchored_list_t;

static im_media_relay_params_t relay;
static im_media_relay_stats_t stats;
static int enabled = 0;
static anchored_list_t *anchored_sessions = NULL;
static struct dlg_binds dlgb;
static struct rr_binds rrb;

static str var_session = str_init("im_relay_session");
static str var_path_a = str_init("im_relay_a"); /* towards the caller */
static str var_path_b = str_init("im_relay_b"); /* towards the callee */
static str answer_avp = str_init("im_relay_answer");
static str lost_reason = str_init("Reason: SIP;cause=480;text=\"MSRP relay session lost\"\r\n");

static void list_add(anchored_t *a)
{
	lock_get(&anchored_sessions->lock);
	a->prev = NULL;
	a->next = anchored_sessions->head;
	if(a->next)
		a->next->prev = a;
	anchored_sessions->head = a;
	anchored_sessions->count++;
	a->listed = 1;
	lock_release(&anchored_sessions->lock);
}

/* Under the lock. */
static void list_unlink(anchored_t *a)
{
	if(a->prev)
		a->prev->next = a->next;
	else
		anchored_sessions->head = a->next;
	if(a->next)
		a->next->prev = a->prev;
	a->prev = a->next = NULL;
	a->listed = 0;
	anchored_sessions->count--;
}

static void free_anchored(void *param)
{
	shm_free(param);
}

/* The dialog ended (BYE, expiry, failed INVITE): its relay session goes too.
 * A session the watch process ended is no longer listed: nothing to do. */
static void on_dialog_end(struct dlg_cell *dlg, int type, struct dlg_cb_params *params)
{
	anchored_t *a = (anchored_t *)*params->param;
	char err[256];
	int was_listed;

	lock_get(&anchored_sessions->lock);
	was_listed = a->listed;
	if(was_listed)
		list_unlink(a);
	lock_release(&anchored_sessions->lock);
	if(!was_listed)
		return;
	update_stat(stats.active, -1);
	if(im_relay_session_delete(relay.control_socket, relay.timeout_ms, a->session, err, sizeof(err)) < 0)
		LM_WARN("cannot delete relay session %s (the relay expires it): %s\n", a->session, err);
	else
		LM_DBG("relay session %s deleted with its dialog\n", a->session);
	dlgb.release_dlg(a->dlg);
}

/* A copy of the dialog variable in buf (NUL-terminated); 0, or -1 when unset. */
static int dialog_var(struct dlg_cell *dlg, str *key, char *buf, int size)
{
	str value = STR_NULL;

	if(dlgb.get_dlg_vardup(dlg, key, &value) != 0 || value.s == NULL)
		return -1;
	if(value.len >= size) {
		pkg_free(value.s);
		return -1;
	}
	memcpy(buf, value.s, value.len);
	buf[value.len] = '\0';
	pkg_free(value.s);
	return 0;
}

static int set_dialog_var(struct dlg_cell *dlg, str *key, const char *value)
{
	str v;

	v.s = (char *)value;
	v.len = strlen(value);
	return dlgb.set_dlg_var(dlg, key, &v);
}

/* The path the answer to this request gets, for im_session_relay_answer(). */
static int set_answer_path(const char *path)
{
	int_str name, value;

	name.s = answer_avp;
	value.s.s = (char *)path;
	value.s.len = strlen(path);
	return add_avp(AVP_NAME_STR | AVP_VAL_STR, name, value);
}

/* Rewrites the SDP of msg's body (request or reply) for relay path `path`:
 * 1 rewritten, 0 no SDP in it, -1 error (logged). */
static int anchor_body(sip_msg_t *msg, const char *path)
{
	im_str_t content_type = {0, 0};
	im_str_t body;
	char *text, *out;
	size_t offset = 0, length = 0, out_len = 0, out_size;
	struct lump *anchor;
	char err[256];
	int rc;

	if(parse_headers(msg, HDR_EOH_F, 0) < 0)
		return -1;
	text = get_body(msg);
	if(text == NULL || text >= msg->buf + msg->len)
		return 0;
	body.s = text;
	body.len = (int)(msg->buf + msg->len - text);
	if(msg->content_type) {
		content_type.s = msg->content_type->body.s;
		content_type.len = msg->content_type->body.len;
	}
	/* Anchoring adds a c=, a=path and a=setup line per MSRP stream (at most
	 * 32 streams in an SDP the parser accepts). */
	out_size = (size_t)body.len + 32 * (RELAY_PATH_SIZE + 96);
	out = pkg_malloc(out_size);
	if(out == NULL) {
		PKG_MEM_ERROR;
		return -1;
	}
	rc = im_participating_anchor_media(content_type, body, path, &offset, &length, out, out_size, &out_len, err,
			sizeof(err));
	if(rc <= 0) {
		pkg_free(out);
		if(rc < 0)
			LM_ERR("cannot anchor the SDP of %.*s at %s: %s\n", msg->callid ? msg->callid->body.len : 0,
					msg->callid ? msg->callid->body.s : "", path, err);
		return rc;
	}
	anchor = del_lump(msg, (int)(text - msg->buf + offset), (int)length, 0);
	if(anchor == NULL || insert_new_lump_after(anchor, out, (int)out_len, 0) == NULL) {
		LM_ERR("cannot replace the SDP\n");
		pkg_free(out);
		return -1;
	}
	return 1; /* out belongs to the lump now */
}

static int offered_tls(sip_msg_t *msg)
{
	char *body = get_body(msg);
	int len;

	if(body == NULL)
		return 0;
	len = (int)(msg->buf + msg->len - body);
	/* The offer's MSRP stream over TLS (RFC 4975 8.1). */
	for(; len >= 12; body++, len--)
		if(strncasecmp(body, "TCP/TLS/MSRP", 12) == 0)
			return 1;
	return 0;
}

/* An initial INVITE: the relay session is created on the first pass that
 * anchors it (a spiralled INVITE finds it in the dialog). */
static int anchor_initial(sip_msg_t *msg, struct dlg_cell *dlg)
{
	char session[SESSION_ID_SIZE], path_a[RELAY_PATH_SIZE], path_b[RELAY_PATH_SIZE];
	im_relay_created_t created;
	anchored_t *a;
	char err[256];
	int tls;

	if(dialog_var(dlg, &var_session, session, sizeof(session)) == 0
			&& dialog_var(dlg, &var_path_a, path_a, sizeof(path_a)) == 0
			&& dialog_var(dlg, &var_path_b, path_b, sizeof(path_b)) == 0) {
		dlgb.release_dlg(dlg);
		if(anchor_body(msg, path_b) < 0 || set_answer_path(path_a) < 0)
			return -1;
		return 1;
	}
	if(im_relay_session_create(relay.control_socket, relay.timeout_ms, &created, err, sizeof(err)) < 0) {
		LM_ERR("MSRP relay cannot take session %.*s: %s\n", msg->callid->body.len, msg->callid->body.s, err);
		update_stat(stats.unavailable, 1);
		dlgb.release_dlg(dlg);
		return -1;
	}
	tls = offered_tls(msg);
	if(tls && created.path_a_tls[0] == '\0')
		LM_WARN("session %.*s offers MSRP over TLS but the relay has no TLS listener: anchored over TCP\n",
				msg->callid->body.len, msg->callid->body.s);
	tls = tls && created.path_a_tls[0] != '\0';
	a = shm_malloc(sizeof(*a));
	if(a == NULL) {
		SHM_MEM_ERROR;
		im_relay_session_delete(relay.control_socket, relay.timeout_ms, created.session, err, sizeof(err));
		dlgb.release_dlg(dlg);
		return -1;
	}
	memset(a, 0, sizeof(*a));
	a->dlg = dlg; /* keeps get_dlg()'s reference while listed */
	memcpy(a->session, created.session, sizeof(a->session));
	if(set_dialog_var(dlg, &var_session, created.session) != 0
			|| set_dialog_var(dlg, &var_path_a, tls ? created.path_a_tls : created.path_a) != 0
			|| set_dialog_var(dlg, &var_path_b, tls ? created.path_b_tls : created.path_b) != 0
			|| dlgb.register_dlgcb(dlg, DLGCB_FAILED | DLGCB_TERMINATED | DLGCB_EXPIRED, on_dialog_end, a,
					   free_anchored) != 0) {
		LM_ERR("cannot attach relay session %s to the dialog\n", created.session);
		shm_free(a);
		im_relay_session_delete(relay.control_socket, relay.timeout_ms, created.session, err, sizeof(err));
		dlgb.release_dlg(dlg);
		return -1;
	}
	list_add(a);
	update_stat(stats.anchored, 1);
	update_stat(stats.active, 1);
	LM_INFO("session %.*s anchored at relay session %s\n", msg->callid->body.len, msg->callid->body.s,
			created.session);
	if(anchor_body(msg, tls ? created.path_b_tls : created.path_b) < 0
			|| set_answer_path(tls ? created.path_a_tls : created.path_a) < 0)
		return -1; /* the dialog's end deletes the relay session */
	return 1;
}

/* In the dialog: an offer or answer towards the callee (a request from the
 * caller) gets side B's path, towards the caller side A's; the reply to it
 * the other one. */
static int anchor_within(sip_msg_t *msg, struct dlg_cell *dlg)
{
	char path_a[RELAY_PATH_SIZE], path_b[RELAY_PATH_SIZE];
	int anchored, downstream;

	anchored = dialog_var(dlg, &var_path_a, path_a, sizeof(path_a)) == 0
			   && dialog_var(dlg, &var_path_b, path_b, sizeof(path_b)) == 0;
	dlgb.release_dlg(dlg);
	if(!anchored)
		return 1; /* a session this server does not anchor */
	downstream = rrb.is_direction(msg, RR_FLOW_DOWNSTREAM) == 0;
	if(anchor_body(msg, downstream ? path_b : path_a) < 0)
		return -1;
	if(msg->first_line.u.request.method_value != METHOD_ACK && set_answer_path(downstream ? path_a : path_b) < 0)
		return -1;
	return 1;
}

int im_media_relay_request(sip_msg_t *msg)
{
	struct dlg_cell *dlg;
	int method;

	if(msg->first_line.type != SIP_REQUEST)
		return 1;
	method = msg->first_line.u.request.method_value;
	if(method != METHOD_INVITE && method != METHOD_UPDATE && method != METHOD_ACK && method != METHOD_PRACK)
		return 1;
	if(!enabled) {
		LM_ERR("im_session_relay() needs modparam(\"im_participating\", \"media_relay\", 1)\n");
		return -1;
	}
	if(parse_headers(msg, HDR_EOH_F, 0) < 0 || msg->callid == NULL || msg->to == NULL) {
		LM_ERR("cannot parse the request\n");
		return -1;
	}
	dlg = dlgb.get_dlg(msg);
	if(get_to(msg)->tag_value.len == 0 && method == METHOD_INVITE) {
		if(dlg == NULL) {
			LM_ERR("im_session_relay() on an initial INVITE needs dlg_manage() first\n");
			return -1;
		}
		return anchor_initial(msg, dlg);
	}
	if(dlg == NULL)
		return 1;
	return anchor_within(msg, dlg);
}

int im_media_relay_reply(sip_msg_t *msg)
{
	struct search_state state;
	int_str name, value;
	char path[RELAY_PATH_SIZE];

	if(msg->first_line.type != SIP_REPLY || !enabled)
		return 1;
	name.s = answer_avp;
	if(search_first_avp(AVP_NAME_STR | AVP_VAL_STR, name, &value, &state) == NULL)
		return 1; /* not a request im_session_relay() anchored */
	if(msg->first_line.u.reply.statuscode >= 300)
		return 1;
	if(value.s.len <= 0 || value.s.len >= (int)sizeof(path))
		return -1;
	memcpy(path, value.s.s, value.s.len);
	path[value.s.len] = '\0';
	return anchor_body(msg, path) < 0 ? -1 : 1;
}

static int by_session(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The watch process: a relay session the relay no longer has (it was
 * restarted, or expired the session) ends its SIP session with a BYE to
 * both sides. One control call per round, whatever the number of sessions. */
static void watch(unsigned int ticks, void *param)
{
	static int relay_was_down = 0;
	char err[256];
	char *ids = NULL;
	const char **id_ptrs = NULL, **gone_ids = NULL;
	unsigned char *gone = NULL;
	struct dlg_cell **ending = NULL;
	int count, i, gone_count = 0, ending_count = 0;
	anchored_t *a;

	lock_get(&anchored_sessions->lock);
	count = anchored_sessions->count;
	if(count == 0) {
		lock_release(&anchored_sessions->lock);
		return;
	}
	ids = pkg_malloc((size_t)count * SESSION_ID_SIZE);
	id_ptrs = pkg_malloc((size_t)count * sizeof(*id_ptrs));
	if(ids == NULL || id_ptrs == NULL) {
		lock_release(&anchored_sessions->lock);
		PKG_MEM_ERROR;
		goto done;
	}
	for(i = 0, a = anchored_sessions->head; a && i < count; a = a->next, i++) {
		memcpy(ids + (size_t)i * SESSION_ID_SIZE, a->session, SESSION_ID_SIZE);
		id_ptrs[i] = ids + (size_t)i * SESSION_ID_SIZE;
	}
	count = i;
	lock_release(&anchored_sessions->lock);

	gone = pkg_malloc((size_t)count);
	gone_ids = pkg_malloc((size_t)count * sizeof(*gone_ids));
	if(gone == NULL || gone_ids == NULL) {
		PKG_MEM_ERROR;
		goto done;
	}
	if(im_relay_sessions_gone(relay.control_socket, relay.timeout_ms, id_ptrs, count, gone, err, sizeof(err)) < 0) {
		if(!relay_was_down)
			LM_WARN("cannot check the relay's sessions (%d anchored here): %s\n", count, err);
		relay_was_down = 1;
		goto done;
	}
	if(relay_was_down)
		LM_NOTICE("the MSRP relay answers again\n");
	relay_was_down = 0;
	for(i = 0; i < count; i++)
		if(gone[i])
			gone_ids[gone_count++] = id_ptrs[i];
	if(gone_count == 0)
		goto done;
	qsort(gone_ids, gone_count, sizeof(*gone_ids), by_session);
	ending = pkg_malloc((size_t)gone_count * sizeof(*ending));
	if(ending == NULL) {
		PKG_MEM_ERROR;
		goto done;
	}
	lock_get(&anchored_sessions->lock);
	for(a = anchored_sessions->head; a;) {
		anchored_t *next = a->next;
		const char *key = a->session;
		/* Sessions still being set up wait: a BYE needs a confirmed dialog. */
		if(bsearch(&key, gone_ids, gone_count, sizeof(*gone_ids), by_session) != NULL
				&& a->dlg->state >= DLG_STATE_CONFIRMED_NA && a->dlg->state < DLG_STATE_DELETED
				&& ending_count < gone_count) {
			list_unlink(a);
			ending[ending_count++] = a->dlg;
			LM_NOTICE("relay session %s is gone: ending SIP session %.*s with BYE\n", a->session,
					a->dlg->callid.len, a->dlg->callid.s);
		}
		a = next;
	}
	lock_release(&anchored_sessions->lock);
	for(i = 0; i < ending_count; i++) {
		update_stat(stats.lost, 1);
		update_stat(stats.active, -1);
		if(dlgb.terminate_dlg(ending[i], &lost_reason) < 0)
			LM_WARN("cannot send BYE in dialog %.*s\n", ending[i]->callid.len, ending[i]->callid.s);
		dlgb.release_dlg(ending[i]);
	}

done:
	if(ending)
		pkg_free(ending);
	if(gone_ids)
		pkg_free(gone_ids);
	if(gone)
		pkg_free(gone);
	if(id_ptrs)
		pkg_free(id_ptrs);
	if(ids)
		pkg_free(ids);
}

int im_media_relay_init(const im_media_relay_params_t *params, const im_media_relay_stats_t *counters)
{
	relay = *params;
	stats = *counters;
	if(load_dlg_api(&dlgb) != 0) {
		LM_ERR("media_relay needs the dialog module: load dialog.so first\n");
		return -1;
	}
	if(load_rr_api(&rrb) != 0) {
		LM_ERR("media_relay needs the rr module: load rr.so first\n");
		return -1;
	}
	anchored_sessions = shm_malloc(sizeof(*anchored_sessions));
	if(anchored_sessions == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(anchored_sessions, 0, sizeof(*anchored_sessions));
	if(lock_init(&anchored_sessions->lock) == NULL) {
		LM_ERR("cannot init the anchored sessions' lock\n");
		return -1;
	}
	if(relay.watch_interval > 0 && register_basic_timers(1) < 0) {
		LM_ERR("cannot register the relay watch process\n");
		return -1;
	}
	enabled = 1;
	return 0;
}

int im_media_relay_child_init(int rank)
{
	if(!enabled || rank != PROC_MAIN || relay.watch_interval <= 0)
		return 0;
	if(fork_basic_timer(PROC_TIMER, "IM RELAY WATCH", 1, watch, NULL, relay.watch_interval) < 0) {
		LM_ERR("cannot start the relay watch process\n");
		return -1;
	}
	return 0;
}

void im_media_relay_destroy(void)
{
	/* The list's entries belong to their dialogs; the shared memory goes
	 * with the process tree. */
	enabled = 0;
}

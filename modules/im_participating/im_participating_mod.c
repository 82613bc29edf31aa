/*
 * im_participating: the Participating IM Function of the OMA SIMPLE IM
 * server (spec 5.2, 6.2). Kamailio glue only: every procedure lives in the
 * C++ core behind participating_api.h.
 */
#include <string.h>
#include <unistd.h>

#include "core/sr_module.h"
#include "core/dprint.h"
#include "core/mod_fix.h"
#include "core/kemi.h"
#include "core/rpc.h"
#include "core/rpc_lookup.h"
#include "core/counters.h"
#include "core/timer.h"
#include "core/pt.h"
#include "core/route.h"
#include "core/action.h"
#include "core/parser/parse_to.h"
#include "modules/sl/sl.h"
#include "modules/rr/api.h"
#include "modules/rr/loose.h"

#include "kam_glue.h"
#include "kam_rpc.h"
#include "kam_shm.h"
#include "participating_api.h"
#include "api.h"
#include "presence_source.h"
#include "media_relay.h"

MODULE_VERSION

static int malloc_trim_threshold = 16 * 1024 * 1024;

static char *db_url = "sqlite:///var/lib/im-server/im.db";
static char *trusted_core = "127.0.0.1:5060";
static int identity_from_header = 0;
static char *server_uri = "sip:127.0.0.1:5070";
static char *conference_factory_uri = "sip:conference-factory@example.com";
static char *deferred_uri = "sip:Deferred@example.com";
static char *history_uri = "sip:history@example.com";
static int default_expires = 3600;
static int max_expires = 86400;
static int purge_interval = 60;
static int registration_cache = 100000;
static int user_cache = 65536;
static int registration_retention = 30 * 86400;
static char *presence_server = "";
static int presence_expires = 3600;

static char *session_mode = "proxy";
/* The Participating Function in the media path: MSRP anchored at the relay. */
static int media_relay = 0;
static char *relay_control_socket = "/run/im-server/msrp-relay.sock";
static int relay_timeout = 1000;
static int relay_watch_interval = 5;

static sl_api_t slb;
static struct rr_binds rrb;

/* event_route[im-participating:registered] and [...:deregistered]: the hook
 * on which deferred delivery is started (spec 6.2.1); -1 when not defined. */
static int registered_event_rt = -1;
static int deregistered_event_rt = -1;
static int history_event_rt = -1;

/* The per-process service; opened lazily because SQLite handles must not
 * cross fork(), and every Kamailio process (workers, timer, RPC) may need it. */
static im_participating_t *service = NULL;
static int service_pid = 0;

/* Shared-memory state, created in mod_init before the fork. */
static im_participating_shared_t *shared = NULL;
static int shared_creator_pid = 0;

static stat_var *register_accepted;
static stat_var *register_rejected;
static stat_var *originating_accepted;
static stat_var *originating_rejected;
static stat_var *terminating_accepted;
static stat_var *terminating_rejected;
static stat_var *handed_to_controlling;
static stat_var *history_hooks;
static stat_var *session_modifications_accepted;
static stat_var *session_modifications_rejected;
static stat_var *deferred;
static stat_var *presence_notifies_accepted;
static stat_var *presence_notifies_rejected;
static stat_var *settings_accepted;
static stat_var *settings_rejected;
static stat_var *internal_errors;
static stat_var *relay_anchored;
static stat_var *relay_unavailable;
static stat_var *relay_sessions_lost;
static stat_var *relay_sessions_active;

/* rejected_<reason>: one counter per entry of IM_REJECTIONS (im_bridge.h). */
static stat_var *rejected[IM_REJECT_COUNT];

static stat_export_t mod_stats[] = {
#define IM_REJECTION_STAT(name) {"rejected_" #name, 0, &rejected[IM_REJECT_##name]},
	IM_REJECTIONS(IM_REJECTION_STAT)
#undef IM_REJECTION_STAT
	{"register_accepted", 0, &register_accepted},
	{"register_rejected", 0, &register_rejected},
	{"originating_accepted", 0, &originating_accepted},
	{"originating_rejected", 0, &originating_rejected},
	{"terminating_accepted", 0, &terminating_accepted},
	{"terminating_rejected", 0, &terminating_rejected},
	{"handed_to_controlling", 0, &handed_to_controlling},
	{"history_hooks", 0, &history_hooks},
	{"session_modifications_accepted", 0, &session_modifications_accepted},
	{"session_modifications_rejected", 0, &session_modifications_rejected},
	{"deferred", 0, &deferred},
	{"presence_notifies_accepted", 0, &presence_notifies_accepted},
	{"presence_notifies_rejected", 0, &presence_notifies_rejected},
	{"settings_accepted", 0, &settings_accepted},
	{"settings_rejected", 0, &settings_rejected},
	{"internal_errors", 0, &internal_errors},
	{"relay_anchored", 0, &relay_anchored},
	{"relay_unavailable", 0, &relay_unavailable},
	{"relay_sessions_lost", 0, &relay_sessions_lost},
	{"relay_sessions_active", STAT_NO_RESET, &relay_sessions_active},
	{0, 0, 0}
};

static void params_of_module(im_participating_params_t *p)
{
	memset(p, 0, sizeof(*p));
	p->db_url = db_url;
	p->trusted_core = trusted_core;
	p->identity_from_header = identity_from_header;
	p->server_uri = server_uri;
	p->conference_factory_uri = conference_factory_uri;
	p->deferred_uri = deferred_uri;
	p->history_uri = history_uri;
	p->default_expires = default_expires;
	p->max_expires = max_expires;
	p->user_cache = user_cache;
}

static im_participating_t *get_service(void)
{
	im_participating_params_t params;
	char err[512];
	int pid = my_pid(); /* cached: no syscall per request */

	if(service && service_pid == pid)
		return service;
	/* An object inherited over fork belongs to the parent: drop it unclosed
	 * only if it is not ours (closing would touch the parent's handle). */
	service = NULL;
	params_of_module(&params);
	service = im_participating_open(&params, shared, err, sizeof(err));
	if(service == NULL) {
		LM_ERR("cannot open the participating service: %s\n", err);
		return NULL;
	}
	service_pid = pid;
	return service;
}

/* The index of event_route[name], or -1 when the script has none. */
static int lookup_event_route(char *name)
{
	int rt = route_lookup(&event_rt, name);

	return rt >= 0 && event_rt.rlist[rt] != 0 ? rt : -1;
}

/* Counts a procedure's outcome: accepted, or rejected here and by reason. */
static void count_outcome(int reply_code, im_rejection_t rejection, stat_var *accepted, stat_var *rejected_here)
{
	if(reply_code < 300) {
		update_stat(accepted, 1);
		return;
	}
	update_stat(rejected_here, 1);
	if(rejection > IM_REJECT_NONE && rejection < IM_REJECT_COUNT)
		update_stat(rejected[rejection], 1);
	/* 6.2.6.1 steps 5-6: the user cannot take it now; it is a deferred
	 * message (answered 480 until im_deferred stores them). */
	if(rejection == IM_REJECT_not_registered || rejection == IM_REJECT_invisible
			|| rejection == IM_REJECT_unwilling)
		update_stat(deferred, 1);
}

/* Runs event_route rt (when the script has it) on the request. */
static void run_event(sip_msg_t *msg, int rt)
{
	struct run_act_ctx ctx;
	int backup;

	if(rt < 0)
		return;
	backup = get_route_type();
	set_route_type(REQUEST_ROUTE);
	init_run_actions_ctx(&ctx);
	run_top_route(event_rt.rlist[rt], msg, &ctx);
	set_route_type(backup);
}

/* Runs one procedure on the request and applies its outcome. */
typedef int (*procedure_f)(im_participating_t *, const im_sip_request_t *, im_action_t *);

/* reply_code (may be NULL) gets the code of the reply sent, 0 when forwarded. */
static int run_procedure(sip_msg_t *msg, procedure_f procedure, stat_var *accepted,
		stat_var *rejected_here, const char *what, int *reply_code)
{
	kam_request_t req;
	im_action_t action;
	im_participating_t *svc = get_service();
	int rc;

	if(svc == NULL || kam_request_view(msg, &req) < 0) {
		update_stat(internal_errors, 1);
		kam_send_reply(msg, &slb, 500, "Server Internal Error", NULL);
		return 0;
	}
	if(procedure(svc, &req.view, &action) < 0)
		update_stat(internal_errors, 1);
	if(reply_code)
		*reply_code = action.reply_code;
	count_outcome(action.reply_code, action.rejection, accepted, rejected_here);
	if(action.reply_code >= 300)
		LM_INFO("%s %.*s from %s rejected: %d %s\n", what, req.view.method.len,
				req.view.method.s, req.source_ip, action.reply_code, action.reply_reason);
	rc = kam_apply_action(msg, &slb, &action);
	if(rc == IM_NEXT_CONTROLLING)
		update_stat(handed_to_controlling, 1);
	/* 6.2.2.1 step 4: the served user keeps a conversation history; the
	 * script's hook hands the request to the History Function (im_history). */
	if(action.record_history && action.reply_code < 300) {
		update_stat(history_hooks, 1);
		run_event(msg, history_event_rt);
	}
	return rc;
}

static int ki_im_originating(sip_msg_t *msg)
{
	return run_procedure(msg, im_participating_originating, originating_accepted,
			originating_rejected, "originating", NULL);
}

static int ki_im_terminating(sip_msg_t *msg)
{
	return run_procedure(msg, im_participating_terminating, terminating_accepted,
			terminating_rejected, "terminating", NULL);
}

/* 6.2.3.3 / 6.2.7.2, proxy mode: a re-INVITE or UPDATE of a session this
 * server record-routed, after loose_route(). The Route entry it came by says
 * which side this server serves (im=orig: the caller, im=term: the callee);
 * its ftag (rr append_fromtag) says whether the request comes from the
 * caller: the served user is then From or To. A 488 is answered here. */
static int ki_im_session_modify(sip_msg_t *msg)
{
	static str role_param = str_init("im");
	str role = STR_NULL;
	kam_request_t req;
	im_action_t action;
	im_participating_t *svc;
	int caller_side, downstream;
	im_str_t served;

	if(msg->first_line.u.request.method_value != METHOD_INVITE
			&& msg->first_line.u.request.method_value != METHOD_UPDATE)
		return 1;
	if(rrb.get_route_param(msg, &role_param, &role) != 0 || role.len != 4
			|| (strncmp(role.s, "orig", 4) != 0 && strncmp(role.s, "term", 4) != 0))
		return 1; /* not a session this function record-routed */
	svc = get_service();
	if(svc == NULL || kam_request_view(msg, &req) < 0) {
		update_stat(internal_errors, 1);
		kam_send_reply(msg, &slb, 500, "Server Internal Error", NULL);
		return 0;
	}
	caller_side = strncmp(role.s, "orig", 4) == 0;
	downstream = rrb.is_direction(msg, RR_FLOW_DOWNSTREAM) == 0;
	served = (caller_side == downstream) ? req.view.from_uri : req.view.to_uri;
	if(im_participating_session_modify(svc, &req.view, served, &action) < 0)
		update_stat(internal_errors, 1);
	count_outcome(action.reply_code, action.rejection, session_modifications_accepted,
			session_modifications_rejected);
	if(action.reply_code >= 300) {
		LM_INFO("session %.*s %.*s for %.*s rejected: %d %s\n", req.view.call_id.len, req.view.call_id.s,
				req.view.method.len, req.view.method.s, served.len, served.s, action.reply_code,
				action.reply_reason);
		kam_apply_action(msg, &slb, &action);
		return 0;
	}
	return 1;
}

/* 6.2.6.1 step 6: a NOTIFY of this server's presence subscription to a
 * served user (appendix I willingness). Always answers it. */
static int ki_im_presence_notify(sip_msg_t *msg)
{
	int rc = run_procedure(msg, im_participating_presence_notify, presence_notifies_accepted,
			presence_notifies_rejected, "presence NOTIFY", NULL);

	return rc < 0 ? rc : 0;
}

static int w_im_presence_notify(sip_msg_t *msg, char *p1, char *p2)
{
	return ki_im_presence_notify(msg);
}

static int w_im_session_modify(sip_msg_t *msg, char *p1, char *p2)
{
	return ki_im_session_modify(msg);
}

static int ki_im_session_relay(sip_msg_t *msg)
{
	return im_media_relay_request(msg);
}

static int w_im_session_relay(sip_msg_t *msg, char *p1, char *p2)
{
	return ki_im_session_relay(msg);
}

static int ki_im_session_relay_answer(sip_msg_t *msg)
{
	return im_media_relay_reply(msg);
}

static int w_im_session_relay_answer(sip_msg_t *msg, char *p1, char *p2)
{
	return ki_im_session_relay_answer(msg);
}

/* For im_controlling (api.h): the recipients' checks on the copies of a
 * group MESSAGE. "No such user here" (404) is not counted: that copy then
 * goes through the core to whichever function serves the address, and is
 * counted there. */
static int check_copies(const im_sip_request_t *req, const im_str_t *recipients, int count,
		im_copy_verdict_t *verdicts)
{
	im_participating_t *svc = get_service();
	int rc, i, accepted = 0;

	if(svc == NULL) {
		update_stat(internal_errors, 1);
		im_participating_copies_failed(verdicts, count);
		return -1;
	}
	rc = im_participating_check_copies(svc, req, recipients, count, verdicts);
	if(rc < 0)
		update_stat(internal_errors, 1);
	/* The accepted ones in one counter update for the whole batch. */
	for(i = 0; i < count; i++) {
		if(verdicts[i].reply_code < 300)
			accepted++;
		else if(verdicts[i].rejection != IM_REJECT_not_found)
			count_outcome(verdicts[i].reply_code, verdicts[i].rejection, terminating_accepted,
					terminating_rejected);
	}
	if(accepted)
		update_stat(terminating_accepted, accepted);
	return rc;
}

static int bind_im_participating(im_participating_api_t *api)
{
	if(api == NULL)
		return -1;
	api->copy_checks.check_copies = check_copies;
	return 0;
}

static int ki_im_publish_settings(sip_msg_t *msg)
{
	int code = 0;
	int rc = run_procedure(msg, im_participating_publish_settings, settings_accepted,
			settings_rejected, "settings PUBLISH", &code);

	/* Appendix H, table 3: vis-status decides open or closed (published
	 * after every accepted settings PUBLISH: the document may have changed it). */
	if(code >= 200 && code < 300 && msg->to && parse_to_header(msg) == 0)
		im_presence_source_publish(get_service(), get_to(msg)->uri.s, get_to(msg)->uri.len);
	/* The procedure always answers a PUBLISH itself. */
	return rc < 0 ? rc : 0;
}

static void run_registration_event(sip_msg_t *msg, im_registration_change_t change)
{
	run_event(msg, change == IM_REG_REGISTERED ? registered_event_rt
			: change == IM_REG_DEREGISTERED ? deregistered_event_rt : -1);
}

static int ki_im_register(sip_msg_t *msg)
{
	kam_request_t req;
	im_action_t action;
	im_registration_change_t change;
	im_participating_t *svc = get_service();

	if(svc == NULL || kam_request_view(msg, &req) < 0) {
		update_stat(internal_errors, 1);
		kam_send_reply(msg, &slb, 500, "Server Internal Error", NULL);
		return 0;
	}
	if(im_participating_register(svc, &req.view, &action, &change) < 0)
		update_stat(internal_errors, 1);
	update_stat(action.reply_code == 200 ? register_accepted : register_rejected, 1);
	if(action.rejection > IM_REJECT_NONE && action.rejection < IM_REJECT_COUNT)
		update_stat(rejected[action.rejection], 1);
	if(change == IM_REG_REGISTERED || change == IM_REG_DEREGISTERED)
		LM_INFO("%.*s %s\n", req.view.to_uri.len, req.view.to_uri.s,
				change == IM_REG_REGISTERED ? "registered" : "deregistered");
	kam_apply_action(msg, &slb, &action);
	/* After the 200: the script's hook sees the REGISTER ($tu is the user). */
	run_registration_event(msg, change);
	/* Appendix H, table 3: registration open, deregistration closed; and
	 * 6.2.6.1 step 6: watch the user's own willingness while registered
	 * (a refresh renews the subscription). */
	if(change == IM_REG_REGISTERED || change == IM_REG_DEREGISTERED)
		im_presence_source_publish(svc, req.view.to_uri.s, req.view.to_uri.len);
	if(change != IM_REG_NONE)
		im_presence_source_watch(svc, req.view.to_uri.s, req.view.to_uri.len, change != IM_REG_DEREGISTERED);
	return 0;
}

static int w_im_originating(sip_msg_t *msg, char *p1, char *p2)
{
	return ki_im_originating(msg);
}

static int w_im_terminating(sip_msg_t *msg, char *p1, char *p2)
{
	return ki_im_terminating(msg);
}

static int w_im_publish_settings(sip_msg_t *msg, char *p1, char *p2)
{
	return ki_im_publish_settings(msg);
}

static int w_im_register(sip_msg_t *msg, char *p1, char *p2)
{
	return ki_im_register(msg);
}

static void purge_timer(unsigned int ticks, void *param)
{
	im_participating_t *svc = get_service();
	long long removed;

	if(svc == NULL)
		return;
	removed = im_participating_purge_expired(svc, registration_retention);
	if(removed > 0)
		LM_INFO("%lld users offline for longer than %d s forgotten\n", removed, registration_retention);
	else if(removed < 0)
		LM_ERR("cannot purge expired registrations\n");
}

static const char *rpc_status_doc[] = {"Participating IM Function status: configuration and registrations.", 0};

static void rpc_status(rpc_t *rpc, void *ctx)
{
	void *th;
	im_participating_t *svc = get_service();
	long long active = svc ? im_participating_active_registrations(svc) : -1;

	if(active < 0) {
		rpc->fault(ctx, 500, "database not available");
		return;
	}
	if(rpc->add(ctx, "{", &th) < 0)
		return;
	rpc->struct_add(th, "sssssslddd", "module", "im_participating", "state", "running",
			"db_url", db_url, "trusted_core", trusted_core, "server_uri", server_uri,
			"conference_factory_uri", conference_factory_uri,
			"active_registrations", (long)active, "identity_from_header", identity_from_header,
			"default_expires", default_expires, "max_expires", max_expires);
}

static const char *rpc_registration_doc[] = {"Registration state of one user: im_participating.registration sip:alice@example.com", 0};

static void rpc_registration(rpc_t *rpc, void *ctx)
{
	str aor;
	char key[256];
	void *th;
	im_registration_info_t info;
	im_participating_t *svc = get_service();
	int found;

	if(rpc->scan(ctx, "S", &aor) < 1)
		return;
	if(aor.len >= (int)sizeof(key)) {
		rpc->fault(ctx, 400, "address too long");
		return;
	}
	memcpy(key, aor.s, aor.len);
	key[aor.len] = '\0';
	found = svc ? im_participating_registration(svc, key, &info) : -1;
	if(found < 0) {
		rpc->fault(ctx, 500, "database not available");
		return;
	}
	if(rpc->add(ctx, "{", &th) < 0)
		return;
	if(found == 0) {
		rpc->struct_add(th, "ss", "aor", key, "state", "not registered");
		return;
	}
	rpc->struct_add(th, "sssll", "aor", info.aor, "state", "registered", "contact", info.contact,
			"expires_at", (long)info.expires_at, "updated_at", (long)info.updated_at);
}

static const char *rpc_settings_doc[] = {"Published IM service settings of a user and their effective values: im_participating.settings sip:bob@example.com", 0};
static const char *rpc_policy_set_doc[] = {"Set operator policy: im_participating.policy_set <global|aor> <im_allowed 0|1> <max_size bytes|-> <content types, comma separated|-> <anonymity_allowed 0|1> [group_advertisement_allowed 0|1, default 1] ('-' inherits)", 0};
static const char *rpc_policy_remove_doc[] = {"Remove a policy row: im_participating.policy_remove <global|aor>", 0};
static const char *rpc_policy_list_doc[] = {"List the operator policy rows.", 0};
static const char *rpc_access_set_doc[] = {"Set an access rule of a receiving user: im_participating.access_set <owner aor> <peer aor|*@domain|*> <session|pager> <allow|reject>", 0};
static const char *rpc_access_remove_doc[] = {"Remove an access rule: im_participating.access_remove <owner aor> <peer> <session|pager>", 0};
static const char *rpc_access_list_doc[] = {"List the access rules of a receiving user: im_participating.access_list <owner aor>", 0};

KAM_TEXT_RPC(rpc_settings, im_participating_t, get_service, 1, 0,
		im_participating_settings_text(svc, args[0], out, sizeof(out)))
KAM_TEXT_RPC(rpc_policy_set, im_participating_t, get_service, 5, 1,
		im_participating_policy_set(svc, args[0], args[1], args[2], args[3], args[4], args[5], out, sizeof(out)))
KAM_TEXT_RPC(rpc_policy_remove, im_participating_t, get_service, 1, 0,
		im_participating_policy_remove(svc, args[0], out, sizeof(out)))
KAM_TEXT_RPC(rpc_policy_list, im_participating_t, get_service, 0, 0,
		im_participating_policy_list_text(svc, out, sizeof(out)))
KAM_TEXT_RPC(rpc_access_set, im_participating_t, get_service, 4, 0,
		im_participating_access_set(svc, args[0], args[1], args[2], args[3], out, sizeof(out)))
KAM_TEXT_RPC(rpc_access_remove, im_participating_t, get_service, 3, 0,
		im_participating_access_remove(svc, args[0], args[1], args[2], out, sizeof(out)))
KAM_TEXT_RPC(rpc_access_list, im_participating_t, get_service, 1, 0,
		im_participating_access_list_text(svc, args[0], out, sizeof(out)))

static rpc_export_t rpc_cmds[] = {
	{"im_participating.settings", rpc_settings, rpc_settings_doc, RET_ARRAY},
	{"im_participating.policy_set", rpc_policy_set, rpc_policy_set_doc, RET_ARRAY},
	{"im_participating.policy_remove", rpc_policy_remove, rpc_policy_remove_doc, RET_ARRAY},
	{"im_participating.policy_list", rpc_policy_list, rpc_policy_list_doc, RET_ARRAY},
	{"im_participating.access_set", rpc_access_set, rpc_access_set_doc, RET_ARRAY},
	{"im_participating.access_remove", rpc_access_remove, rpc_access_remove_doc, RET_ARRAY},
	{"im_participating.access_list", rpc_access_list, rpc_access_list_doc, RET_ARRAY},
	{"im_participating.status", rpc_status, rpc_status_doc, 0},
	{"im_participating.registration", rpc_registration, rpc_registration_doc, 0},
	{0, 0, 0, 0}
};

static int mod_init(void)
{
	im_participating_params_t params;
	char err[512];

	kam_keep_freed_heap(malloc_trim_threshold);

	if(im_presence_source_init(presence_server, presence_expires, server_uri) < 0)
		return -1;
	if(sl_load_api(&slb) != 0) {
		LM_ERR("cannot bind to the sl module: load sl.so first\n");
		return -1;
	}
	if(strcmp(session_mode, "proxy") != 0) {
		LM_ERR("session_mode \"%s\": only \"proxy\" is available (the B2BUA in the media path is not)\n",
				session_mode);
		return -1;
	}
	if(load_rr_api(&rrb) != 0) {
		LM_ERR("cannot bind to the rr module: load rr.so first\n");
		return -1;
	}
	params_of_module(&params);
	if(im_participating_check(&params, err, sizeof(err)) < 0) {
		LM_ERR("im_participating configuration: %s\n", err);
		return -1;
	}
	registered_event_rt = lookup_event_route("im-participating:registered");
	deregistered_event_rt = lookup_event_route("im-participating:deregistered");
	history_event_rt = lookup_event_route("im-participating:history");
	LM_DBG("event routes: registered %d, deregistered %d, history %d\n", registered_event_rt,
			deregistered_event_rt, history_event_rt);
	shared = im_participating_shared_create(kam_shm_ops(), registration_cache, err, sizeof(err));
	if(shared == NULL) {
		LM_ERR("im_participating shared state: %s\n", err);
		return -1;
	}
	shared_creator_pid = getpid();
	if(rpc_register_array(rpc_cmds) != 0) {
		LM_ERR("cannot register RPC commands\n");
		return -1;
	}
	if(register_module_stats("im_participating", mod_stats) != 0) {
		LM_ERR("cannot register statistics\n");
		return -1;
	}
	if(purge_interval > 0 && register_timer(purge_timer, 0, purge_interval) < 0) {
		LM_ERR("cannot register the purge timer\n");
		return -1;
	}
	if(media_relay) {
		im_media_relay_params_t relay_params = {relay_control_socket, relay_timeout, relay_watch_interval};
		im_media_relay_stats_t relay_stats = {relay_anchored, relay_unavailable, relay_sessions_lost,
				relay_sessions_active};

		if(im_media_relay_init(&relay_params, &relay_stats) < 0)
			return -1;
	}
	return 0;
}

static int child_init(int rank)
{
	return im_media_relay_child_init(rank);
}

static void mod_destroy(void)
{
	if(service && service_pid == getpid())
		im_participating_close(service);
	service = NULL;
	im_media_relay_destroy();
	if(shared && shared_creator_pid == getpid())
		im_participating_shared_destroy(shared);
	shared = NULL;
}

static cmd_export_t cmds[] = {
	{"im_register", (cmd_function)w_im_register, 0, 0, 0, REQUEST_ROUTE},
	{"im_originating", (cmd_function)w_im_originating, 0, 0, 0, REQUEST_ROUTE},
	{"im_terminating", (cmd_function)w_im_terminating, 0, 0, 0, REQUEST_ROUTE},
	{"im_publish_settings", (cmd_function)w_im_publish_settings, 0, 0, 0, REQUEST_ROUTE},
	{"im_session_modify", (cmd_function)w_im_session_modify, 0, 0, 0, REQUEST_ROUTE},
	{"im_presence_notify", (cmd_function)w_im_presence_notify, 0, 0, 0, REQUEST_ROUTE},
	{"im_session_relay", (cmd_function)w_im_session_relay, 0, 0, 0, REQUEST_ROUTE},
	{"im_session_relay_answer", (cmd_function)w_im_session_relay_answer, 0, 0, 0, ONREPLY_ROUTE},
	{"bind_im_participating", (cmd_function)bind_im_participating, 0, 0, 0, 0},
	{0, 0, 0, 0, 0, 0}
};

static param_export_t params[] = {
	{"malloc_trim_threshold", INT_PARAM, &malloc_trim_threshold},
	{"db_url", PARAM_STRING, &db_url},
	{"trusted_core", PARAM_STRING, &trusted_core},
	{"identity_from_header", INT_PARAM, &identity_from_header},
	{"server_uri", PARAM_STRING, &server_uri},
	{"conference_factory_uri", PARAM_STRING, &conference_factory_uri},
	{"deferred_uri", PARAM_STRING, &deferred_uri},
	{"history_uri", PARAM_STRING, &history_uri},
	{"default_expires", INT_PARAM, &default_expires},
	{"max_expires", INT_PARAM, &max_expires},
	{"purge_interval", INT_PARAM, &purge_interval},
	{"registration_cache", INT_PARAM, &registration_cache},
	{"user_cache", INT_PARAM, &user_cache},
	{"registration_retention", INT_PARAM, &registration_retention},
	{"presence_server", PARAM_STRING, &presence_server},
	{"presence_expires", INT_PARAM, &presence_expires},
	{"session_mode", PARAM_STRING, &session_mode},
	{"media_relay", INT_PARAM, &media_relay},
	{"relay_control_socket", PARAM_STRING, &relay_control_socket},
	{"relay_timeout", INT_PARAM, &relay_timeout},
	{"relay_watch_interval", INT_PARAM, &relay_watch_interval},
	{0, 0, 0}
};

struct module_exports exports = {
	"im_participating",
	DEFAULT_DLFLAGS,
	cmds,
	params,
	0, /* RPC commands are registered in mod_init */
	0,
	0,
	mod_init,
	child_init,
	mod_destroy
};

/* clang-format off */
static sr_kemi_t sr_kemi_im_participating_exports[] = {
	{ str_init("im_participating"), str_init("im_register"),
		SR_KEMIP_INT, ki_im_register,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("im_participating"), str_init("im_originating"),
		SR_KEMIP_INT, ki_im_originating,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("im_participating"), str_init("im_terminating"),
		SR_KEMIP_INT, ki_im_terminating,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("im_participating"), str_init("im_presence_notify"),
		SR_KEMIP_INT, ki_im_presence_notify,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("im_participating"), str_init("im_session_modify"),
		SR_KEMIP_INT, ki_im_session_modify,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("im_participating"), str_init("im_session_relay"),
		SR_KEMIP_INT, ki_im_session_relay,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("im_participating"), str_init("im_session_relay_answer"),
		SR_KEMIP_INT, ki_im_session_relay_answer,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("im_participating"), str_init("im_publish_settings"),
		SR_KEMIP_INT, ki_im_publish_settings,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ {0, 0}, {0, 0}, 0, NULL, { 0, 0, 0, 0, 0, 0 } }
};
/* clang-format on */

int mod_register(char *path, int *dlflags, void *p1, void *p2)
{
	sr_kemi_modules_add(sr_kemi_im_participating_exports);
	return 0;
}

/*
 * im_controlling: the Controlling IM Function (spec 7.2, 8.3, 9.3): group
 * pager-mode exploder, conference focus and Large Message Mode. It drives
 * the external MSRP relay over the relay's control socket.
 * Kamailio glue only; the procedures live in the C++ core.
 */
#include <string.h>
#include <unistd.h>

#include "core/sr_module.h"
#include "core/dprint.h"
#include "core/kemi.h"
#include "core/rpc.h"
#include "core/rpc_lookup.h"
#include "core/counters.h"
#include "core/pt.h"
#include "core/timer_proc.h"
#include "modules/sl/sl.h"
#include "modules/tm/tm_load.h"

#include "controlling_api.h"
#include "conference_focus.h"
#include "../im_participating/api.h"
#include "kam_glue.h"
#include "kam_shm.h"
#include "kam_rpc.h"
#include "kam_module_db.h"
#include "module_api.h"

MODULE_VERSION

static int malloc_trim_threshold = 16 * 1024 * 1024;

static char *db_url = "sqlite:///var/lib/im-server/im.db";
static char *relay_control_socket = "/run/im-server/msrp-relay.sock";
static int relay_timeout = 1000;
static char *conference_factory_uri = "sip:conference-factory@example.com";
static char *trusted_core = "127.0.0.1:5060";
static int identity_from_header = 0;
static char *outbound_proxy = "sip:127.0.0.1:5060";
static int uri_list_service = 1;
static int max_recipients = 100;
static char *delivery_proxy = "";
static int group_cache = 4096;
static int session_expires = 1800;
static int remaining_participants = 1;
static int relay_watch_interval = 5;
/* outbound_proxy and delivery_proxy as str, set in mod_init. */
static str outbound_proxy_str;
static str delivery_proxy_str;

static sl_api_t slb;
static struct tm_binds tmb;
/* The recipients' terminating checks; check_copy stays NULL without im_participating. */
static im_participating_api_t participating;

/* Shared-memory state, created in mod_init before the fork. */
static im_controlling_shared_t *shared = NULL;
static int shared_creator_pid = 0;

/* Per process: SQLite handles must not cross fork(). */
static im_controlling_t *service = NULL;
static int service_pid = 0;

static kam_module_db_t database = {"im_controlling", &db_url, NULL, 0};

static stat_var *relay_unreachable;
static stat_var *group_messages_accepted;
static stat_var *group_messages_rejected;
static stat_var *copies_sent;
static stat_var *copies_delivered;
static stat_var *copies_failed;
static stat_var *copies_refused;
static stat_var *copies_checked_here;
static stat_var *internal_errors;
static im_focus_stats_t focus_stats;

static stat_export_t mod_stats[] = {
	{"relay_unreachable", 0, &relay_unreachable},
	{"group_messages_accepted", 0, &group_messages_accepted},
	{"group_messages_rejected", 0, &group_messages_rejected},
	{"copies_sent", 0, &copies_sent},
	{"copies_delivered", 0, &copies_delivered},
	{"copies_failed", 0, &copies_failed},
	{"copies_refused", 0, &copies_refused},
	{"copies_checked_here", 0, &copies_checked_here},
	{"internal_errors", 0, &internal_errors},
	{"focus_joined", 0, &focus_stats.joined},
	{"focus_refused", 0, &focus_stats.refused},
	{"focus_left", 0, &focus_stats.left},
	{"focus_sessions_released", 0, &focus_stats.released},
	{"focus_byes_sent", 0, &focus_stats.byes_sent},
	{"focus_relay_failures", 0, &focus_stats.relay_failures},
	{"focus_sessions_lost", 0, &focus_stats.lost},
	{0, 0, 0}
};

static void params_of_module(im_controlling_params_t *p)
{
	memset(p, 0, sizeof(*p));
	p->db_url = db_url;
	p->trusted_core = trusted_core;
	p->identity_from_header = identity_from_header;
	p->conference_factory_uri = conference_factory_uri;
	p->uri_list_service = uri_list_service;
	p->max_recipients = max_recipients;
	p->delivery_proxy = delivery_proxy;
	p->group_cache = group_cache;
	p->relay_control_socket = relay_control_socket;
	p->relay_timeout_ms = relay_timeout;
	p->session_expires = session_expires;
	p->remaining_participants = remaining_participants;
}

static im_controlling_t *get_service(void)
{
	im_controlling_params_t params;
	char err[512];
	int pid = my_pid(); /* cached: no syscall per request */

	if(service && service_pid == pid)
		return service;
	params_of_module(&params);
	service = im_controlling_open(&params, shared, err, sizeof(err));
	if(service == NULL) {
		LM_ERR("cannot open the controlling service: %s\n", err);
		return NULL;
	}
	service_pid = pid;
	return service;
}

/* Final reply to one copy: a failed copy is counted and logged, it does not
 * change the 202 the originator already has (8.3). */
static void copy_completed(struct cell *t, int type, struct tmcb_params *ps)
{
	if(ps->code >= 300) {
		update_stat(copies_failed, 1);
		LM_INFO("group MESSAGE copy to %.*s failed: %d\n", t->to.len, t->to.s, ps->code);
	} else {
		update_stat(copies_delivered, 1);
	}
}

static str message_method = str_init("MESSAGE");

/* What happened to the copies of one group MESSAGE, added to the statistics
 * once per group MESSAGE rather than per copy (Kamailio's counters are per
 * process, so this saves calls, not shared writes). */
typedef struct copy_tally {
	int sent;
	int checked_here;
	int refused;
	int failed;
} copy_tally_t;

/* tm's t_request() without its shared-memory dialog: t_request() copies
 * the Call-ID, From tag, From and To into a dialog it allocates in shared
 * memory (five allocations and five frees, each under Kamailio's one
 * shared-memory lock, for every copy) and frees it as soon as t_uac() has
 * built and sent the request, which only reads it. A copy's dialog lives
 * on the stack instead; Call-ID, From tag and CSeq are made as t_request()
 * makes them. */
static int send_request_once(uac_req_t *uac_r, str *ruri, str *to, str *from, str *next_hop)
{
	dlg_t dialog;
	int rc;

	memset(&dialog, 0, sizeof(dialog));
	tmb.generate_callid(&dialog.id.call_id);
	tmb.generate_fromtag(&dialog.id.loc_tag, &dialog.id.call_id, ruri);
	dialog.loc_seq.value = DEFAULT_CSEQ;
	dialog.loc_seq.is_set = 1;
	dialog.loc_uri = *from;
	dialog.rem_uri = *to;
	dialog.rem_target = *ruri;
	if(next_hop != NULL)
		dialog.dst_uri = *next_hop;
	uac_r->dialog = &dialog; /* t_uac() calculates its hooks */
	rc = tmb.t_uac(uac_r);
	uac_r->dialog = NULL;
	return rc;
}

/* Sends one copy through the SIP/IP core, statefully; a copy its
 * recipient's checks refused is only counted and logged (8.3: it does not
 * change the 202). */
static int send_copy(void *ctx, const im_copy_t *copy)
{
	copy_tally_t *tally = ctx;
	uac_req_t uac_r;
	str ruri = {(char *)copy->request_uri.s, copy->request_uri.len};
	str from = {(char *)copy->from.s, copy->from.len};
	str to = {(char *)copy->to.s, copy->to.len};
	str headers = {(char *)copy->headers.s, copy->headers.len};
	str body = {(char *)copy->body.s, copy->body.len};
	/* Checked here: to the core's delivery socket, which delivers it. */
	str *proxy = copy->fate == IM_COPY_DELIVER ? &delivery_proxy_str : &outbound_proxy_str;

	if(copy->fate == IM_COPY_REFUSED) {
		tally->refused++;
		tally->failed++;
		LM_INFO("group MESSAGE copy to %.*s refused by the recipient's checks: %d %s\n",
				ruri.len, ruri.s, copy->refusal_code, copy->refusal_reason);
		return 0;
	}
	if(copy->fate == IM_COPY_DELIVER)
		tally->checked_here++;
	set_uac_req(&uac_r, &message_method, &headers, &body, 0, TMCB_LOCAL_COMPLETED, copy_completed, 0);
	if(send_request_once(&uac_r, &ruri, &to, &from, proxy->len ? proxy : NULL) < 0) {
		LM_ERR("cannot send the group MESSAGE copy to %.*s\n", ruri.len, ruri.s);
		tally->failed++;
		return -1;
	}
	tally->sent++;
	return 0;
}

static void count_copies(const copy_tally_t *tally)
{
	if(tally->sent)
		update_stat(copies_sent, tally->sent);
	if(tally->checked_here)
		update_stat(copies_checked_here, tally->checked_here);
	if(tally->refused)
		update_stat(copies_refused, tally->refused);
	if(tally->failed)
		update_stat(copies_failed, tally->failed);
}

static int ki_im_controlling_target(sip_msg_t *msg)
{
	kam_request_t req;
	im_controlling_t *svc = get_service();

	if(svc == NULL || kam_request_view(msg, &req) < 0)
		return -1;
	return im_controlling_owns(svc, &req.view) == 1 ? 1 : -1;
}

static int ki_im_group_message(sip_msg_t *msg)
{
	kam_request_t req;
	im_action_t action;
	copy_tally_t tally = {0, 0, 0, 0};
	int copies = 0, failed;
	im_controlling_t *svc = get_service();

	if(svc == NULL || kam_request_view(msg, &req) < 0) {
		update_stat(internal_errors, 1);
		kam_send_reply(msg, &slb, 500, "Server Internal Error", NULL);
		return 0;
	}
	failed = im_controlling_group_message(svc, &req.view, &action, &participating.copy_checks,
			send_copy, &tally, &copies);
	count_copies(&tally);
	if(failed < 0)
		update_stat(internal_errors, 1);
	if(action.reply_code >= 300) {
		update_stat(group_messages_rejected, 1);
		LM_INFO("group MESSAGE to %.*s rejected: %d %s\n", req.view.request_uri.len,
				req.view.request_uri.s, action.reply_code, action.reply_reason);
	} else {
		update_stat(group_messages_accepted, 1);
		LM_INFO("group MESSAGE to %.*s: %d copies, %d not sent\n", req.view.request_uri.len,
				req.view.request_uri.s, copies, failed > 0 ? failed : 0);
	}
	kam_apply_action(msg, &slb, &action);
	return 0;
}

static int ki_im_conference_invite(sip_msg_t *msg)
{
	im_controlling_t *svc = get_service();

	if(svc == NULL) {
		update_stat(internal_errors, 1);
		kam_send_reply(msg, &slb, 500, "Server Internal Error", NULL);
		return 0;
	}
	if(im_focus_invite(msg, svc) < 0)
		update_stat(internal_errors, 1);
	return 0;
}

static int ki_im_conference_uri(sip_msg_t *msg)
{
	kam_request_t req;
	im_controlling_t *svc = get_service();

	if(svc == NULL || kam_request_view(msg, &req) < 0)
		return -1;
	return im_controlling_focus_uri(svc, &req.view) == 1 ? 1 : -1;
}

static int ki_im_conference_dialog(sip_msg_t *msg)
{
	im_controlling_t *svc = get_service();

	if(svc == NULL) {
		update_stat(internal_errors, 1);
		if(msg->first_line.u.request.method_value != METHOD_ACK)
			kam_send_reply(msg, &slb, 500, "Server Internal Error", NULL);
		return 0;
	}
	if(im_focus_dialog(msg, svc) < 0)
		update_stat(internal_errors, 1);
	return 0;
}

static int w_im_conference_invite(sip_msg_t *msg, char *p1, char *p2)
{
	return ki_im_conference_invite(msg);
}

static int w_im_conference_uri(sip_msg_t *msg, char *p1, char *p2)
{
	return ki_im_conference_uri(msg);
}

static int w_im_conference_dialog(sip_msg_t *msg, char *p1, char *p2)
{
	return ki_im_conference_dialog(msg);
}

static int w_im_controlling_target(sip_msg_t *msg, char *p1, char *p2)
{
	return ki_im_controlling_target(msg);
}

static int w_im_group_message(sip_msg_t *msg, char *p1, char *p2)
{
	return ki_im_group_message(msg);
}

static const char *rpc_status_doc[] = {"Controlling IM Function status: groups and MSRP relay reachability.", 0};

static void rpc_status(rpc_t *rpc, void *ctx)
{
	void *th;
	im_relay_status_t relay;
	char err[256];
	int relay_ok = im_relay_status(relay_control_socket, relay_timeout, &relay, err, sizeof(err)) == 0;

	if(!relay_ok)
		update_stat(relay_unreachable, 1);
	if(rpc->add(ctx, "{", &th) < 0)
		return;
	rpc->struct_add(th, "ssss", "module", "im_controlling", "state", "running",
			"conference_factory_uri", conference_factory_uri,
			"relay", relay_ok ? "reachable" : "unreachable");
	if(kam_module_db_rpc_counts(&database, rpc, th) < 0)
		rpc->struct_add(th, "s", "database", "unavailable");
}

static const char *rpc_relay_status_doc[] = {"The MSRP relay's own STATUS: uptime, connections, sessions, bytes.", 0};

static void rpc_relay_status(rpc_t *rpc, void *ctx)
{
	void *th;
	int i;
	im_relay_status_t relay;
	char err[256];

	if(im_relay_status(relay_control_socket, relay_timeout, &relay, err, sizeof(err)) < 0) {
		update_stat(relay_unreachable, 1);
		rpc->fault(ctx, 503, "MSRP relay unreachable: %s", err);
		return;
	}
	if(rpc->add(ctx, "{", &th) < 0)
		return;
	rpc->struct_add(th, "s", "control_socket", relay_control_socket);
	for(i = 0; i < relay.field_count; i++)
		rpc->struct_add(th, "s", relay.key[i], relay.value[i]);
}

KAM_TEXT_RPC(rpc_group_create, im_controlling_t, get_service, 1, 1,
		im_controlling_group_create(svc, args[0], args[1], out, sizeof(out)))
KAM_TEXT_RPC(rpc_group_delete, im_controlling_t, get_service, 1, 0,
		im_focus_group_delete(svc, args[0], out, sizeof(out)))
KAM_TEXT_RPC(rpc_group_show, im_controlling_t, get_service, 1, 0,
		im_controlling_group_show(svc, args[0], out, sizeof(out)))
KAM_TEXT_RPC(rpc_group_list, im_controlling_t, get_service, 0, 0,
		im_controlling_group_list(svc, out, sizeof(out)))
KAM_TEXT_RPC(rpc_group_set, im_controlling_t, get_service, 3, 0,
		im_controlling_group_set(svc, args[0], args[1], args[2], out, sizeof(out)))
KAM_TEXT_RPC(rpc_member_add, im_controlling_t, get_service, 2, 2,
		im_controlling_member_add(svc, args[0], args[1], args[2], args[3], out, sizeof(out)))
KAM_TEXT_RPC(rpc_member_remove, im_controlling_t, get_service, 2, 0,
		im_controlling_member_remove(svc, args[0], args[1], out, sizeof(out)))

static const char *rpc_group_create_doc[] = {"Create a pre-defined group: im_controlling.group_create <group uri> [display name]", 0};
static const char *rpc_group_delete_doc[] = {"Delete a group and its members, releasing its IM session (BYE to every participant): im_controlling.group_delete <group uri>", 0};
static const char *rpc_group_show_doc[] = {"Show a group, its rules and members: im_controlling.group_show <group uri>", 0};
static const char *rpc_group_list_doc[] = {"List the groups.", 0};
static const char *rpc_group_set_doc[] = {"Change a group attribute: im_controlling.group_set <group uri> <display_name|max_participants|anonymity_allowed|auto_release|invite_members|may_send_pager|may_join|may_initiate_session|may_add_users> <value>", 0};
static const char *rpc_member_add_doc[] = {"Add or change a member: im_controlling.group_member_add <group uri> <member uri> [nickname] [owner|participant]", 0};
static const char *rpc_member_remove_doc[] = {"Remove a member: im_controlling.group_member_remove <group uri> <member uri>", 0};

static rpc_export_t rpc_cmds[] = {
	{"im_controlling.group_create", rpc_group_create, rpc_group_create_doc, RET_ARRAY},
	{"im_controlling.group_delete", rpc_group_delete, rpc_group_delete_doc, RET_ARRAY},
	{"im_controlling.group_show", rpc_group_show, rpc_group_show_doc, RET_ARRAY},
	{"im_controlling.group_list", rpc_group_list, rpc_group_list_doc, RET_ARRAY},
	{"im_controlling.group_set", rpc_group_set, rpc_group_set_doc, RET_ARRAY},
	{"im_controlling.group_member_add", rpc_member_add, rpc_member_add_doc, RET_ARRAY},
	{"im_controlling.group_member_remove", rpc_member_remove, rpc_member_remove_doc, RET_ARRAY},
	{"im_controlling.status", rpc_status, rpc_status_doc, 0},
	{"im_controlling.relay_status", rpc_relay_status, rpc_relay_status_doc, 0},
	{0, 0, 0, 0}
};

static int mod_init(void)
{
	im_controlling_params_t params;
	char err[512];

	kam_keep_freed_heap(malloc_trim_threshold);

	if(sl_load_api(&slb) != 0) {
		LM_ERR("cannot bind to the sl module\n");
		return -1;
	}
	if(load_tm_api(&tmb) != 0) {
		LM_ERR("cannot bind to the tm module: load tm.so first\n");
		return -1;
	}
	memset(&participating, 0, sizeof(participating));
	if(im_participating_load_api(&participating) < 0)
		LM_INFO("im_participating not loaded: group MESSAGE copies go through the core's terminating filter\n");
	else if(*delivery_proxy == '\0')
		LM_INFO("delivery_proxy not set: group MESSAGE copies go through the core's terminating filter\n");
	im_focus_init(&slb, &tmb, &focus_stats);
	outbound_proxy_str.s = outbound_proxy;
	outbound_proxy_str.len = (int)strlen(outbound_proxy);
	delivery_proxy_str.s = delivery_proxy;
	delivery_proxy_str.len = (int)strlen(delivery_proxy);
	params_of_module(&params);
	if(im_controlling_check(&params, err, sizeof(err)) < 0) {
		LM_ERR("im_controlling configuration: %s\n", err);
		return -1;
	}
	shared = im_controlling_shared_create(kam_shm_ops(), err, sizeof(err));
	if(shared == NULL) {
		LM_ERR("im_controlling shared state: %s\n", err);
		return -1;
	}
	shared_creator_pid = getpid();
	if(relay_watch_interval > 0 && register_basic_timers(1) < 0) {
		LM_ERR("cannot register the conference focus's relay watch\n");
		return -1;
	}
	if(rpc_register_array(rpc_cmds) != 0) {
		LM_ERR("cannot register RPC commands\n");
		return -1;
	}
	if(register_module_stats("im_controlling", mod_stats) != 0) {
		LM_ERR("cannot register statistics\n");
		return -1;
	}
	return 0;
}

/* The conference focus's relay watch (timer process). */
static void relay_watch(unsigned int ticks, void *param)
{
	im_controlling_t *svc = get_service();

	if(svc != NULL)
		im_focus_watch(svc);
}

static int child_init(int rank)
{
	if(rank != PROC_MAIN || relay_watch_interval <= 0)
		return 0;
	if(fork_basic_timer(PROC_TIMER, "IM FOCUS WATCH", 1, relay_watch, NULL, relay_watch_interval) < 0) {
		LM_ERR("cannot start the conference focus's relay watch\n");
		return -1;
	}
	return 0;
}

static void mod_destroy(void)
{
	kam_module_db_close(&database);
	if(service && service_pid == getpid())
		im_controlling_close(service);
	service = NULL;
	if(shared && shared_creator_pid == getpid())
		im_controlling_shared_destroy(shared);
	shared = NULL;
}

static cmd_export_t cmds[] = {
	{"im_controlling_target", (cmd_function)w_im_controlling_target, 0, 0, 0, REQUEST_ROUTE},
	{"im_group_message", (cmd_function)w_im_group_message, 0, 0, 0, REQUEST_ROUTE},
	{"im_conference_invite", (cmd_function)w_im_conference_invite, 0, 0, 0, REQUEST_ROUTE},
	{"im_conference_uri", (cmd_function)w_im_conference_uri, 0, 0, 0, REQUEST_ROUTE},
	{"im_conference_dialog", (cmd_function)w_im_conference_dialog, 0, 0, 0, REQUEST_ROUTE},
	{0, 0, 0, 0, 0, 0}
};

static param_export_t params[] = {
	{"malloc_trim_threshold", INT_PARAM, &malloc_trim_threshold},
	{"db_url", PARAM_STRING, &db_url},
	{"relay_control_socket", PARAM_STRING, &relay_control_socket},
	{"relay_timeout", INT_PARAM, &relay_timeout},
	{"conference_factory_uri", PARAM_STRING, &conference_factory_uri},
	{"trusted_core", PARAM_STRING, &trusted_core},
	{"identity_from_header", INT_PARAM, &identity_from_header},
	{"outbound_proxy", PARAM_STRING, &outbound_proxy},
	{"uri_list_service", INT_PARAM, &uri_list_service},
	{"max_recipients", INT_PARAM, &max_recipients},
	{"delivery_proxy", PARAM_STRING, &delivery_proxy},
	{"group_cache", INT_PARAM, &group_cache},
	{"session_expires", INT_PARAM, &session_expires},
	{"remaining_participants", INT_PARAM, &remaining_participants},
	{"relay_watch_interval", INT_PARAM, &relay_watch_interval},
	{0, 0, 0}
};

struct module_exports exports = {
	"im_controlling",
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
static sr_kemi_t sr_kemi_im_controlling_exports[] = {
	{ str_init("im_controlling"), str_init("im_controlling_target"),
		SR_KEMIP_INT, ki_im_controlling_target,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("im_controlling"), str_init("im_group_message"),
		SR_KEMIP_INT, ki_im_group_message,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("im_controlling"), str_init("im_conference_invite"),
		SR_KEMIP_INT, ki_im_conference_invite,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("im_controlling"), str_init("im_conference_uri"),
		SR_KEMIP_INT, ki_im_conference_uri,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("im_controlling"), str_init("im_conference_dialog"),
		SR_KEMIP_INT, ki_im_conference_dialog,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ {0, 0}, {0, 0}, 0, NULL, { 0, 0, 0, 0, 0, 0 } }
};
/* clang-format on */

int mod_register(char *path, int *dlflags, void *p1, void *p2)
{
	sr_kemi_modules_add(sr_kemi_im_controlling_exports);
	return 0;
}

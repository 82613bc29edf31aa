/*
 * im_history: the History Function (spec 11.2, 11.3, appendix L):
 * conversation recording, storage with metadata, retrieval.
 * Kamailio glue only; the procedures live in the C++ core.
 */
#include <stdio.h>
#include <string.h>

#include "core/sr_module.h"
#include "core/dprint.h"
#include "core/kemi.h"
#include "core/counters.h"
#include "core/pt.h"
#include "core/rpc.h"
#include "core/rpc_lookup.h"
#include "modules/sl/sl.h"
#include "modules/tm/tm_load.h"

#include "history_api.h"
#include "kam_dialog.h"
#include "kam_glue.h"
#include "kam_module_db.h"
#include "kam_rpc.h"

MODULE_VERSION

static char *db_url = "sqlite:///var/lib/im-server/im.db";
static char *history_uri = "sip:history@example.com";
static char *trusted_core = "127.0.0.1:5060";
static int identity_from_header = 0;
static char *relay_control_socket = "/run/im-server/msrp-relay.sock";
static int relay_timeout = 1000;

static sl_api_t slb;
static struct tm_binds tmb;

/* Per process: SQLite handles must not cross fork(). */
static im_history_t *service = NULL;
static int service_pid = 0;

static kam_module_db_t database = {"im_history", &db_url, NULL, 0};

static stat_var *refers_accepted;
static stat_var *refers_refused;
static stat_var *recordings_started;
static stat_var *recordings_stopped;
static stat_var *notifies_sent;
static stat_var *internal_errors;

static stat_export_t mod_stats[] = {
	{"refers_accepted", 0, &refers_accepted},
	{"refers_refused", 0, &refers_refused},
	{"recordings_started", 0, &recordings_started},
	{"recordings_stopped", 0, &recordings_stopped},
	{"notifies_sent", 0, &notifies_sent},
	{"internal_errors", 0, &internal_errors},
	{0, 0, 0}
};

static void params_of_module(im_history_params_t *p)
{
	memset(p, 0, sizeof(*p));
	p->db_url = db_url;
	p->history_uri = history_uri;
	p->trusted_core = trusted_core;
	p->identity_from_header = identity_from_header;
	p->relay_control_socket = relay_control_socket;
	p->relay_timeout_ms = relay_timeout;
}

static im_history_t *get_service(void)
{
	im_history_params_t params;
	char err[512];
	int pid = my_pid();

	if(service && service_pid == pid)
		return service;
	params_of_module(&params);
	service = im_history_open(&params, err, sizeof(err));
	if(service == NULL) {
		LM_ERR("cannot open the History Function: %s\n", err);
		return NULL;
	}
	service_pid = pid;
	return service;
}

static int ki_im_history_target(sip_msg_t *msg)
{
	kam_request_t req;
	im_history_t *svc = get_service();

	if(svc == NULL || kam_request_view(msg, &req) < 0)
		return -1;
	return im_history_owns(svc, &req.view) == 1 ? 1 : -1;
}

static void notify_completed(struct cell *t, int type, struct tmcb_params *ps)
{
	if(ps->code >= 300)
		LM_INFO("History Function: NOTIFY to %.*s answered %d\n", t->to.len, t->to.s, ps->code);
}

/* The REFER's one Refer-To (RFC 3515 2.4.1): 1, 0 when there is none, -1
 * when there are several. */
static int refer_to_of(sip_msg_t *msg, char *buf, int size)
{
	buf[0] = '\0';
	if(parse_headers(msg, HDR_EOH_F, 0) < 0)
		return -1;
	if(msg->refer_to == NULL)
		return 0;
	if(next_sibling_hdr(msg->refer_to) != NULL || kam_copy_str(&msg->refer_to->body, buf, size) < 0)
		return -1;
	return 1;
}

/* RFC 3515 2.4.4-2.4.5: the NOTIFY that reports the outcome and ends the
 * implicit subscription, in the REFER's dialog (the History Function is
 * its UAS). */
static void send_outcome_notify(const kam_uas_dialog_t *dialog, const char *contact, const char *status)
{
	char headers[KAM_DIALOG_ADDRESS + 256], body[128];
	im_dialog_t ref;

	snprintf(headers, sizeof(headers),
			"Event: refer\r\nSubscription-State: terminated;reason=noresource\r\n"
			"Contact: %s\r\nContent-Type: message/sipfrag;version=2.0\r\nUser-Agent: IM-serv/OMA1.0\r\n",
			contact);
	snprintf(body, sizeof(body), "%s\r\n", status);
	kam_dialog_view(dialog, 1, &ref);
	if(kam_send_within(&tmb, &ref, "NOTIFY", headers, body, notify_completed) == 0)
		update_stat(notifies_sent, 1);
}

static int ki_im_history_refer(sip_msg_t *msg)
{
	kam_request_t req;
	kam_uas_dialog_t dialog;
	im_history_refer_outcome_t outcome;
	char refer_to[1024], address[KAM_DIALOG_ADDRESS], contact[KAM_DIALOG_ADDRESS + 32];
	im_history_t *svc = get_service();
	int rc;

	rc = kam_ensure_transaction(&tmb, msg);
	if(rc <= 0)
		return rc;
	if(svc == NULL) {
		update_stat(internal_errors, 1);
		kam_send_reply(msg, &slb, 500, "Server Internal Error", NULL);
		return 0;
	}
	if(kam_request_view(msg, &req) < 0 || refer_to_of(msg, refer_to, sizeof(refer_to)) < 0) {
		update_stat(refers_refused, 1);
		kam_send_reply(msg, &slb, 400, "Bad Request", "Warning: 399 IM-serv \"A REFER needs one Refer-To\"\r\n");
		return 0;
	}
	/* The REFER creates a dialog, where the NOTIFY goes (RFC 3515 2.4.1). */
	rc = kam_uas_dialog_of(&tmb, msg, &dialog);
	if(rc == -1) {
		update_stat(refers_refused, 1);
		kam_send_reply(msg, &slb, 400, "Bad Request",
				"Warning: 399 IM-serv \"A Contact and a From tag are needed\"\r\n");
		return 0;
	}
	if(rc < 0 || kam_local_address_of(msg, address, sizeof(address)) < 0) {
		update_stat(internal_errors, 1);
		kam_send_reply(msg, &slb, 500, "Server Internal Error", NULL);
		return 0;
	}
	snprintf(contact, sizeof(contact), "<sip:im-history@%s>", address);

	if(im_history_refer(svc, &req.view, refer_to, contact, &outcome) < 0) {
		update_stat(internal_errors, 1);
		LM_ERR("History Function: REFER from %.*s: %s\n", req.view.from_uri.len, req.view.from_uri.s,
				outcome.error);
	} else if(outcome.action.reply_code == 202) {
		update_stat(refers_accepted, 1);
		if(outcome.started)
			update_stat(recordings_started, 1);
		if(outcome.stopped)
			update_stat(recordings_stopped, 1);
		LM_INFO("History Function: %.*s %s the recording of session %s\n", req.view.from_uri.len,
				req.view.from_uri.s, outcome.stopped ? "stopped" : "started", outcome.conference);
	} else {
		update_stat(refers_refused, 1);
		LM_INFO("History Function: REFER from %.*s (Refer-To %s) refused: %d %s\n", req.view.from_uri.len,
				req.view.from_uri.s, refer_to, outcome.action.reply_code, outcome.action.reply_reason);
	}
	kam_apply_action(msg, &slb, &outcome.action);
	if(outcome.action.reply_code == 202)
		send_outcome_notify(&dialog, contact, outcome.notify_status);
	return 0;
}

static int w_im_history_target(sip_msg_t *msg, char *p1, char *p2)
{
	return ki_im_history_target(msg);
}

static int w_im_history_refer(sip_msg_t *msg, char *p1, char *p2)
{
	return ki_im_history_refer(msg);
}

static const char *rpc_status_doc[] = {"History Function status: recorded conversations and messages.", 0};

static void rpc_status(rpc_t *rpc, void *ctx)
{
	void *th;

	if(rpc->add(ctx, "{", &th) < 0)
		return;
	rpc->struct_add(th, "sss", "module", "im_history", "state", "running", "history_uri", history_uri);
	if(kam_module_db_rpc_counts(&database, rpc, th) < 0)
		rpc->struct_add(th, "s", "database", "unavailable");
}

KAM_TEXT_RPC(rpc_recordings, im_history_t, get_service, 1, 0, im_history_recordings(svc, args[0], out, sizeof(out)))

static const char *rpc_recordings_doc[] = {"A user's session recordings and their stored messages: im_history.recordings <user uri>", 0};

static rpc_export_t rpc_cmds[] = {
	{"im_history.status", rpc_status, rpc_status_doc, 0},
	{"im_history.recordings", rpc_recordings, rpc_recordings_doc, RET_ARRAY},
	{0, 0, 0, 0}
};

static int mod_init(void)
{
	im_history_params_t params;
	char err[512];

	if(sl_load_api(&slb) != 0) {
		LM_ERR("cannot bind to the sl module\n");
		return -1;
	}
	if(load_tm_api(&tmb) != 0) {
		LM_ERR("cannot bind to the tm module: load tm.so first\n");
		return -1;
	}
	if(kam_module_db_check(&database) < 0)
		return -1;
	params_of_module(&params);
	if(im_history_check(&params, err, sizeof(err)) < 0) {
		LM_ERR("im_history configuration: %s\n", err);
		return -1;
	}
	if(rpc_register_array(rpc_cmds) != 0) {
		LM_ERR("cannot register RPC commands\n");
		return -1;
	}
	if(register_module_stats("im_history", mod_stats) != 0) {
		LM_ERR("cannot register statistics\n");
		return -1;
	}
	return 0;
}

static void mod_destroy(void)
{
	kam_module_db_close(&database);
	if(service && service_pid == getpid())
		im_history_close(service);
	service = NULL;
}

static cmd_export_t cmds[] = {
	{"im_history_target", (cmd_function)w_im_history_target, 0, 0, 0, REQUEST_ROUTE},
	{"im_history_refer", (cmd_function)w_im_history_refer, 0, 0, 0, REQUEST_ROUTE},
	{0, 0, 0, 0, 0, 0}
};

static param_export_t params[] = {
	{"db_url", PARAM_STRING, &db_url},
	{"history_uri", PARAM_STRING, &history_uri},
	{"trusted_core", PARAM_STRING, &trusted_core},
	{"identity_from_header", INT_PARAM, &identity_from_header},
	{"relay_control_socket", PARAM_STRING, &relay_control_socket},
	{"relay_timeout", INT_PARAM, &relay_timeout},
	{0, 0, 0}
};

struct module_exports exports = {
	"im_history",
	DEFAULT_DLFLAGS,
	cmds,
	params,
	0, /* RPC commands are registered in mod_init */
	0,
	0,
	mod_init,
	0,
	mod_destroy
};

/* clang-format off */
static sr_kemi_t sr_kemi_im_history_exports[] = {
	{ str_init("im_history"), str_init("im_history_target"),
		SR_KEMIP_INT, ki_im_history_target,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("im_history"), str_init("im_history_refer"),
		SR_KEMIP_INT, ki_im_history_refer,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ {0, 0}, {0, 0}, 0, NULL, { 0, 0, 0, 0, 0, 0 } }
};
/* clang-format on */

int mod_register(char *path, int *dlflags, void *p1, void *p2)
{
	sr_kemi_modules_add(sr_kemi_im_history_exports);
	return 0;
}

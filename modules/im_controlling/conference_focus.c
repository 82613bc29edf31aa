/*
 * The conference focus (spec 7.2): Kamailio glue. See conference_focus.h.
 */
#include <stdio.h>
#include <string.h>

#include "core/dprint.h"
#include "core/data_lump_rpl.h"
#include "core/parser/parse_supported.h"

#include "kam_dialog.h"
#include "kam_glue.h"
#include "conference_focus.h"

static sl_api_t *slb = NULL;
static struct tm_binds *tmb = NULL;
/* The module's counters: registered after im_focus_init, read when used. */
static const im_focus_stats_t *stats = NULL;

void im_focus_init(sl_api_t *sl, struct tm_binds *tm, const im_focus_stats_t *focus_stats)
{
	slb = sl;
	tmb = tm;
	stats = focus_stats;
}

/* Sends reply r through the transaction, with its body when it has one. */
static int send_focus_reply(sip_msg_t *msg, const im_focus_reply_t *r)
{
	char headers[IM_ACTION_TEXT + 64];
	int body_len = (int)strlen(r->body);

	if(body_len > 0) {
		snprintf(headers, sizeof(headers), "%sContent-Type: application/sdp\r\n", r->action.reply_headers);
		if(add_lump_rpl(msg, (char *)r->body, body_len, LUMP_RPL_BODY) == 0) {
			LM_ERR("cannot add the reply body\n");
			return -1;
		}
	} else {
		snprintf(headers, sizeof(headers), "%s", r->action.reply_headers);
	}
	return kam_send_reply(msg, slb, r->action.reply_code, r->action.reply_reason, headers);
}

int im_focus_invite(sip_msg_t *msg, im_controlling_t *svc)
{
	kam_request_t req;
	kam_uas_dialog_t dialog;
	im_focus_invite_t invite;
	im_focus_reply_t *reply = NULL;
	char focus_address[KAM_DIALOG_ADDRESS];
	int rc;

	rc = kam_ensure_transaction(tmb, msg);
	if(rc <= 0)
		return rc;
	if(kam_request_view(msg, &req) < 0) {
		kam_send_reply(msg, slb, 400, "Bad Request", NULL);
		return 0;
	}
	if(msg->contact == NULL) {
		LM_INFO("INVITE to the focus %.*s without a Contact\n", req.view.request_uri.len, req.view.request_uri.s);
		kam_send_reply(msg, slb, 400, "Bad Request", "Warning: 399 IM-serv \"A Contact is needed\"\r\n");
		return 0;
	}
	rc = kam_uas_dialog_of(tmb, msg, &dialog);
	if(rc == -1) {
		LM_INFO("INVITE to the focus %.*s: no usable dialog (From tag, Contact, Record-Route)\n",
				req.view.request_uri.len, req.view.request_uri.s);
		kam_send_reply(msg, slb, 400, "Bad Request", "Warning: 399 IM-serv \"A Contact and a From tag are needed\"\r\n");
		return 0;
	}
	if(rc < 0 || kam_local_address_of(msg, focus_address, sizeof(focus_address)) < 0) {
		kam_send_reply(msg, slb, 500, "Server Internal Error", NULL);
		return 0;
	}
	invite.local_tag = dialog.local_tag;
	invite.remote_tag = dialog.remote_tag;
	invite.route_set = dialog.route_set;
	invite.remote_target = dialog.remote_target;
	invite.socket = dialog.socket;
	invite.focus_address = focus_address;
	invite.timer_supported = parse_supported(msg) == 0 && (get_supported(msg) & F_OPTION_TAG_TIMER) != 0;

	/* Too large for a worker's stack frame next to the request view. */
	reply = pkg_malloc(sizeof(*reply));
	if(reply == NULL) {
		PKG_MEM_ERROR;
		kam_send_reply(msg, slb, 500, "Server Internal Error", NULL);
		return 0;
	}
	if(im_controlling_focus_invite(svc, &req.view, &invite, reply) < 0) {
		LM_ERR("conference focus: INVITE to %.*s: %s\n", req.view.request_uri.len, req.view.request_uri.s,
				reply->body);
		reply->body[0] = '\0';
	} else if(reply->switch_failed) {
		update_stat(stats->relay_failures, 1);
		LM_ERR("conference focus: INVITE to %.*s refused: %s\n", req.view.request_uri.len,
				req.view.request_uri.s, reply->body);
		reply->body[0] = '\0';
	} else if(reply->action.reply_code == 200) {
		update_stat(stats->joined, 1);
		LM_INFO("conference focus: %.*s joined session %s of %.*s\n", req.view.from_uri.len, req.view.from_uri.s,
				reply->conference, req.view.request_uri.len, req.view.request_uri.s);
	} else {
		update_stat(stats->refused, 1);
		LM_INFO("conference focus: INVITE from %.*s to %.*s refused: %d %s\n", req.view.from_uri.len,
				req.view.from_uri.s, req.view.request_uri.len, req.view.request_uri.s, reply->action.reply_code,
				reply->action.reply_reason);
	}
	send_focus_reply(msg, reply);
	pkg_free(reply);
	return 0;
}

static void bye_completed(struct cell *t, int type, struct tmcb_params *ps)
{
	if(ps->code >= 300)
		LM_INFO("conference focus: BYE to %.*s answered %d\n", t->to.len, t->to.s, ps->code);
}

/* 7.2.1.9: a BYE in the participant's dialog, where the focus is the UAS
 * of the INVITE (as presence builds its NOTIFYs' dialogs). */
static void send_bye(void *ctx, const im_focus_bye_t *bye)
{
	if(kam_send_within(tmb, &bye->dialog, "BYE", "User-Agent: IM-serv/OMA1.0\r\n", NULL, bye_completed) < 0) {
		LM_ERR("conference focus: no BYE to %s (session %s)\n", bye->dialog.remote_uri, bye->conference);
	} else {
		update_stat(stats->byes_sent, 1);
		LM_INFO("conference focus: BYE to %s, session %s released\n", bye->identity, bye->conference);
	}
}

int im_focus_dialog(sip_msg_t *msg, im_controlling_t *svc)
{
	kam_request_t req;
	im_focus_reply_t *reply;
	int is_ack = msg->first_line.u.request.method_value == METHOD_ACK;
	int byes, rc;

	if(!is_ack) {
		rc = kam_ensure_transaction(tmb, msg);
		if(rc <= 0)
			return rc;
	}
	if(kam_request_view(msg, &req) < 0) {
		if(!is_ack)
			kam_send_reply(msg, slb, 400, "Bad Request", NULL);
		return 0;
	}
	reply = pkg_malloc(sizeof(*reply));
	if(reply == NULL) {
		PKG_MEM_ERROR;
		if(!is_ack)
			kam_send_reply(msg, slb, 500, "Server Internal Error", NULL);
		return 0;
	}
	byes = im_controlling_focus_dialog(svc, &req.view, reply, send_bye, NULL);
	if(byes < 0) {
		LM_ERR("conference focus: %.*s in dialog %.*s: %s\n", req.view.method.len, req.view.method.s,
				req.view.call_id.len, req.view.call_id.s, reply->body);
		reply->body[0] = '\0';
	} else if(msg->first_line.u.request.method_value == METHOD_BYE && reply->action.reply_code == 200) {
		update_stat(stats->left, 1);
		if(reply->session_ended)
			update_stat(stats->released, 1);
		LM_INFO("conference focus: %.*s left (dialog %.*s)%s\n", req.view.from_uri.len, req.view.from_uri.s,
				req.view.call_id.len, req.view.call_id.s, reply->session_ended ? ", session released" : "");
	}
	if(reply->action.reply_code > 0)
		send_focus_reply(msg, reply);
	pkg_free(reply);
	return 0;
}

int im_focus_group_delete(im_controlling_t *svc, const char *uri, char *out, size_t out_size)
{
	int released = 0;
	int rc = im_controlling_group_delete(svc, uri, send_bye, NULL, &released, out, out_size);

	if(rc == 0 && released) {
		update_stat(stats->released, 1);
		LM_INFO("conference focus: group %s deleted, its session released\n", uri);
	}
	return rc;
}

void im_focus_watch(im_controlling_t *svc)
{
	static int relay_was_down = 0;
	char err[512];
	int byes;

	byes = im_controlling_focus_watch(svc, send_bye, NULL, err, sizeof(err));
	if(byes == -2) {
		if(!relay_was_down)
			LM_WARN("conference focus: cannot list the relay's sessions: %s\n", err);
		relay_was_down = 1;
		return;
	}
	if(relay_was_down)
		LM_NOTICE("conference focus: the MSRP relay answers again\n");
	relay_was_down = 0;
	if(byes < 0) {
		LM_ERR("conference focus: checking the sessions at the relay: %s\n", err);
		return;
	}
	if(byes > 0) {
		update_stat(stats->lost, 1);
		LM_NOTICE("conference focus: sessions lost by the MSRP relay ended, %d BYEs\n", byes);
	}
}

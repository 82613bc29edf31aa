/*
 * The conference focus (spec 7.2): Kamailio glue. See conference_focus.h.
 */
#include <stdio.h>
#include <string.h>

#include "core/dprint.h"
#include "core/data_lump_rpl.h"
#include "core/socket_info.h"
#include "core/parser/parse_from.h"
#include "core/parser/parse_rr.h"
#include "core/parser/parse_supported.h"
#include "core/parser/contact/parse_contact.h"

#include "kam_glue.h"
#include "conference_focus.h"

#define ROUTE_SET_SIZE 2048
#define TAG_SIZE 128
#define TARGET_SIZE 512
#define FOCUS_ADDRESS_SIZE 256
#define SOCKET_SIZE 128

static sl_api_t *slb = NULL;
static struct tm_binds *tmb = NULL;
/* The module's counters: registered after im_focus_init, read when used. */
static const im_focus_stats_t *stats = NULL;

static str bye_method = str_init("BYE");
static str bye_headers = str_init("User-Agent: IM-serv/OMA1.0\r\n");

void im_focus_init(sl_api_t *sl, struct tm_binds *tm, const im_focus_stats_t *focus_stats)
{
	slb = sl;
	tmb = tm;
	stats = focus_stats;
}

/* The request's transaction, created here when the script has none, so that
 * a retransmitted INVITE or BYE gets the same reply instead of being run
 * again. 1 go on, 0 a retransmission tm absorbed, -1 error. */
static int ensure_transaction(sip_msg_t *msg)
{
	struct cell *t = tmb->t_gett();
	int rc;

	if(t != NULL && t != T_UNDEFINED)
		return 1;
	rc = tmb->t_newtran(msg);
	if(rc < 0) {
		LM_ERR("cannot create the transaction of %.*s\n", msg->first_line.u.request.method.len,
				msg->first_line.u.request.method.s);
		return -1;
	}
	return rc == 0 ? 0 : 1;
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

/* The INVITE's Record-Route values in order, comma-separated (RFC 3261
 * 12.1.1: the UAS's route set). 0, or -1 when they do not fit. */
static int route_set_of(sip_msg_t *msg, char *buf, int size)
{
	struct hdr_field *hf;
	int len = 0;

	buf[0] = '\0';
	if(parse_headers(msg, HDR_EOH_F, 0) < 0)
		return -1;
	for(hf = msg->headers; hf; hf = hf->next) {
		if(hf->type != HDR_RECORDROUTE_T)
			continue;
		if(len + hf->body.len + 3 > size)
			return -1;
		if(len > 0) {
			memcpy(buf + len, ", ", 2);
			len += 2;
		}
		memcpy(buf + len, hf->body.s, hf->body.len);
		len += hf->body.len;
		buf[len] = '\0';
	}
	return 0;
}

static int copy_str(const str *s, char *buf, int size)
{
	if(s->len >= size)
		return -1;
	memcpy(buf, s->s, s->len);
	buf[s->len] = '\0';
	return 0;
}

static const char *transport_param(int proto)
{
	switch(proto) {
		case PROTO_TCP:
			return ";transport=tcp";
		case PROTO_TLS:
			return ";transport=tls";
		case PROTO_SCTP:
			return ";transport=sctp";
		default:
			return "";
	}
}

/* "host:port[;transport=x]" of the socket the request came in on, as it
 * is advertised: where the participants' in-dialog requests come back. */
static int focus_address_of(sip_msg_t *msg, char *buf, int size)
{
	struct socket_info *si = msg->rcv.bind_address;
	str host, port;
	int n;

	if(si == NULL)
		return -1;
	host = si->useinfo.name.len ? si->useinfo.name : si->address_str;
	port = si->useinfo.port_no_str.len ? si->useinfo.port_no_str : si->port_no_str;
	n = snprintf(buf, size, "%.*s:%.*s%s", host.len, host.s, port.len, port.s, transport_param(si->proto));
	return n > 0 && n < size ? 0 : -1;
}

int im_focus_invite(sip_msg_t *msg, im_controlling_t *svc)
{
	kam_request_t req;
	im_focus_invite_t invite;
	im_focus_reply_t *reply = NULL;
	char local_tag[TAG_SIZE], remote_tag[TAG_SIZE], target[TARGET_SIZE];
	char route_set[ROUTE_SET_SIZE], focus_address[FOCUS_ADDRESS_SIZE], socket[SOCKET_SIZE];
	contact_body_t *contacts;
	str totag;
	int rc;

	rc = ensure_transaction(msg);
	if(rc <= 0)
		return rc;
	if(kam_request_view(msg, &req) < 0 || parse_from_header(msg) < 0 || msg->callid == NULL) {
		kam_send_reply(msg, slb, 400, "Bad Request", NULL);
		return 0;
	}
	if(msg->contact == NULL || parse_contact(msg->contact) < 0
			|| (contacts = (contact_body_t *)msg->contact->parsed) == NULL || contacts->contacts == NULL
			|| copy_str(&contacts->contacts->uri, target, sizeof(target)) < 0) {
		LM_INFO("INVITE to the focus %.*s without a usable Contact\n", req.view.request_uri.len,
				req.view.request_uri.s);
		kam_send_reply(msg, slb, 400, "Bad Request", "Warning: 399 IM-serv \"A Contact is needed\"\r\n");
		return 0;
	}
	if(copy_str(&get_from(msg)->tag_value, remote_tag, sizeof(remote_tag)) < 0 || remote_tag[0] == '\0'
			|| route_set_of(msg, route_set, sizeof(route_set)) < 0) {
		kam_send_reply(msg, slb, 400, "Bad Request", NULL);
		return 0;
	}
	if(tmb->t_get_reply_totag(msg, &totag) < 0 || copy_str(&totag, local_tag, sizeof(local_tag)) < 0
			|| focus_address_of(msg, focus_address, sizeof(focus_address)) < 0
			|| copy_str(&msg->rcv.bind_address->sock_str, socket, sizeof(socket)) < 0) {
		kam_send_reply(msg, slb, 500, "Server Internal Error", NULL);
		return 0;
	}
	invite.local_tag = local_tag;
	invite.remote_tag = remote_tag;
	invite.route_set = route_set;
	invite.remote_target = target;
	invite.socket = socket;
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

static void str_of(const char *s, str *out)
{
	out->s = (char *)s;
	out->len = (int)strlen(s);
}

/* 7.2.1.9: a BYE in the participant's dialog, where the focus is the UAS
 * of the INVITE (as presence builds its NOTIFYs' dialogs). */
static void send_bye(void *ctx, const im_focus_bye_t *bye)
{
	dlg_t dialog;
	uac_req_t uac_r;
	char route_set[ROUTE_SET_SIZE], socket[SOCKET_SIZE];
	str host;
	int port, proto;

	memset(&dialog, 0, sizeof(dialog));
	str_of(bye->call_id, &dialog.id.call_id);
	str_of(bye->local_tag, &dialog.id.loc_tag);
	str_of(bye->remote_tag, &dialog.id.rem_tag);
	str_of(bye->local_uri, &dialog.loc_uri);
	str_of(bye->remote_uri, &dialog.rem_uri);
	str_of(bye->remote_target, &dialog.rem_target);
	/* tm increments it before sending: the BYE carries bye->cseq. */
	dialog.loc_seq.value = (unsigned int)bye->cseq - 1;
	dialog.loc_seq.is_set = 1;
	dialog.state = DLG_CONFIRMED;
	/* parse_rr_body keeps pointers into its buffer: a copy that lives
	 * until tm has built the request. */
	if(snprintf(route_set, sizeof(route_set), "%s", bye->route_set) >= (int)sizeof(route_set)
			|| (route_set[0] && parse_rr_body(route_set, (int)strlen(route_set), &dialog.route_set) < 0)) {
		LM_ERR("conference focus: unusable route set for %s, no BYE\n", bye->remote_uri);
		return;
	}
	if(bye->socket[0] && snprintf(socket, sizeof(socket), "%s", bye->socket) < (int)sizeof(socket)
			&& parse_phostport(socket, &host.s, &host.len, &port, &proto) == 0)
		dialog.send_sock = grep_sock_info(&host, (unsigned short)port, (unsigned short)proto);

	set_uac_req(&uac_r, &bye_method, &bye_headers, NULL, &dialog, TMCB_LOCAL_COMPLETED, bye_completed, NULL);
	if(tmb->t_request_within(&uac_r) < 0) {
		LM_ERR("conference focus: cannot send the BYE to %s (session %s)\n", bye->remote_uri, bye->conference);
	} else {
		update_stat(stats->byes_sent, 1);
		LM_INFO("conference focus: BYE to %s, session %s released\n", bye->identity, bye->conference);
	}
	free_rr(&dialog.route_set);
}

int im_focus_dialog(sip_msg_t *msg, im_controlling_t *svc)
{
	kam_request_t req;
	im_focus_reply_t *reply;
	int is_ack = msg->first_line.u.request.method_value == METHOD_ACK;
	int byes, rc;

	if(!is_ack) {
		rc = ensure_transaction(msg);
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

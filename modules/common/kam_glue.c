#include "kam_glue.h"

#include <malloc.h>
#include <string.h>

#include "core/data_lump.h"
#include "core/data_lump_rpl.h"
#include "core/dprint.h"
#include "core/dset.h"
#include "core/ip_addr.h"
#include "core/mem/mem.h"
#include "core/parser/parse_from.h"
#include "core/parser/parse_to.h"

static void set_str(im_str_t *dst, const str *src)
{
	dst->s = src ? src->s : NULL;
	dst->len = src ? src->len : 0;
}

int kam_request_view(sip_msg_t *msg, kam_request_t *req)
{
	struct hdr_field *hf;
	im_sip_request_t *v = &req->view;
	char *body;

	memset(req, 0, sizeof(*req));
	if(msg->first_line.type != SIP_REQUEST) {
		LM_ERR("not a request\n");
		return -1;
	}
	if(parse_headers(msg, HDR_EOH_F, 0) < 0) {
		LM_ERR("cannot parse headers\n");
		return -1;
	}
	set_str(&v->method, &msg->first_line.u.request.method);
	set_str(&v->request_uri, GET_RURI(msg));
	if(msg->from && parse_from_header(msg) == 0)
		set_str(&v->from_uri, &get_from(msg)->uri);
	if(msg->to && parse_to_header(msg) == 0) {
		set_str(&v->to_uri, &get_to(msg)->uri);
		set_str(&v->to_tag, &get_to(msg)->tag_value);
	}
	if(msg->callid)
		set_str(&v->call_id, &msg->callid->body);
	if(msg->contact)
		set_str(&v->contact, &msg->contact->body);
	if(msg->content_type)
		set_str(&v->content_type, &msg->content_type->body);
	if(msg->expires) {
		set_str(&v->expires, &msg->expires->body);
		v->has_expires = 1;
	}
	body = get_body(msg);
	if(body) {
		v->body.s = body;
		v->body.len = (int)(msg->buf + msg->len - body);
	}
	for(hf = msg->headers; hf; hf = hf->next) {
		switch(hf->type) {
			case HDR_PAI_T:
				if(v->asserted_identity_count < IM_MAX_HEADER_VALUES)
					set_str(&v->asserted_identity[v->asserted_identity_count++], &hf->body);
				break;
			case HDR_ACCEPTCONTACT_T:
				if(v->accept_contact_count < IM_MAX_HEADER_VALUES)
					set_str(&v->accept_contact[v->accept_contact_count++], &hf->body);
				break;
			case HDR_PRIVACY_T:
				set_str(&v->privacy, &hf->body);
				break;
			case HDR_EVENT_T:
				set_str(&v->event, &hf->body);
				break;
			case HDR_SIPIFMATCH_T:
				set_str(&v->sip_if_match, &hf->body);
				break;
			case HDR_DATE_T:
				set_str(&v->date, &hf->body);
				break;
			default:
				break;
		}
	}
	ip_addr2sbufz(&msg->rcv.src_ip, req->source_ip, sizeof(req->source_ip));
	v->source_ip.s = req->source_ip;
	v->source_ip.len = (int)strlen(req->source_ip);
	v->source_port = msg->rcv.src_port;
	v->transport.s = get_proto_name(msg->rcv.proto);
	v->transport.len = v->transport.s ? (int)strlen(v->transport.s) : 0;
	return 0;
}

int kam_send_reply(sip_msg_t *msg, sl_api_t *sl, int code, const char *reason,
		const char *headers)
{
	str rsn;
	int len = headers ? (int)strlen(headers) : 0;

	if(len > 0 && add_lump_rpl(msg, (char *)headers, len, LUMP_RPL_HDR) == 0) {
		LM_ERR("cannot add reply headers\n");
		return -1;
	}
	rsn.s = (char *)reason;
	rsn.len = (int)strlen(reason);
	return sl->freply(msg, code, &rsn);
}

int kam_append_headers(sip_msg_t *msg, const char *headers)
{
	struct lump *anchor;
	char *copy;
	int len = (int)strlen(headers);

	if(len == 0)
		return 0;
	if(parse_headers(msg, HDR_EOH_F, 0) < 0)
		return -1;
	anchor = anchor_lump(msg, msg->unparsed - msg->buf, 0, 0);
	if(anchor == NULL)
		return -1;
	copy = pkg_malloc(len);
	if(copy == NULL) {
		PKG_MEM_ERROR;
		return -1;
	}
	memcpy(copy, headers, len);
	if(insert_new_lump_before(anchor, copy, len, 0) == 0) {
		pkg_free(copy);
		return -1;
	}
	return 0;
}

int kam_apply_action(sip_msg_t *msg, sl_api_t *sl, const im_action_t *action)
{
	str uri;

	if(action->reply_code > 0) {
		if(kam_send_reply(msg, sl, action->reply_code, action->reply_reason,
				   action->reply_headers) < 0)
			return -1;
		return 0;
	}
	if(action->request_uri[0]) {
		uri.s = (char *)action->request_uri;
		uri.len = (int)strlen(action->request_uri);
		if(rewrite_uri(msg, &uri) < 0) {
			LM_ERR("cannot set the Request-URI to %s\n", action->request_uri);
			return -1;
		}
	}
	if(kam_append_headers(msg, action->request_headers) < 0) {
		LM_ERR("cannot append headers to the request\n");
		return -1;
	}
	return action->next;
}

void kam_keep_freed_heap(int bytes)
{
	if(bytes > 0 && mallopt(M_TRIM_THRESHOLD, bytes) != 1)
		LM_WARN("cannot set M_TRIM_THRESHOLD to %d\n", bytes);
}

#include "kam_dialog.h"

#include <stdio.h>
#include <string.h>

#include "core/dprint.h"
#include "core/socket_info.h"
#include "core/parser/parse_from.h"
#include "core/parser/parse_rr.h"
#include "core/parser/contact/parse_contact.h"

int kam_ensure_transaction(struct tm_binds *tmb, sip_msg_t *msg)
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

int kam_copy_str(const str *s, char *buf, int size)
{
	if(s->len >= size)
		return -1;
	memcpy(buf, s->s, s->len);
	buf[s->len] = '\0';
	return 0;
}

int kam_route_set_of(sip_msg_t *msg, char *buf, int size)
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

int kam_local_address_of(sip_msg_t *msg, char *buf, int size)
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

int kam_uas_dialog_of(struct tm_binds *tmb, sip_msg_t *msg, kam_uas_dialog_t *d)
{
	contact_body_t *contacts;
	str totag;

	if(parse_from_header(msg) < 0 || msg->callid == NULL || msg->to == NULL || msg->contact == NULL
			|| parse_contact(msg->contact) < 0 || (contacts = (contact_body_t *)msg->contact->parsed) == NULL
			|| contacts->contacts == NULL)
		return -1;
	if(kam_copy_str(&msg->callid->body, d->call_id, sizeof(d->call_id)) < 0
			|| kam_copy_str(&get_from(msg)->tag_value, d->remote_tag, sizeof(d->remote_tag)) < 0
			|| d->remote_tag[0] == '\0'
			|| kam_copy_str(&get_to(msg)->uri, d->local_uri, sizeof(d->local_uri)) < 0
			|| kam_copy_str(&get_from(msg)->uri, d->remote_uri, sizeof(d->remote_uri)) < 0
			|| kam_copy_str(&contacts->contacts->uri, d->remote_target, sizeof(d->remote_target)) < 0
			|| kam_route_set_of(msg, d->route_set, sizeof(d->route_set)) < 0)
		return -1;
	if(tmb->t_get_reply_totag(msg, &totag) < 0 || kam_copy_str(&totag, d->local_tag, sizeof(d->local_tag)) < 0
			|| msg->rcv.bind_address == NULL
			|| kam_copy_str(&msg->rcv.bind_address->sock_str, d->socket, sizeof(d->socket)) < 0)
		return -2;
	return 0;
}

void kam_dialog_view(const kam_uas_dialog_t *d, int cseq, im_dialog_t *ref)
{
	ref->call_id = d->call_id;
	ref->local_tag = d->local_tag;
	ref->remote_tag = d->remote_tag;
	ref->local_uri = d->local_uri;
	ref->remote_uri = d->remote_uri;
	ref->remote_target = d->remote_target;
	ref->route_set = d->route_set;
	ref->socket = d->socket;
	ref->cseq = cseq;
}

static void str_of(const char *s, str *out)
{
	out->s = (char *)s;
	out->len = (int)strlen(s);
}

int kam_send_within(struct tm_binds *tmb, const im_dialog_t *d, const char *method, const char *headers,
		const char *body, transaction_cb completed)
{
	dlg_t dialog;
	uac_req_t uac_r;
	char route_set[KAM_DIALOG_ROUTE_SET], socket[KAM_DIALOG_SOCKET];
	str method_str, headers_str, body_str, host;
	int port, proto, rc;

	memset(&dialog, 0, sizeof(dialog));
	str_of(d->call_id, &dialog.id.call_id);
	str_of(d->local_tag, &dialog.id.loc_tag);
	str_of(d->remote_tag, &dialog.id.rem_tag);
	str_of(d->local_uri, &dialog.loc_uri);
	str_of(d->remote_uri, &dialog.rem_uri);
	str_of(d->remote_target, &dialog.rem_target);
	/* tm increments it before sending: the request carries d->cseq. */
	dialog.loc_seq.value = (unsigned int)d->cseq - 1;
	dialog.loc_seq.is_set = 1;
	dialog.state = DLG_CONFIRMED;
	/* parse_rr_body keeps pointers into its buffer: a copy that lives
	 * until tm has built the request. */
	if(snprintf(route_set, sizeof(route_set), "%s", d->route_set) >= (int)sizeof(route_set)
			|| (route_set[0] && parse_rr_body(route_set, (int)strlen(route_set), &dialog.route_set) < 0)) {
		LM_ERR("unusable route set for %s, no %s sent\n", d->remote_uri, method);
		return -1;
	}
	if(d->socket[0] && snprintf(socket, sizeof(socket), "%s", d->socket) < (int)sizeof(socket)
			&& parse_phostport(socket, &host.s, &host.len, &port, &proto) == 0)
		dialog.send_sock = grep_sock_info(&host, (unsigned short)port, (unsigned short)proto);

	str_of(method, &method_str);
	str_of(headers ? headers : "", &headers_str);
	str_of(body ? body : "", &body_str);
	set_uac_req(&uac_r, &method_str, &headers_str, body_str.len ? &body_str : NULL, &dialog,
			TMCB_LOCAL_COMPLETED, completed, NULL);
	rc = tmb->t_request_within(&uac_r);
	if(rc < 0)
		LM_ERR("cannot send the %s to %s\n", method, d->remote_uri);
	free_rr(&dialog.route_set);
	return rc < 0 ? -1 : 0;
}

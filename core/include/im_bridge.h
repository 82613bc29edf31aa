/*
 * The only door between Kamailio (C) and the IM core (C++): plain C types.
 * The module glue (*_mod.c) fills an im_sip_request_t from sip_msg_t and
 * applies the im_action_t the core returns. No exception crosses this door.
 */
#ifndef IM_BRIDGE_H
#define IM_BRIDGE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct im_str {
	const char *s;
	int len;
} im_str_t;

#define IM_MAX_HEADER_VALUES 8

typedef struct im_sip_request {
	im_str_t method;
	im_str_t request_uri;
	im_str_t from_uri;
	im_str_t to_uri;
	im_str_t to_tag;
	im_str_t call_id;
	im_str_t contact;
	im_str_t content_type;
	im_str_t body;
	im_str_t privacy;
	im_str_t expires;
	int has_expires;
	im_str_t event;
	im_str_t sip_if_match;
	im_str_t asserted_identity[IM_MAX_HEADER_VALUES];
	int asserted_identity_count;
	im_str_t accept_contact[IM_MAX_HEADER_VALUES];
	int accept_contact_count;
	im_str_t source_ip;
	int source_port;
	im_str_t transport;
} im_sip_request_t;

/* What the glue does next when the action does not reply. */
typedef enum im_next {
	IM_NEXT_FORWARD = 1,
	IM_NEXT_CONTROLLING = 2
} im_next_t;

#define IM_ACTION_TEXT 2048

typedef struct im_action {
	int reply_code;                          /* 0: no reply, go on */
	char reply_reason[128];
	char reply_headers[IM_ACTION_TEXT];      /* "Name: value\r\n" lines */
	im_next_t next;
	char request_uri[512];                   /* new R-URI when not empty */
	char request_headers[IM_ACTION_TEXT];    /* appended to the request */
} im_action_t;

#ifdef __cplusplus
}
#endif

#endif

/*
 * Glue shared by the IM modules: translation between Kamailio's sip_msg_t
 * and the plain-C door of the core (im_bridge.h). C only; the one place
 * besides each *_mod.c that includes Kamailio headers.
 */
#ifndef IM_KAM_GLUE_H
#define IM_KAM_GLUE_H

#include "core/parser/msg_parser.h"
#include "modules/sl/sl.h"
#include "im_bridge.h"

/* Holds the request view and the text it needs beyond the message buffer. */
typedef struct kam_request {
	im_sip_request_t view;
	char source_ip[64];
} kam_request_t;

/* Fills req from msg. Returns 0, or -1 when the message cannot be parsed. */
int kam_request_view(sip_msg_t *msg, kam_request_t *req);

/* Sends a stateless reply with extra header lines ("Name: v\r\n"...). */
int kam_send_reply(sip_msg_t *msg, sl_api_t *sl, int code, const char *reason,
		const char *headers);

/* Applies what the core decided. Returns the script return code:
 * 0 when a reply was sent (the script stops), IM_NEXT_FORWARD or
 * IM_NEXT_CONTROLLING when the request goes on, -1 on an internal error. */
int kam_apply_action(sip_msg_t *msg, sl_api_t *sl, const im_action_t *action);

/* Appends header lines to the request being processed. */
int kam_append_headers(sip_msg_t *msg, const char *headers);

/* Keeps up to `bytes` of freed glibc heap in the process instead of giving
 * it back at once (M_TRIM_THRESHOLD; 0 leaves glibc's default). Kamailio
 * itself barely uses glibc's heap, so the C++ core's short-lived objects
 * otherwise grow and shrink the heap with brk() on every request. Called in
 * mod_init, so every forked worker inherits it. */
void kam_keep_freed_heap(int bytes);

#endif

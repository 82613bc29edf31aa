/*
 * extern "C" door of the History Function (plain C types only).
 * One im_history_t per process (its own database connection).
 */
#ifndef IM_HISTORY_API_H
#define IM_HISTORY_API_H

#include <stddef.h>

#include "im_bridge.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct im_history_params {
	const char *db_url;
	const char *history_uri;
	const char *trusted_core;
	int identity_from_header;
	/* The MSRP relay whose recorders record the sessions. */
	const char *relay_control_socket;
	int relay_timeout_ms;
} im_history_params_t;

typedef struct im_history im_history_t;

int im_history_check(const im_history_params_t *params, char *err, size_t err_size);
im_history_t *im_history_open(const im_history_params_t *params, char *err, size_t err_size);
void im_history_close(im_history_t *h);

/* 1 when the Request-URI is the History Function's URI, 0 when not. */
int im_history_owns(im_history_t *h, const im_sip_request_t *req);

/* What a REFER to the History Function gets (11.2.2). */
typedef struct im_history_refer_outcome {
	im_action_t action;       /* 202 with its headers, or the refusal */
	char conference[64];      /* the recorded session, with 202 */
	char notify_status[64];   /* the NOTIFY's message/sipfrag status line, with 202 */
	int started;              /* a recorder joined the session */
	int stopped;              /* the recorder left it */
	char error[256];          /* why, after an internal error (a 500) */
} im_history_refer_outcome_t;

/* refer_to: the Refer-To header body ("" when absent); contact: the 202's
 * Contact header value. 0, or -1 after an internal error (out is a 500). */
int im_history_refer(im_history_t *h, const im_sip_request_t *req, const char *refer_to, const char *contact,
		im_history_refer_outcome_t *out);

/* RPC: the user's recordings, "key: value" lines into out; 0, or -1 with the reason. */
int im_history_recordings(im_history_t *h, const char *owner, char *out, size_t out_size);

#ifdef __cplusplus
}
#endif

#endif
